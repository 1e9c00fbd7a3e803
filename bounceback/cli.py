"""The ``bounceback`` command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bounceback.bootstrap import open_services
from bounceback.settings import Settings
from storage.database import DatabaseURLError

log = logging.getLogger("bounceback")


def parser() -> argparse.ArgumentParser:
    """The command line's grammar."""
    root = argparse.ArgumentParser(
        prog="bounceback", description="A recovery companion for job seekers."
    )
    commands = root.add_subparsers(dest="command", required=True)
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--user", default=None, help="who you are (default: your login name)")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"], help="apply pending migrations")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run a ``bounceback`` command; returns the process exit status."""
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'setting'}: {e['msg']}" for e in error.errors()
        )
        print(f"bounceback: bad setting: {problems}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Migration chatter at every start helps nobody; failures still show.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return asyncio.run(_run(args, settings))
    except DatabaseURLError as error:
        print(f"bounceback: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        async with open_services(settings):
            print("database is up to date")
        return 0
    if args.command == "console":
        from adapters.console.chat import run_console

        user = args.user or _login_name()
        async with open_services(settings) as services:
            await run_console(services.engine, user)
        return 0
    return 2


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "you"
