"""Installing the app: one workspace with a bot token, or many through Slack's OAuth flow.

Bolt runs the flow (its install and redirect pages, its installation and state stores); this
module only says which, with what scopes, and finds a workspace's bot token afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.config import ConfigurationError, SlackConfig
from adapters.slack.logs import bolt_logger

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# How long an OAuth "state" stays valid between /slack/install and the redirect back.
STATE_EXPIRATION_SECONDS = 600

# The least the bot needs: slash commands, posting, sharing a person's data export with them
# and uploading their Home tab's chart, shared into their DM alone (files:write), opening DMs and
# reading what people write in them (message.im); for the
# weekly brag thread, posting in the public channel an admin chose without being invited to it
# (chat:write.public), a celebration emoji on shared wins (reactions:write) and telling
# workspace admins from other members (users:read). app_uninstalled and tokens_revoked need
# no scope.
BOT_SCOPES = (
    "chat:write",
    "chat:write.public",
    "commands",
    "files:write",
    "im:history",
    "im:write",
    "mpim:write",
    "reactions:write",
    "users:read",
)

# A workspace's bot token, None once the app left it.
TokenLookup = Callable[[str], Awaitable[str | None]]


def oauth_settings(
    config: SlackConfig,
    installation_store: AsyncInstallationStore | None,
    state_store: AsyncOAuthStateStore | None,
) -> AsyncOAuthSettings | None:
    """Bolt's OAuth settings for many workspaces; None for one workspace's bot token."""
    if not config.many_workspaces:
        if not config.bot_token:
            raise ConfigurationError(
                "set SLACK_BOT_TOKEN (one workspace) "
                "or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (many)"
            )
        return None
    if installation_store is None or state_store is None:
        raise ConfigurationError(
            "the OAuth install flow needs an installation store and a state store"
        )
    return AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installation_store,
        state_store=state_store,
        logger=bolt_logger(),
    )


def token_lookup(
    config: SlackConfig, installation_store: AsyncInstallationStore | None
) -> TokenLookup:
    """How to find a workspace's bot token: the installation store's, else the one token."""
    store = installation_store
    if store is None or not config.client_id:
        token = config.bot_token

        async def single(team_id: str) -> str | None:
            return token or None

        return single

    async def installed(team_id: str) -> str | None:
        bot = await store.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None else None

    return installed


async def oauth_stores(
    db: AsyncEngine, client_id: str
) -> tuple[AsyncSQLAlchemyInstallationStore, AsyncSQLAlchemyOAuthStateStore]:
    """Bolt's installation and OAuth-state stores in the project's own database.

    Their tables come from Bounceback's migrations (0005), like every other table, so
    instances starting together never race to create them.
    """
    installations = AsyncSQLAlchemyInstallationStore(
        client_id=client_id, engine=db, logger=bolt_logger()
    )
    states = AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=db, logger=bolt_logger()
    )
    return installations, states
