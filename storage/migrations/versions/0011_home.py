"""the journey chart last uploaded for each member's Slack Home tab"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import moment, primary, string

revision = '0011'
down_revision = '0010'


def upgrade() -> None:
    op.create_table('home_charts',
        string('platform', 16),
        string('community', 64),
        string('user_id', 64),
        string('file_id', 64),
        string('fingerprint', 64),
        moment('updated_at'),
        primary('home_charts', 'platform', 'community', 'user_id'),
    )


def downgrade() -> None:
    op.drop_table('home_charts')
