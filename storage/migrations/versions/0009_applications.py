"""tracked applications, and reminders about them in the outbox"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import (
    belongs, flag, key, moment, of_person, primary, ref, small, string, text,
)

revision = '0009'
down_revision = '0008'

_CHECKIN = "state = 'pending' AND application_id IS NULL"
_REMINDER = "state = 'pending' AND application_id IS NOT NULL"


def upgrade() -> None:
    op.create_table('applications',
        key(),
        ref('person_id'),
        text('company'),
        text('role'),
        text('link'),
        text('interviewer'),
        text('notes'),
        sa.Column('applied_on', sa.Date(), nullable=False),
        flag('adjacent'),
        string('stage', 12),
        moment('moved_at', nullable=True),
        ref('rejection_id', nullable=True),
        moment('created_at'),
        of_person('applications'),
        belongs('applications', 'rejection_id', 'rejections', ondelete='SET NULL'),
        primary('applications'),
    )
    op.create_index(op.f('ix_applications_person_id'), 'applications', ['person_id'], unique=False)
    op.create_table('application_settings',
        ref('person_id'),
        small('ghost_days'),
        of_person('application_settings'),
        primary('application_settings', 'person_id'),
    )
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with its reference in one statement (no ALTER of constraints).
        op.execute(
            'ALTER TABLE planned_messages ADD COLUMN application_id INTEGER'
            ' CONSTRAINT fk_planned_messages_application_id_applications'
            ' REFERENCES applications (id) ON DELETE CASCADE'
        )
    else:
        op.add_column('planned_messages', ref('application_id', nullable=True))
        op.create_foreign_key(
            op.f('fk_planned_messages_application_id_applications'),
            'planned_messages', 'applications', ['application_id'], ['id'], ondelete='CASCADE',
        )
    # One pending check-in per kind and person as before; reminders, one per application.
    op.drop_index('uq_planned_messages_pending_kind', table_name='planned_messages')
    op.create_index(
        'uq_planned_messages_pending_kind', 'planned_messages', ['person_id', 'kind'],
        unique=True, sqlite_where=sa.text(_CHECKIN), postgresql_where=sa.text(_CHECKIN),
    )
    op.create_index(
        'uq_planned_messages_pending_application', 'planned_messages', ['application_id'],
        unique=True, sqlite_where=sa.text(_REMINDER), postgresql_where=sa.text(_REMINDER),
    )


def downgrade() -> None:
    op.drop_index('uq_planned_messages_pending_application', table_name='planned_messages')
    op.drop_index('uq_planned_messages_pending_kind', table_name='planned_messages')
    op.execute('DELETE FROM planned_messages WHERE application_id IS NOT NULL')
    with op.batch_alter_table('planned_messages') as batch_op:
        batch_op.drop_column('application_id')
    pending = sa.text("state = 'pending'")
    op.create_index(
        'uq_planned_messages_pending_kind', 'planned_messages', ['person_id', 'kind'],
        unique=True, sqlite_where=pending, postgresql_where=pending,
    )
    op.drop_table('application_settings')
    op.drop_index(op.f('ix_applications_person_id'), table_name='applications')
    op.drop_table('applications')
