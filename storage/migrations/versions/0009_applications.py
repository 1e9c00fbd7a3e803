"""tracked applications, and reminders about them in the outbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_CHECKIN = "state = 'pending' AND application_id IS NULL"
_REMINDER = "state = 'pending' AND application_id IS NOT NULL"


def upgrade() -> None:
    op.create_table('applications',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('person_id', _ID, nullable=False),
    sa.Column('company', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('link', sa.Text(), nullable=False),
    sa.Column('interviewer', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('adjacent', sa.Boolean(), nullable=False),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('moved_at', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rejection_id', _ID, nullable=True),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_applications_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rejection_id'], ['rejections.id'], name=op.f('fk_applications_rejection_id_rejections'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications'))
    )
    op.create_index(op.f('ix_applications_person_id'), 'applications', ['person_id'], unique=False)
    op.create_table('application_settings',
    sa.Column('person_id', _ID, nullable=False),
    sa.Column('ghost_days', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_application_settings_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_application_settings'))
    )
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with its reference in one statement (no ALTER of constraints).
        op.execute(
            'ALTER TABLE planned_messages ADD COLUMN application_id INTEGER'
            ' CONSTRAINT fk_planned_messages_application_id_applications'
            ' REFERENCES applications (id) ON DELETE CASCADE'
        )
    else:
        op.add_column('planned_messages', sa.Column('application_id', _ID, nullable=True))
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
