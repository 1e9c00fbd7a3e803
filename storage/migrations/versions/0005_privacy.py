"""privacy: room for sealed names, organization members, Slack's OAuth tables

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('community', sa.String(length=64), nullable=False),
    sa.Column('organization', sa.String(length=64), nullable=False),
    sa.Column('seen_at', storage.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'community', name=op.f('pk_organization_members'))
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
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.String(length=32), nullable=False),
        sa.Column('app_id', sa.String(length=32), nullable=False),
        sa.Column('enterprise_id', sa.String(length=32), nullable=True),
        sa.Column('enterprise_name', sa.String(length=200), nullable=True),
        sa.Column('enterprise_url', sa.String(length=200), nullable=True),
        sa.Column('team_id', sa.String(length=32), nullable=True),
        sa.Column('team_name', sa.String(length=200), nullable=True),
        sa.Column('bot_token', sa.String(length=200), nullable=True),
        sa.Column('bot_id', sa.String(length=32), nullable=True),
        sa.Column('bot_user_id', sa.String(length=32), nullable=True),
        sa.Column('bot_scopes', sa.String(length=1000), nullable=True),
        sa.Column('bot_refresh_token', sa.String(length=200), nullable=True),
        sa.Column('bot_token_expires_at', sa.DateTime(), nullable=True),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('user_token', sa.String(length=200), nullable=True),
        sa.Column('user_scopes', sa.String(length=1000), nullable=True),
        sa.Column('user_refresh_token', sa.String(length=200), nullable=True),
        sa.Column('user_token_expires_at', sa.DateTime(), nullable=True),
        sa.Column('incoming_webhook_url', sa.String(length=200), nullable=True),
        sa.Column('incoming_webhook_channel', sa.String(length=200), nullable=True),
        sa.Column('incoming_webhook_channel_id', sa.String(length=200), nullable=True),
        sa.Column('incoming_webhook_configuration_url', sa.String(length=200), nullable=True),
        sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
        sa.Column('token_type', sa.String(length=32), nullable=True),
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
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.String(length=32), nullable=False),
        sa.Column('app_id', sa.String(length=32), nullable=False),
        sa.Column('enterprise_id', sa.String(length=32), nullable=True),
        sa.Column('enterprise_name', sa.String(length=200), nullable=True),
        sa.Column('team_id', sa.String(length=32), nullable=True),
        sa.Column('team_name', sa.String(length=200), nullable=True),
        sa.Column('bot_token', sa.String(length=200), nullable=True),
        sa.Column('bot_id', sa.String(length=32), nullable=True),
        sa.Column('bot_user_id', sa.String(length=32), nullable=True),
        sa.Column('bot_scopes', sa.String(length=1000), nullable=True),
        sa.Column('bot_refresh_token', sa.String(length=200), nullable=True),
        sa.Column('bot_token_expires_at', sa.DateTime(), nullable=True),
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
        sa.Column('state', sa.String(length=200), nullable=False),
        sa.Column('expire_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='slack_oauth_states_pkey'),
        )


def downgrade() -> None:
    # Slack's tables stay: the release before this one creates and uses exactly these, and
    # dropping them would uninstall every workspace.
    op.drop_index('ix_organization_members_org', table_name='organization_members')
    op.drop_table('organization_members')
    if op.get_bind().dialect.name == 'postgresql':
        # Sealed values longer than 100 characters must be opened (no key) first.
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.String(100), existing_type=sa.Text())
