"""acknowledged work kept until done: the inbox"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import key, moment, primary, string, text, unique

revision = '0008'
down_revision = '0007'


def upgrade() -> None:
    op.create_table('inbox',
        key(),
        string('key', 200),
        string('platform', 16),
        text('payload'),
        string('state', 10),
        string('claimed_by', 64),
        moment('lease_until', nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        moment('received_at'),
        primary('inbox'),
        unique('inbox', 'key'),
    )
    op.create_index('ix_inbox_state_lease', 'inbox', ['state', 'platform', 'lease_until'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_inbox_state_lease', table_name='inbox')
    op.drop_table('inbox')
