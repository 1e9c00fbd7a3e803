"""planned messages, answers, check-in state"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import (
    altering, belongs, create_indexes, drop_indexes, key, moment, of_person, primary, ref, string,
    text,
)

revision = '0002'
down_revision = '0001'


def upgrade() -> None:
    op.create_table('answers',
        key(),
        ref('person_id'),
        string('kind', 20),
        text('value'),
        moment('created_at'),
        of_person('answers'),
        primary('answers'),
    )
    create_indexes('answers', ('ix_answers_person_created', ['person_id', 'created_at']))
    op.create_table('planned_messages',
        key(),
        ref('person_id'),
        string('platform', 16),
        ref('rejection_id', nullable=True),
        string('kind', 20),
        moment('due_at'),
        sa.Column('planned_local', sa.DateTime(), nullable=False),
        string('planned_zone', 64),
        string('state', 10),
        sa.Column('attempts', sa.Integer(), nullable=False),
        moment('lease_until', nullable=True),
        string('claimed_by', 64),
        moment('sent_at', nullable=True),
        string('message_id', 64),
        string('outcome', 32),
        moment('created_at'),
        of_person('planned_messages'),
        belongs('planned_messages', 'rejection_id', 'rejections'),
        primary('planned_messages'),
    )
    create_indexes(
        'planned_messages',
        ('ix_planned_messages_person', ['person_id', 'state']),
        ('ix_planned_messages_state_due', ['state', 'platform', 'due_at']),
    )
    with altering('people') as batch_op:
        batch_op.add_column(sa.Column('checkins', sa.String(length=10), server_default='active', nullable=False))
        batch_op.add_column(moment('paused_until', nullable=True))


def downgrade() -> None:
    with altering('people') as batch_op:
        batch_op.drop_column('paused_until')
        batch_op.drop_column('checkins')
    drop_indexes('planned_messages', 'ix_planned_messages_state_due', 'ix_planned_messages_person')
    op.drop_table('planned_messages')
    drop_indexes('answers', 'ix_answers_person_created')
    op.drop_table('answers')
