"""planned messages, answers, check-in state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:56:59.542476
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('answers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_answers_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index('ix_answers_person_created', ['person_id', 'created_at'], unique=False)

    op.create_table('planned_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('rejection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('due_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('planned_local', sa.DateTime(), nullable=False),
    sa.Column('planned_zone', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=False),
    sa.Column('sent_at', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_planned_messages_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rejection_id'], ['rejections.id'], name=op.f('fk_planned_messages_rejection_id_rejections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_messages'))
    )
    with op.batch_alter_table('planned_messages', schema=None) as batch_op:
        batch_op.create_index('ix_planned_messages_person', ['person_id', 'state'], unique=False)
        batch_op.create_index('ix_planned_messages_state_due', ['state', 'platform', 'due_at'], unique=False)

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkins', sa.String(length=10), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('paused_until', storage.tables.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('paused_until')
        batch_op.drop_column('checkins')

    with op.batch_alter_table('planned_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_planned_messages_state_due')
        batch_op.drop_index('ix_planned_messages_person')

    op.drop_table('planned_messages')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_person_created')

    op.drop_table('answers')
