"""what long Discord buttons and forms mean, kept across restarts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('button_memos',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_button_memos'))
    )
    op.create_index(op.f('ix_button_memos_created_at'), 'button_memos', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_button_memos_created_at'), table_name='button_memos')
    op.drop_table('button_memos')
