"""``bounceback slack``: run the adapter over HTTP or Socket Mode until cancelled."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, MutableMapping
from typing import Any, Protocol

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.app import (
    CommunityRemoved,
    ConfigurationError,
    Dedupe,
    Handler,
    SlackBot,
    build_app,
)
from adapters.slack.logs import RedactPayloads, bolt_logger
from bot.ports import Messenger
from bounceback.settings import Settings

log = logging.getLogger("bounceback.slack")

# How long an OAuth "state" stays valid between /slack/install and the redirect back.
STATE_EXPIRATION_SECONDS = 600
# On shutdown, how long after-ack work may take to finish before it is cancelled.
SHUTDOWN_GRACE_SECONDS = 10.0


class Services(Protocol):
    """What ``serve`` uses from ``bounceback.bootstrap.open_services``."""

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> AsyncEngine: ...

    @property
    def engine(self) -> Handler: ...

    @property
    def events(self) -> Dedupe: ...


def utc_now() -> dt.datetime:
    """The real clock, timezone-aware."""
    return dt.datetime.now(dt.UTC)


def _removal_hook(services: Any) -> CommunityRemoved:
    """The storage's "delete this community" function (``services.store.delete_community``)."""
    for owner in (getattr(services, "store", None), services):
        for name in ("delete_community", "on_community_removed"):
            hook = getattr(owner, name, None)
            if callable(hook):
                return hook  # type: ignore[no-any-return]

    async def missing(platform: str, community: str) -> None:
        log.error(
            "no community-removal hook is wired; %s workspace %s data was NOT deleted",
            platform,
            community,
        )

    return missing


async def oauth_stores(
    db: AsyncEngine, client_id: str
) -> tuple[AsyncSQLAlchemyInstallationStore, AsyncSQLAlchemyOAuthStateStore]:
    """Bolt's installation and OAuth-state stores in the project's own database.

    Their tables are created if missing; with several instances starting at once, a
    concurrent creation is harmless (the tables exist either way).
    """
    installations = AsyncSQLAlchemyInstallationStore(
        client_id=client_id, engine=db, logger=bolt_logger()
    )
    states = AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=db, logger=bolt_logger()
    )
    for store in (installations, states):
        try:
            await store.create_tables()  # type: ignore[no-untyped-call]
        except SQLAlchemyError as error:
            log.warning(
                "slack oauth tables not created (%s); assuming another instance did",
                type(error).__name__,
            )
    return installations, states


def _quiet_sdk_logs() -> None:
    # slack_sdk's socket-mode and web clients log payloads at DEBUG; keep them out of INFO logs
    # and scrub whatever reaches WARNING.
    for name in ("slack_sdk", "slack_bolt"):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactPayloads) for existing in logger.filters):
            logger.addFilter(RedactPayloads())
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


def _register_messenger(services: Any, messenger: Messenger) -> None:
    """Hand the messenger to the check-in scheduler, wherever bootstrap expects it."""
    register = getattr(services, "register_messenger", None)
    messengers = getattr(services, "messengers", None)
    if callable(register):
        register(messenger)
    elif isinstance(messengers, MutableMapping):
        messengers[messenger.platform] = messenger
    else:
        log.warning(
            "no messenger registry on services; scheduled Slack check-ins cannot be delivered"
        )


async def serve(
    services: Services,
    *,
    port: int = 3000,
    host: str = "0.0.0.0",
    on_community_removed: CommunityRemoved | None = None,
    register_messenger: Callable[[Messenger], None] | None = None,
    ready: asyncio.Event | None = None,
) -> None:
    """Run the Slack adapter until cancelled.

    Socket Mode when ``SLACK_APP_TOKEN`` is set, else HTTP mode (``/slack/events``) when
    ``SLACK_SIGNING_SECRET`` is. The HTTP server on ``port`` always serves ``/healthz`` and,
    with ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``, the OAuth install pages. The
    :class:`SlackMessenger` for scheduled check-ins goes to ``register_messenger`` (default:
    ``services.register_messenger`` or ``services.messengers``). ``ready`` is set once
    requests can arrive.
    """
    settings = services.settings
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    if not app_token and not settings.slack_signing_secret:
        raise ConfigurationError(
            "set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)"
        )
    _quiet_sdk_logs()
    async with aiohttp.ClientSession() as session:
        installations = states = None
        if settings.slack_client_id and settings.slack_client_secret:
            installations, states = await oauth_stores(services.db, settings.slack_client_id)
        bot: SlackBot = build_app(
            services.engine,
            settings,
            dedupe=services.events,
            clock=utc_now,
            on_community_removed=on_community_removed or _removal_hook(services),
            installation_store=installations,
            state_store=states,
            session=session,
        )
        if register_messenger is not None:
            register_messenger(bot.messenger)
        else:
            _register_messenger(services, bot.messenger)
        runner = web.AppRunner(
            bot.web_app(events=bool(settings.slack_signing_secret)), access_log=None
        )
        await runner.setup()
        socket: AsyncSocketModeHandler | None = None
        try:
            await web.TCPSite(runner, host, port).start()
            if app_token:
                socket = AsyncSocketModeHandler(bot.bolt, app_token, logger=bolt_logger())
                await socket.connect_async()  # type: ignore[no-untyped-call]
                log.info("slack adapter connected in Socket Mode; health on port %s", port)
            else:
                log.info("slack adapter listening on port %s", port)
            if ready is not None:
                ready.set()
            await asyncio.Event().wait()  # until cancelled
        finally:
            if socket is not None:
                await socket.close_async()  # type: ignore[no-untyped-call]
            await runner.cleanup()
            await bot.aclose(SHUTDOWN_GRACE_SECONDS)
