"""Fixtures for the Discord adapter: a fake Discord on loopback and a client logged in to it.

Interactions are fed the way the gateway feeds them: the raw INTERACTION_CREATE payload goes
to the client's connection state, which builds the ``discord.Interaction`` and dispatches it
through the command tree, the persistent views or ``on_interaction``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # discord.py imports the stdlib's deprecated ``audioop`` (for voice, unused here) and the
    # suite turns warnings into errors. The project's pytest config should ignore it instead:
    # filterwarnings = ["error", "ignore:'audioop' is deprecated:DeprecationWarning"]
    warnings.simplefilter("ignore", DeprecationWarning)
    import discord  # noqa: F401
from discord.http import Route

from adapters.discord.client import BouncebackClient, ShardedBouncebackClient, build_client
from bot.content import Content
from bot.engine import CommandInfo, Engine
from bot.events import Event
from bot.reach import Reach
from bot.replies import Reply
from bounceback.bootstrap import Services, open_services
from bounceback.cli import discord_config, serve_discord
from bounceback.settings import Settings
from tests.discord.fake_discord import FakeDiscord
from tests.fakes import MemoryStore

NOW = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
TOKEN = "test-token-not-secret"

Client = BouncebackClient | ShardedBouncebackClient


@dataclass
class FakeHandler:
    """Stands in for the engine: records events, answers with what the test scripted."""

    content: Content
    commands: Sequence[CommandInfo]
    events: list[Event] = field(default_factory=list)
    answer: Callable[[Event], list[Reply]] = lambda event: [Reply(text="ok")]
    gate: asyncio.Event | None = None  # when set, handle() waits for it (a slow engine)

    async def handle(self, event: Event, now: dt.datetime) -> list[Reply]:
        self.events.append(event)
        if self.gate is not None:
            await self.gate.wait()
        return self.answer(event)


@dataclass
class Dedupe:
    """An in-memory ``EventLog.first_time``."""

    seen: set[str] = field(default_factory=set)

    async def first_time(self, key: str, now: dt.datetime) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    async def __call__(self, key: str, now: dt.datetime) -> bool:
        return await self.first_time(key, now)


@pytest.fixture(autouse=True)
def _restore_process_wide_state() -> Iterator[None]:
    """The REST base and the library's log level are process-wide: put them back."""
    base, level = Route.BASE, logging.getLogger("discord").level
    yield
    Route.BASE = base
    logging.getLogger("discord").setLevel(level)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord API listening on loopback."""
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
def settings(fake: FakeDiscord) -> Settings:
    """Settings pointing the adapter at the fake."""
    return Settings.from_mapping(
        {"DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": fake.base_url, "BOUNCEBACK_TIMEZONE": "UTC"}
    )


@pytest.fixture
def handler(content: Content) -> FakeHandler:
    """A scripted engine with the real engine's command list."""
    commands = Engine(MemoryStore(), content).commands
    return FakeHandler(content=content, commands=commands)


@pytest.fixture
def people() -> MemoryStore:
    """The in-memory store, for ``person`` and ``set_unreachable``."""
    return MemoryStore()


@pytest.fixture
def dedupe() -> Dedupe:
    """A fresh dedupe log."""
    return Dedupe()


@pytest.fixture
async def services(tmp_path: Path, fake: FakeDiscord) -> AsyncIterator[Services]:
    """The real composition root on a fresh SQLite file, pointed at the fake."""
    settings = Settings.from_mapping(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_API_URL": fake.base_url,
            "BOUNCEBACK_TIMEZONE": "UTC",
        }
    )
    async with open_services(settings) as opened:
        yield opened


async def start(services: Services, clock: Callable[[], dt.datetime] = lambda: NOW) -> Client:
    """A client around the real engine and store, logged in to the fake (close it after)."""
    client = build_client(
        handler=services.engine,
        reach=Reach(services.store, services.settings.timezone),
        config=discord_config(services.settings),
        clock=clock,
        dedupe=services.events,
        ack_budget=5.0,
        memos=services.store,
    )
    return await logged_in(client)


@contextlib.asynccontextmanager
async def started(services: Services) -> AsyncIterator[Client]:
    """A client around the real engine and store, logged in to the fake, closed after."""
    client = await start(services)
    try:
        yield client
    finally:
        await client.close()


async def logged_in(client: Client) -> Client:
    """Log in against the fake: fetches the bot user and app, then runs ``setup_hook``."""
    await client.login(TOKEN)
    return client


MakeClient = Callable[..., Awaitable[Client]]


@pytest.fixture
async def make_client(
    handler: FakeHandler, people: MemoryStore, settings: Settings, dedupe: Dedupe
) -> AsyncIterator[MakeClient]:
    """Builds clients logged in to the fake (commands synced, buttons registered), no gateway;
    keyword arguments override ``build_client``'s. All are closed at the end."""
    made: list[Client] = []

    async def make(**overrides: Any) -> Client:
        options: dict[str, Any] = {
            "handler": handler, "reach": Reach(people), "config": discord_config(settings),
            "clock": lambda: NOW, "dedupe": dedupe, "ack_budget": 5.0,
        }  # fmt: skip
        built = build_client(**(options | overrides))
        made.append(built)
        return await logged_in(built)

    try:
        yield make
    finally:
        for built in made:
            await built.close()


@pytest.fixture
async def client(make_client: MakeClient) -> Client:
    """One client logged in to the fake."""
    return await make_client()


_OURS = ("CommandTree-invoker", "discord-ui-", "discord.py: ")


@contextlib.asynccontextmanager
async def running(services: Services, fake: FakeDiscord) -> AsyncIterator[None]:
    """``bounceback discord`` (without check-ins) on ``services``, connected to the fake
    gateway until the block ends."""
    task = asyncio.create_task(serve_discord(services))
    try:
        await fake.wait_for(lambda f: len(f.gateways) == 1)
        yield
        await drain()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def drain() -> None:
    """Wait until every task discord.py started for an event has finished (no sleeping)."""
    while True:
        tasks = [
            task
            for task in asyncio.all_tasks()
            if not task.done() and task.get_name().startswith(_OURS)
        ]
        if not tasks:
            return
        await asyncio.wait(tasks, timeout=5.0)


async def interact(client: Client, payload: dict[str, Any]) -> None:
    """Deliver an INTERACTION_CREATE as the gateway would, and wait for its handling."""
    client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    await drain()


async def message_in_dm(client: Client, payload: dict[str, Any]) -> None:
    """Deliver a MESSAGE_CREATE as the gateway would, and wait for its handling."""
    client._connection.parse_message_create(payload)  # type: ignore[arg-type]
    await drain()
