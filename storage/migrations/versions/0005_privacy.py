"""privacy: room for sealed names, organization members, Slack's OAuth tables"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.helpers import moment, primary, string

revision = '0005'
down_revision = '0004'

# Names and employers are sealed with the encryption key now: a sealed value is several times
# longer than 100 characters.
_WIDENED = (
    ('people', 'display_name'),
    ('rejections', 'company'),
    ('rejections', 'role'),
    ('rejections', 'interviewer'),
)


def upgrade() -> None:
    bind = op.get_bind()
    # SQLite ignores VARCHAR lengths, and rebuilding `people` there (batch mode) would run the
    # foreign keys' ON DELETE CASCADE on every person's records: PostgreSQL only.
    if bind.dialect.name == 'postgresql':
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(100))

    op.create_table('organization_members',
        string('platform', 16),
        string('community', 64),
        string('organization', 64),
        moment('seen_at'),
        primary('organization_members', 'platform', 'community'),
    )
    op.create_index(
        'ix_organization_members_org', 'organization_members', ['platform', 'organization']
    )

    # Slack's installation and OAuth-state tables, exactly as slack_sdk 3.x defines them (its
    # SQLAlchemy stores read and write them). Earlier releases let slack_sdk create them at
    # start, so a database may have them already: those are kept as they are.
    existing = set(sa.inspect(bind).get_table_names())
    if 'slack_installations' not in existing:
        op.create_table('slack_installations',
            *_app('enterprise_url'),
            *_bot(),
            _slack('user_id', 32, nullable=False),
            _slack('user_token', 200),
            _slack('user_scopes', 1000),
            _slack('user_refresh_token', 200),
            sa.Column('user_token_expires_at', sa.DateTime(), nullable=True),
            _slack('incoming_webhook_url', 200),
            _slack('incoming_webhook_channel', 200),
            _slack('incoming_webhook_channel_id', 200),
            _slack('incoming_webhook_configuration_url', 200),
            sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
            _slack('token_type', 32),
            sa.Column('installed_at', sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint('id', name='slack_installations_pkey'),
        )
        op.create_index(
            'slack_installations_idx',
            'slack_installations',
            ['client_id', 'enterprise_id', 'team_id', 'user_id', 'installed_at'],
        )
    if 'slack_bots' not in existing:
        op.create_table('slack_bots',
            *_app(),
            *_bot(),
            sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
            sa.Column('installed_at', sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint('id', name='slack_bots_pkey'),
        )
        op.create_index(
            'slack_bots_idx',
            'slack_bots',
            ['client_id', 'enterprise_id', 'team_id', 'installed_at'],
        )
    if 'slack_oauth_states' not in existing:
        op.create_table('slack_oauth_states',
            sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
            _slack('state', 200, nullable=False),
            sa.Column('expire_at', sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint('id', name='slack_oauth_states_pkey'),
        )


def _slack(name: str, length: int, *, nullable: bool = True) -> sa.Column:
    """A VARCHAR of slack_sdk's tables (most of them may be NULL there)."""
    return string(name, length, nullable=nullable)


def _app(*after_enterprise: str) -> list[sa.Column]:
    """The app and enterprise columns slack_sdk's installation and bot tables open with."""
    return [
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        _slack('client_id', 32, nullable=False),
        _slack('app_id', 32, nullable=False),
        _slack('enterprise_id', 32),
        _slack('enterprise_name', 200),
        *(_slack(name, 200) for name in after_enterprise),
    ]


def _bot() -> list[sa.Column]:
    """The workspace and bot token columns of slack_sdk's installation and bot tables."""
    return [
        _slack('team_id', 32),
        _slack('team_name', 200),
        _slack('bot_token', 200),
        _slack('bot_id', 32),
        _slack('bot_user_id', 32),
        _slack('bot_scopes', 1000),
        _slack('bot_refresh_token', 200),
        sa.Column('bot_token_expires_at', sa.DateTime(), nullable=True),
    ]


def downgrade() -> None:
    # Slack's tables stay: the release before this one creates and uses exactly these, and
    # dropping them would uninstall every workspace.
    op.drop_index('ix_organization_members_org', table_name='organization_members')
    op.drop_table('organization_members')
    if op.get_bind().dialect.name == 'postgresql':
        # Sealed values longer than 100 characters must be opened (no key) first.
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.String(100), existing_type=sa.Text())
