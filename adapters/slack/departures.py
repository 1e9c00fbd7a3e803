"""Workspaces that removed the app while Bounceback was down.

Slack says an app was uninstalled once (``app_uninstalled``, ``tokens_revoked``), retrying
for a few minutes; an outage longer than that misses it, and the workspace's data would stay.
So each installed bot token is asked, when the adapter starts and then every few hours,
whether it still works (``auth.test``). Slack's ``token_revoked`` or ``account_inactive`` is
the same news as the event, and the workspace (or the organization, for an org-wide install)
goes as it would have then. Any other failure changes nothing: ``invalid_auth`` may be a
token damaged in storage, and a network error is only that.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.outbox import api_error_code
from adapters.slack.uninstall import Uninstall

log = logging.getLogger("bounceback.slack")

# Slack's answers meaning the app is gone from the token's workspace or organization.
GONE = frozenset({"token_revoked", "account_inactive"})
# Seconds between two rounds of checks (the first runs at start).
CHECK_EVERY_SECONDS = 6 * 3600.0


@dataclass(frozen=True, slots=True)
class InstalledBot:
    """The latest bot token of one installation: a workspace's, or an organization's."""

    enterprise_id: str | None
    team_id: str | None
    token: str
    org_wide: bool


async def installed_bots(store: AsyncSQLAlchemyInstallationStore) -> list[InstalledBot]:
    """Each installation's latest bot in Bolt's store (an install saved again keeps its old
    rows: only the newest token counts)."""
    bots = store.bots
    query = (
        select(bots.c.enterprise_id, bots.c.team_id, bots.c.bot_token, bots.c.is_enterprise_install)
        .where(bots.c.client_id == store.client_id)
        .order_by(bots.c.installed_at.desc(), bots.c.id.desc())
    )
    async with store.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    found: dict[tuple[str | None, str | None], InstalledBot] = {}
    for enterprise, team, token, org_wide in rows:
        if token and (enterprise, team) not in found:
            found[enterprise, team] = InstalledBot(enterprise, team, token, bool(org_wide))
    return list(found.values())


async def check(
    bots: Sequence[InstalledBot],
    auth_test: Callable[[str], Awaitable[object]],
    uninstall: Uninstall,
) -> int:
    """Ask Slack about each bot's token (``auth_test``); erase the installations it says are
    gone, as their uninstall would have. How many went."""
    gone = 0
    for bot in bots:
        try:
            await auth_test(bot.token)
            continue
        except SlackApiError as error:
            code = api_error_code(error)
        except (aiohttp.ClientError, TimeoutError, SlackRequestError) as error:
            log.warning("slack: checking an installation failed: %s", type(error).__name__)
            continue
        where = bot.team_id or bot.enterprise_id or "?"
        if code not in GONE:
            log.warning("slack: the bot token of %s did not check out (%s)", where, code)
            continue
        log.info("slack: the app left %s while Bounceback was down (%s)", where, code)
        try:
            await uninstall.gone(bot.enterprise_id, bot.team_id, org_wide=bot.org_wide)
        except Exception as error:  # noted first: the check-in clock finishes the erasure
            log.warning("slack: erasing %s failed: %s", where, type(error).__name__)
            continue
        gone += 1
    return gone


async def check_installs(uninstall: Uninstall, client: Callable[[str], AsyncWebClient]) -> int:
    """:func:`check` every installation in ``uninstall``'s store, asking Slack through
    ``client`` (a Web API client for a token); how many went."""
    store = uninstall.installation_store
    if not isinstance(store, AsyncSQLAlchemyInstallationStore):
        return 0  # one workspace, its token in the config: nothing installed to check

    async def auth_test(token: str) -> object:
        return await client(token).auth_test()

    return await check(await installed_bots(store), auth_test, uninstall)
