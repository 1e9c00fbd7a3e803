"""why a community's removal is owed: the platform said so, or the bot found itself gone"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'


def upgrade() -> None:
    with op.batch_alter_table('removals') as batch:
        batch.add_column(
            sa.Column('reason', sa.String(length=16), server_default='removed', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('removals') as batch:
        batch.drop_column('reason')
