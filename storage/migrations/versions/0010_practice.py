"""practice partners: members' choices, each round's groups, the communities' settings

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practice', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('practice_channel', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('practice_weekday', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('practice_time', sa.Time(), server_default='10:00:00', nullable=False))
        batch_op.add_column(sa.Column('practice_every', sa.SmallInteger(), server_default='1', nullable=False))
    op.create_index('uq_community_posts_practice_round', 'community_posts', ['platform', 'community', 'week'], unique=True, sqlite_where=sa.text("kind = 'practice_round'"), postgresql_where=sa.text("kind = 'practice_round'"))
    op.create_table('practice_members',
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('paused_until', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('areas', sa.Text(), nullable=False),
    sa.Column('role_kind', sa.Text(), nullable=False),
    sa.Column('joined_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('availability', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_practice_members_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_practice_members'))
    )
    op.create_index('ix_practice_members_community', 'practice_members', ['platform', 'community', 'state'], unique=False)
    op.create_table('practice_pairs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('grp', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('conversation', sa.String(length=64), nullable=False),
    sa.Column('met', sa.String(length=10), nullable=False),
    sa.Column('met_at', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_practice_pairs_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_pairs')),
    sa.UniqueConstraint('platform', 'community', 'week', 'person_id', name=op.f('uq_practice_pairs_platform'))
    )
    op.create_index('ix_practice_pairs_person', 'practice_pairs', ['person_id', 'week'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_practice_pairs_person', table_name='practice_pairs')
    op.drop_table('practice_pairs')
    op.drop_index('ix_practice_members_community', table_name='practice_members')
    op.drop_table('practice_members')
    op.drop_index('uq_community_posts_practice_round', table_name='community_posts')
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_column('practice_every')
        batch_op.drop_column('practice_time')
        batch_op.drop_column('practice_weekday')
        batch_op.drop_column('practice_channel')
        batch_op.drop_column('practice')
