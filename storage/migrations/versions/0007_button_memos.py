"""what long Discord buttons and forms mean, kept across restarts"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import moment, primary, string, text

revision = '0007'
down_revision = '0006'


def upgrade() -> None:
    op.create_table('button_memos',
        string('token', 32),
        text('data'),
        moment('created_at'),
        primary('button_memos', 'token'),
    )
    op.create_index(op.f('ix_button_memos_created_at'), 'button_memos', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_button_memos_created_at'), table_name='button_memos')
    op.drop_table('button_memos')
