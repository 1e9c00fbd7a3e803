"""communities and their posts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:20:42.252044
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('communities',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('brag_channel', sa.String(length=64), nullable=False),
    sa.Column('brag_weekday', sa.SmallInteger(), nullable=False),
    sa.Column('brag_time', sa.Time(), nullable=False),
    sa.Column('checkin_time', sa.Time(), nullable=False),
    sa.Column('support_resources', sa.Text(), nullable=False),
    sa.Column('brag_thread', sa.Boolean(), nullable=False),
    sa.Column('pulse', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communities')),
    sa.UniqueConstraint('platform', 'community', name=op.f('uq_communities_platform'))
    )
    op.create_table('community_posts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('win_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('thread', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('due_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_community_posts_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['win_id'], ['wins.id'], name=op.f('fk_community_posts_win_id_wins'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_posts'))
    )
    with op.batch_alter_table('community_posts', schema=None) as batch_op:
        batch_op.create_index('ix_community_posts_state_due', ['state', 'platform', 'due_at'], unique=False)
        batch_op.create_index('uq_community_posts_weekly_thread', ['platform', 'community', 'week'], unique=True, sqlite_where=sa.text("kind = 'brag_thread'"), postgresql_where=sa.text("kind = 'brag_thread'"))



def downgrade() -> None:
    with op.batch_alter_table('community_posts', schema=None) as batch_op:
        batch_op.drop_index('uq_community_posts_weekly_thread', sqlite_where=sa.text("kind = 'brag_thread'"), postgresql_where=sa.text("kind = 'brag_thread'"))
        batch_op.drop_index('ix_community_posts_state_due')

    op.drop_table('community_posts')
    op.drop_table('communities')
