"""each person's DM channel, kept so a returning person costs one request"""

from alembic import op

from storage.migrations.helpers import moment, of_person, primary, ref, string

revision = '0012'
down_revision = '0011'


def upgrade() -> None:
    op.create_table('dm_channels',
        ref('person_id'),
        string('platform', 16),
        string('user_id', 64),
        string('channel_id', 64),
        moment('opened_at'),
        of_person('dm_channels'),
        primary('dm_channels', 'person_id'),
    )
    op.create_index('ix_dm_channels_user', 'dm_channels', ['platform', 'user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_dm_channels_user', table_name='dm_channels')
    op.drop_table('dm_channels')
