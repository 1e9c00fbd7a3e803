"""``bounceback slack``: run the adapter over HTTP or Socket Mode until cancelled."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Protocol

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.hosting import Lifecycle, Shared
from adapters.kept import redo_regularly
from adapters.ports import Handler
from adapters.rounds import regularly
from adapters.slack.app import SlackBot, build_app
from adapters.slack.config import ConfigurationError, SlackConfig
from adapters.slack.departures import CHECK_EVERY_SECONDS
from adapters.slack.home import ChartFiles
from adapters.slack.logs import bolt_logger, quiet_sdk_logs
from adapters.slack.oauth import oauth_stores
from adapters.slack.uninstall import Organizations
from bot.events import Sender
from bot.home_view import HomeView

log = logging.getLogger("bounceback.slack")


class Engine(Handler, Protocol):
    """The engine as ``serve`` wires it: events, a person's new Slack time zone, homes."""

    async def follow_zone(self, sender: Sender, now: dt.datetime) -> None:
        """Follow ``sender.timezone`` unless the person chose their own."""
        ...

    async def home(self, sender: Sender, now: dt.datetime) -> HomeView:
        """The member's home, for their Home tab."""
        ...


async def check_tokens(config: SlackConfig, session: aiohttp.ClientSession) -> str | None:
    """Ask Slack once whether it takes the configured tokens, before serving anything.

    A refused token is one :class:`ConfigurationError` naming it, instead of a server that
    says "listening" and then fails every request, or a Socket Mode client retrying forever.
    The bot token goes through ``auth.test``; the app token through ``apps.connections.open``,
    whose Socket Mode URL is returned for the first connection.
    """
    api = config.api_url
    calls: list[tuple[str, str, str]] = []
    if config.bot_token:
        calls.append(("SLACK_BOT_TOKEN", "auth.test", config.bot_token))
    if config.app_token:
        calls.append(("SLACK_APP_TOKEN", "apps.connections.open", config.app_token))
    url: str | None = None
    for name, method, token in calls:
        client = AsyncWebClient(token=token, base_url=api, session=session)
        try:
            if method == "auth.test":
                await client.auth_test()
            else:
                response = await client.apps_connections_open(app_token=token)
                url = str(response["url"])
        except SlackApiError as error:
            code = error.response.get("error", "error") if error.response else "error"
            raise ConfigurationError(
                f"Slack refused {name} ({code} from {method}): {_TOKEN_HELP[name]}"
            ) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise ConfigurationError(
                f"cannot reach Slack at {api} to check {name} ({type(error).__name__})"
            ) from None
    return url


_TOKEN_HELP = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-...) from your app's "
    "OAuth & Permissions page, and install the app to the workspace",
    "SLACK_APP_TOKEN": "create an app-level token (xapp-...) with the connections:write "
    "scope on your app's Basic Information page, and turn on Socket Mode",
}


async def serve(
    config: SlackConfig,
    *,
    engine: Engine,
    shared: Shared,
    lifecycle: Lifecycle | None = None,
    organizations: Organizations | None = None,
    db: AsyncEngine | None = None,
    chart_files: ChartFiles | None = None,
    port: int = 3000,
    host: str = "0.0.0.0",
    ready: asyncio.Event | None = None,
) -> None:
    """Run the Slack adapter until cancelled.

    Socket Mode when ``config`` has an app token, else HTTP mode (``/slack/events``) when it
    has a signing secret. The HTTP server on ``port`` always serves ``/healthz`` and, with a
    client id and secret, the OAuth install pages (Bolt's stores in ``db``). A workspace that
    uninstalls the app loses its data through ``shared``'s hook; ``organizations``
    remembers the workspaces of org-wide installs; ``chart_files`` each member's Home chart.
    The :class:`SlackMessenger` for scheduled check-ins goes to the ``lifecycle``'s
    dispatcher. ``ready`` is set once requests can arrive.

    When the ``lifecycle`` says stop, it stops taking requests, finishes the work it
    acknowledged (see :class:`~adapters.hosting.Lifecycle`), and keeps its HTTP session open
    for the deliveries still going out until it is cancelled.
    """
    lifecycle = lifecycle or Lifecycle()
    if not config.app_token and not config.signing_secret:
        raise ConfigurationError(
            "set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)"
        )
    quiet_sdk_logs()
    async with aiohttp.ClientSession() as session:
        socket_url = await check_tokens(config, session)
        installations = states = None
        if config.many_workspaces:
            if db is None:
                raise ConfigurationError("the OAuth install flow needs the database")
            installations, states = await oauth_stores(db, config.client_id)
        bot: SlackBot = build_app(
            engine,
            config,
            shared=shared,
            organizations=organizations,
            installation_store=installations,
            state_store=states,
            session=session,
            on_zone_changed=engine.follow_zone,
            home=engine.home,
            chart_files=chart_files,
        )
        if lifecycle.register_messenger is not None:
            lifecycle.register_messenger(bot.messenger)
        runner = web.AppRunner(bot.web_app(events=bool(config.signing_secret)), access_log=None)
        await runner.setup()
        socket: AsyncSocketModeHandler | None = None
        intake = True

        async def stop_intake() -> None:
            nonlocal intake
            if intake:
                intake = False
                if socket is not None:
                    await socket.close_async()  # type: ignore[no-untyped-call]
                await runner.cleanup()
                log.info("slack adapter stopped taking requests")

        try:
            await web.TCPSite(runner, host, port).start()
            if config.app_token:
                socket = AsyncSocketModeHandler(bot.bolt, config.app_token, logger=bolt_logger())
                socket.client.wss_uri = socket_url  # the URL the token check was given
                await socket.connect_async()  # type: ignore[no-untyped-call]
                log.info("slack adapter connected in Socket Mode; health on port %s", port)
            else:
                log.info("slack adapter listening on port %s", port)
            if ready is not None:
                ready.set()
            redoing = asyncio.ensure_future(redo_regularly(bot.redo_unfinished))
            checking = asyncio.ensure_future(
                regularly(bot.check_installs, CHECK_EVERY_SECONDS, "slack: checking installations")
            )
            try:
                await lifecycle.until_stopped()
            finally:
                redoing.cancel()
                checking.cancel()
            await stop_intake()
            await bot.aclose(config.shutdown_grace)
            lifecycle.set_drained()
            await asyncio.Event().wait()  # deliveries may still use the session: until cancelled
        finally:
            await stop_intake()
            await bot.aclose(config.shutdown_grace)
