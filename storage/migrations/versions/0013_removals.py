"""communities whose removal is still owed, so a deletion that failed is finished later"""

from alembic import op

from storage.migrations.helpers import moment, primary, string

revision = '0013'
down_revision = '0012'


def upgrade() -> None:
    op.create_table('removals',
        string('platform', 16),
        string('community', 64),
        moment('requested_at'),
        primary('removals', 'platform', 'community'),
    )


def downgrade() -> None:
    op.drop_table('removals')
