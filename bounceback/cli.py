"""The ``bounceback`` command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
from collections.abc import Coroutine, Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, ValidationError

from bot.delivery_ports import Messenger
from bounceback.bootstrap import Services, open_services
from bounceback.forget import ForgetUsage, forget, target
from bounceback.settings import Settings
from bounceback.shutdown import Stopping
from storage.crypto import Cipher, CipherError
from storage.database import (
    DatabaseUnavailable,
    DatabaseURLError,
    create_engine,
    upgrade,
    wait_for,
)

if TYPE_CHECKING:
    from adapters.discord.config import DiscordConfig
    from adapters.hosting import Lifecycle
    from adapters.slack.config import SlackConfig

log = logging.getLogger("bounceback")

# How long ``schedule`` and ``db`` wait for an unreachable database before saying so.
ONE_SHOT_WAIT_SECONDS = 10.0


def parser() -> argparse.ArgumentParser:
    """The command line's grammar."""
    root = argparse.ArgumentParser(
        prog="bounceback", description="A recovery companion for job seekers."
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = root.add_subparsers(dest="command", required=True)
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--user", default=None, help="who you are (default: your login name)")
    run = commands.add_parser(
        "run", help="run every platform that has its settings (Slack, Discord) in one process"
    )
    run.add_argument("--port", type=int, default=3000, help="Slack HTTP port (default 3000)")
    commands.add_parser("discord", help="run the Discord bot (needs DISCORD_TOKEN)")
    slack = commands.add_parser(
        "slack",
        help="run the Slack bot (SLACK_SIGNING_SECRET for HTTP, SLACK_APP_TOKEN for Socket Mode)",
    )
    slack.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    schedule = commands.add_parser("schedule", help="list planned check-ins in local time")
    schedule.add_argument("--user", default=None, help="only this person (their platform user id)")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument(
        "action",
        choices=["upgrade", "new-key", "rotate-key", "forget"],
        help="upgrade: apply pending migrations; new-key: print a fresh encryption key; "
        "rotate-key: re-encrypt stored text with the first BOUNCEBACK_ENCRYPTION_KEY; "
        "forget PLATFORM COMMUNITY: erase a community's data (with --yes)",
    )
    db.add_argument("target", nargs="*", help=argparse.SUPPRESS)
    db.add_argument("--yes", action="store_true", help="forget: erase, not only say what")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run a ``bounceback`` command; returns the process exit status."""
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'setting'}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        print(f"bounceback: bad setting: {problems}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Library chatter (migrations, scheduler ticks) helps nobody; their failures still show.
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # These log SQL and its parameters, and parameters hold what people write.
    for talkative in ("aiosqlite", "sqlalchemy.engine", "asyncpg"):
        logging.getLogger(talkative).setLevel(logging.WARNING)
    if args.command == "console" and "BOUNCEBACK_LOG_LEVEL" not in os.environ:
        # The terminal is a chat here: keep routine logs out of the conversation.
        logging.getLogger().setLevel(logging.WARNING)
    try:
        status = asyncio.run(_run(args, settings))
        sys.stdout.flush()  # here, where a closed pipe is caught, rather than at exit
        return status
    except (DatabaseURLError, CipherError) as error:
        print(f"bounceback: {error}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as error:
        print(f"bounceback: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)  # the shell's prompt starts on a line of its own after ^C
        return 130
    except BrokenPipeError:
        # The reader stopped reading (``bounceback schedule | head``): nothing to report. The
        # output still buffered must not fail again at exit, so it goes nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db" and (args.target or args.yes) and args.action != "forget":
        print(f"bounceback: db {args.action} takes no more arguments", file=sys.stderr)
        return 2
    if args.command == "db" and args.action == "forget":
        try:
            platform, community = target(args.target)
        except ForgetUsage as error:
            print(f"bounceback: {error}", file=sys.stderr)
            return 2
    if args.command == "schedule" or (args.command == "db" and args.action != "new-key"):
        # A one-shot command says the database is away, after a short wait, rather than
        # waiting for it as long as a server would.
        await _database_answers(settings, ONE_SHOT_WAIT_SECONDS)
    if args.command == "db":
        if args.action == "new-key":
            print(Cipher.new_key())
            return 0
        await _migrate(settings)
        if args.action == "forget":
            return await forget(settings, platform, community, yes=args.yes)
        if args.action == "rotate-key":
            async with open_services(settings, migrate=False) as services:
                changed = await services.store.reseal(_resealed)
            print(f"re-encrypted {changed} stored text value(s)")
        return 0
    if args.command == "console":
        return await _console(settings, args.user or _login_name())
    if args.command == "schedule":
        return await _schedule(settings, args.user)
    if args.command == "discord":
        return await _discord(settings)
    if args.command == "slack":
        return await _slack(settings, args.port)
    if args.command == "run":
        return await _run_all(settings, args.port)
    return 2


def _say(line: str) -> None:
    """One line of an administrative command's progress, shown at once."""
    print(line, flush=True)


async def _migrate(settings: Settings) -> None:
    """Apply pending migrations, saying each one as it is done (a first upgrade of a large
    database takes a while)."""
    db = create_engine(settings.database_url)
    try:
        applied = await upgrade(db, _say)
    finally:
        await db.dispose()
    _say("database is up to date" if not applied else f"database upgraded ({applied} step(s))")


def _resealed(table: str, done: int, rows: int) -> None:
    _say(f"re-encrypting {table}: {done} of {rows} row(s)")


async def _console(settings: Settings, user: str) -> int:
    from bounceback.console_session import chat

    return await chat(settings, user)


def _slack_configured(settings: Settings) -> bool:
    return bool(settings.slack_signing_secret or settings.slack_app_token)


async def _discord(settings: Settings) -> int:
    if settings.discord_token is None:
        print("bounceback: set DISCORD_TOKEN to run the Discord bot", file=sys.stderr)
        return 2
    return await _serve(settings, slack_port=None, discord=True)


async def _slack(settings: Settings, port: int) -> int:
    if not _slack_configured(settings):
        print(
            "bounceback: set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)",
            file=sys.stderr,
        )
        return 2
    return await _serve(settings, slack_port=port, discord=False)


async def _run_all(settings: Settings, port: int) -> int:
    """Every configured platform side by side around one engine and one database pool."""
    slack = _slack_configured(settings)
    discord = settings.discord_token is not None
    if not (slack or discord):
        print("bounceback: no platform is configured (see .env.example)", file=sys.stderr)
        return 2
    return await _serve(settings, slack_port=port if slack else None, discord=discord)


async def _serve(settings: Settings, *, slack_port: int | None, discord: bool) -> int:
    """The adapters asked for, with one check-in clock and one dispatcher delivering through
    every adapter's messenger, until SIGTERM or SIGINT (then drained, exit 0)."""
    from adapters.hosting import Lifecycle
    from bounceback.shutdown import serve_until_stopped, stop_on_signals

    stopping = Stopping()
    async with open_services(settings) as services:
        with stop_on_signals(stopping.requested):
            messengers: dict[str, Messenger] = {}

            def register(messenger: Messenger) -> None:
                messengers[messenger.platform] = messenger

            def lifecycle() -> Lifecycle:
                # Each adapter says on an event of its own that its work is finished.
                return Lifecycle(register, stopping.requested, stopping.drained_event())

            adapters: list[Coroutine[Any, Any, int]] = []
            if slack_port is not None:
                from adapters.slack.config import ConfigurationError

                slack = serve_slack(services, slack_port, lifecycle())
                adapters.append(_until_done(slack, ConfigurationError))
            if discord:
                from adapters.discord.client import LoginRefused

                gateway = serve_discord(services, lifecycle())
                adapters.append(_until_done(gateway, LoginRefused))
            clock = services.clock(messengers)
            grace = settings.shutdown_grace_seconds
            return await serve_until_stopped(adapters, clock, stopping, grace)


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def slack_config(settings: Settings) -> SlackConfig:
    """What the Slack adapter needs of the settings, and nothing of the other platforms'."""
    from adapters.slack.config import SlackConfig  # imported only when Slack runs

    return SlackConfig(
        bot_token=_secret(settings.slack_bot_token),
        signing_secret=_secret(settings.slack_signing_secret),
        app_token=_secret(settings.slack_app_token),
        client_id=settings.slack_client_id or "",
        client_secret=_secret(settings.slack_client_secret),
        api_url=settings.slack_api_url,
        admins=settings.slack_admins,
        shutdown_grace=settings.shutdown_grace_seconds,
    )


def discord_config(settings: Settings) -> DiscordConfig:
    """What the Discord adapter needs of the settings, and nothing of the other platforms'."""
    from adapters.discord.config import DiscordConfig  # imported only when Discord runs

    return DiscordConfig(
        token=_secret(settings.discord_token),
        api_url=settings.discord_api_url,
        guild_id=settings.discord_guild_id,
        shard_count=settings.discord_shard_count,
        default_timezone=settings.timezone,
        shutdown_grace=settings.shutdown_grace_seconds,
    )


def serve_discord(
    services: Services, lifecycle: Lifecycle | None = None
) -> Coroutine[Any, Any, None]:
    """The Discord adapter wired to ``services``, to run until cancelled (see its ``serve``)."""
    from adapters.discord import serve
    from bot.reach import Reach

    return serve(
        discord_config(services.settings),
        engine=services.engine,
        reach=Reach(services.store, services.settings.timezone),
        shared=services.shared,
        lifecycle=lifecycle,
        store=services.store,
    )


def serve_slack(
    services: Services, port: int, lifecycle: Lifecycle | None = None
) -> Coroutine[Any, Any, None]:
    """The Slack adapter wired to ``services``, to run until cancelled (see its ``serve``)."""
    from adapters.slack.server import serve
    from storage.home_charts import SqlChartFiles
    from storage.organizations import SqlOrganizations

    return serve(
        slack_config(services.settings),
        engine=services.engine,
        shared=services.shared,
        lifecycle=lifecycle,
        organizations=SqlOrganizations(services.db),
        db=services.db,
        chart_files=SqlChartFiles(services.db),
        port=port,
    )


async def _until_done(serving: Coroutine[Any, Any, None], refused: type[Exception]) -> int:
    """Run one adapter; settings its platform refuses end in one line and exit status 2."""
    try:
        await serving
    except refused as error:
        print(f"bounceback: {error}", file=sys.stderr)
        return 2
    return 0


async def _schedule(settings: Settings, user: str | None) -> int:
    from bounceback.schedule_report import print_schedule

    async with open_services(settings) as services:
        await print_schedule(services.db, user, sys.stdout, services.cipher)
    return 0


async def _database_answers(settings: Settings, seconds: float) -> None:
    db = create_engine(settings.database_url)
    try:
        await wait_for(db, give_up_after=seconds)
    finally:
        await db.dispose()


def _version() -> str:
    try:
        return metadata.version("bounceback")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "you"
