"""acknowledged work kept until done: the inbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=False),
    sa.Column('lease_until', storage.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox')),
    sa.UniqueConstraint('key', name=op.f('uq_inbox_key'))
    )
    op.create_index('ix_inbox_state_lease', 'inbox', ['state', 'platform', 'lease_until'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_inbox_state_lease', table_name='inbox')
    op.drop_table('inbox')
