"""people, rejections, reflections, wins, moods, conversations

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 05:45:56.929814
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('people',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('checkin_time', sa.Time(), nullable=False),
    sa.Column('quiet_start', sa.Time(), nullable=False),
    sa.Column('quiet_end', sa.Time(), nullable=False),
    sa.Column('weekdays_only', sa.Boolean(), nullable=False),
    sa.Column('unreachable', sa.String(length=32), nullable=False),
    sa.Column('unreachable_at', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('platform', 'community', 'user_id', name=op.f('uq_people_platform'))
    )
    op.create_table('processed_events',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('seen_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_processed_events'))
    )
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_events_seen_at'), ['seen_at'], unique=False)

    op.create_table('conversations',
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('data', sa.String(length=200), nullable=False),
    sa.Column('updated_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_conversations_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_conversations'))
    )
    op.create_table('moods',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_moods_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moods'))
    )
    with op.batch_alter_table('moods', schema=None) as batch_op:
        batch_op.create_index('ix_moods_person_created', ['person_id', 'created_at'], unique=False)

    op.create_table('rejections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('rejected_on', sa.Date(), nullable=False),
    sa.Column('interviewer', sa.String(length=100), nullable=False),
    sa.Column('feeling', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note_sent_at', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('feedback_at', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_rejections_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejections'))
    )
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rejections_person_id'), ['person_id'], unique=False)

    op.create_table('wins',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_wins_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wins'))
    )
    with op.batch_alter_table('wins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wins_person_id'), ['person_id'], unique=False)

    op.create_table('reflections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rejection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('question', sa.String(length=32), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_reflections_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rejection_id'], ['rejections.id'], name=op.f('fk_reflections_rejection_id_rejections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reflections')),
    sa.UniqueConstraint('rejection_id', 'question', name=op.f('uq_reflections_rejection_id'))
    )
    with op.batch_alter_table('reflections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reflections_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reflections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reflections_person_id'))

    op.drop_table('reflections')
    with op.batch_alter_table('wins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wins_person_id'))

    op.drop_table('wins')
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rejections_person_id'))

    op.drop_table('rejections')
    with op.batch_alter_table('moods', schema=None) as batch_op:
        batch_op.drop_index('ix_moods_person_created')

    op.drop_table('moods')
    op.drop_table('conversations')
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_events_seen_at'))

    op.drop_table('processed_events')
    op.drop_table('people')
