"""``serve`` and sharding over a real websocket: the fake Discord also plays the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.discord import build_client, serve
from adapters.discord import client as discord_client
from adapters.hosting import Lifecycle, Shared
from adapters.kept import Inbox
from bot.delivery_ports import Messenger
from bot.events import Event, Sender
from bot.reach import Reach
from bot.replies import Reply
from bounceback.cli import discord_config
from bounceback.settings import Settings
from storage.crypto import Cipher
from storage.inbox import SqlInbox
from tests.discord.conftest import NOW, TOKEN, Dedupe, FakeHandler, drain
from tests.discord.fake_discord import GUILD_ID, OTHER_GUILD_ID, USER_ID, FakeDiscord
from tests.discord.payloads import dm_message, guild_create, guild_delete, slash
from tests.fakes import MemoryStore

GUILDS, DM_MESSAGES, MESSAGE_CONTENT = 1 << 0, 1 << 12, 1 << 15


@pytest.fixture(autouse=True)
def _gateway_is_the_fake(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py connects to ``DEFAULT_GATEWAY`` (Discord's): point it at the fake."""
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.ws_url))


async def _nothing_to_delete(platform: str, community: str) -> None:
    """No storage behind these fakes: a removed server has no data to delete."""


@dataclass
class FakeServices:
    settings: Settings
    store: MemoryStore
    engine: FakeHandler
    events: Dedupe
    removal: Callable[[str, str], Awaitable[object]] = _nothing_to_delete

    def serve(
        self, lifecycle: Lifecycle | None = None, inbox: Inbox | None = None
    ) -> Coroutine[Any, Any, None]:
        """``serve`` wired to these fakes the way the composition root wires the real ones."""
        return serve(
            discord_config(self.settings),
            engine=self.engine,
            reach=Reach(self.store),
            shared=Shared(dedupe=self.events, on_community_removed=self.removal, inbox=inbox),
            lifecycle=lifecycle,
        )


class RemovalStore(MemoryStore):
    """The in-memory store plus ``delete_community``, recording each call as it starts."""

    def __init__(self) -> None:
        super().__init__()
        self.removed: list[tuple[str, str]] = []
        self.changed = asyncio.Condition()

    async def delete_community(self, platform: str, community: str) -> int:
        async with self.changed:
            self.removed.append((platform, community))
            self.changed.notify_all()
        return 1

    async def wait_for_removals(self, count: int) -> None:
        """Until ``count`` removals were asked for; a 5-second safety limit, not a sleep."""
        async with asyncio.timeout(5.0), self.changed:
            await self.changed.wait_for(lambda: len(self.removed) >= count)


@contextlib.asynccontextmanager
async def connected(
    fake: FakeDiscord, serving: Coroutine[Any, Any, None]
) -> AsyncIterator[asyncio.Task[None]]:
    """``serving`` running until the block ends, its gateway connected at the block's start."""
    running = asyncio.create_task(serving)
    try:
        await fake.wait_for(lambda f: len(f.gateways) == 1)
        yield running
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def test_serve_answers_interactions_from_the_gateway(
    fake: FakeDiscord, settings: Settings, handler: FakeHandler, people: MemoryStore
) -> None:
    async with connected(fake, FakeServices(settings, people, handler, Dedupe()).serve()):
        [gateway] = fake.gateways
        intents = gateway.identify["intents"]
        assert intents == GUILDS | DM_MESSAGES
        assert not intents & MESSAGE_CONTENT  # no privileged intent
        await fake.dispatch("INTERACTION_CREATE", slash("help"))
        await fake.wait_for(lambda f: bool(f.callbacks()))
    assert fake.callbacks()[0]["data"]["content"] == "ok"
    assert handler.events[0].sender.community.isdigit()
    assert logging.getLogger("discord").getEffectiveLevel() >= logging.INFO


async def test_one_gateway_connection_per_shard(
    fake: FakeDiscord, settings: Settings, handler: FakeHandler, people: MemoryStore
) -> None:
    sharded = settings.model_copy(update={"discord_shard_count": 2})
    client = build_client(
        handler=handler,
        reach=Reach(people),
        config=discord_config(sharded),
        clock=lambda: NOW,
        identify_interval=0.0,
    )
    running = asyncio.create_task(client.start(TOKEN))
    try:
        await fake.wait_for(lambda f: len(f.gateways) == 2)
        assert sorted(g.shard or [] for g in fake.gateways) == [[0, 2], [1, 2]]
        await fake.dispatch("INTERACTION_CREATE", slash("progress"), shard=1)
        await fake.wait_for(lambda f: bool(f.callbacks()))
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await client.close()
    assert len(fake.gateways) == 2
    assert len(fake.callbacks()) == 1


async def test_serve_hands_over_a_messenger_sending_through_its_own_client(
    fake: FakeDiscord, settings: Settings, handler: FakeHandler, people: MemoryStore
) -> None:
    messengers: list[Messenger] = []
    services = FakeServices(settings, people, handler, Dedupe())
    async with connected(fake, services.serve(Lifecycle(register_messenger=messengers.append))):
        [messenger] = messengers
        assert messenger.platform == "discord"
        ada = Sender("discord", str(GUILD_ID), str(USER_ID), "Ada")
        await messenger.deliver(ada, [Reply(text="How are you?")], "bb-1")
    assert [p["content"] for p in fake.channel_posts()] == ["How are you?"]
    await fake.wait_for(lambda f: f.gateways[0].socket.closed)


async def test_a_server_that_removes_the_bot_loses_its_data_but_an_outage_does_not(
    fake: FakeDiscord, settings: Settings, handler: FakeHandler
) -> None:
    store = RemovalStore()
    services = FakeServices(settings, store, handler, Dedupe(), store.delete_community)
    async with connected(fake, services.serve()):
        for guild_id in (GUILD_ID, OTHER_GUILD_ID):
            await fake.dispatch("GUILD_CREATE", guild_create(guild_id))
        # An outage first: the server is still there, only unreachable for now.
        await fake.dispatch("GUILD_DELETE", guild_delete(OTHER_GUILD_ID, outage=True))
        # Then a real removal. Events are handled in order, so had the outage removed
        # anything, it would be recorded before this one.
        await fake.dispatch("GUILD_DELETE", guild_delete(GUILD_ID))
        await store.wait_for_removals(1)
    assert store.removed == [("discord", str(GUILD_ID))]


class AwayStore(RemovalStore):
    """A store whose database is away for the first ``away`` removals asked of it."""

    def __init__(self, away: int) -> None:
        super().__init__()
        self.away = away

    async def delete_community(self, platform: str, community: str) -> int:
        if self.away:
            self.away -= 1
            raise ConnectionRefusedError("the database is away")
        return await super().delete_community(platform, community)


async def test_a_removal_the_database_missed_is_tried_again_until_it_is_done(
    fake: FakeDiscord,
    settings: Settings,
    handler: FakeHandler,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(discord_client, "REMOVAL_FIRST_PAUSE", 0.0)  # time is a parameter
    store = AwayStore(away=3)
    services = FakeServices(settings, store, handler, Dedupe(), store.delete_community)
    async with connected(fake, services.serve()):
        await fake.dispatch("GUILD_CREATE", guild_create(GUILD_ID))
        with caplog.at_level(logging.WARNING, logger="adapters"):
            await fake.dispatch("GUILD_DELETE", guild_delete(GUILD_ID))
            await store.wait_for_removals(1)
    assert store.removed == [("discord", str(GUILD_ID))] and store.away == 0
    assert caplog.text.count("trying again") == 3
    assert "the database is away" not in caplog.text  # the error's type, never its words


async def test_without_a_removal_hook_nothing_breaks_and_it_is_logged(
    fake: FakeDiscord,
    settings: Settings,
    handler: FakeHandler,
    people: MemoryStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = build_client(
        handler=handler, reach=Reach(people), config=discord_config(settings), clock=lambda: NOW
    )
    running = asyncio.create_task(client.start(TOKEN))
    try:
        await fake.wait_for(lambda f: len(f.gateways) == 1)
        await fake.dispatch("GUILD_CREATE", guild_create())
        with caplog.at_level(logging.ERROR, logger="adapters"):
            await fake.dispatch("GUILD_DELETE", guild_delete())
            # A later interaction is answered: the removal before it was handled by then.
            await fake.dispatch("INTERACTION_CREATE", slash("help", guild_id=OTHER_GUILD_ID))
            await fake.wait_for(lambda f: bool(f.callbacks()))
            await drain()
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await client.close()
    assert f"data of server {GUILD_ID} was NOT deleted" in caplog.text


class EnteringHandler(FakeHandler):
    """A fake engine that says when it has started on an event."""

    entered: asyncio.Event

    async def handle(self, event: Event, now: dt.datetime) -> list[Reply]:
        self.entered.set()
        return await super().handle(event, now)


async def test_a_stop_finishes_the_work_under_way_and_takes_no_new_work(
    fake: FakeDiscord, settings: Settings, handler: FakeHandler, people: MemoryStore
) -> None:
    slow = EnteringHandler(handler.content, handler.commands, gate=asyncio.Event())
    slow.entered = asyncio.Event()
    stop, drained = asyncio.Event(), asyncio.Event()
    services = FakeServices(settings, people, slow, Dedupe())
    async with connected(fake, services.serve(Lifecycle(stop=stop, drained=drained))) as running:
        await fake.dispatch("INTERACTION_CREATE", slash("progress"))
        async with asyncio.timeout(5.0):
            await slow.entered.wait()
        stop.set()  # SIGTERM while the engine works on /progress
        dm = fake.dm_channel(USER_ID)
        await fake.dispatch("MESSAGE_CREATE", dm_message("are you there?", dm))
        assert slow.gate is not None
        slow.gate.set()
        async with asyncio.timeout(5.0):
            await drained.wait()
        assert len(slow.events) == 1  # the DM that came after the stop was not taken
        assert len(fake.callbacks()) == 1  # the answer under way went out
        assert not running.done()  # the connection stays for deliveries until cancelled


async def test_a_dm_whose_process_died_unanswered_is_answered_once_elsewhere(
    fake: FakeDiscord,
    settings: Settings,
    handler: FakeHandler,
    people: MemoryStore,
    db: AsyncEngine,
) -> None:
    stuck = EnteringHandler(handler.content, handler.commands, gate=asyncio.Event())
    stuck.entered = asyncio.Event()
    # No lease to wait out: the first process is gone for good.
    first = SqlInbox(db, Cipher(), instance="first", lease=dt.timedelta(0))
    dying = asyncio.create_task(FakeServices(settings, people, stuck, Dedupe()).serve(inbox=first))
    try:
        await fake.wait_for(lambda f: len(f.gateways) == 1)
        dm = fake.dm_channel(USER_ID)
        await fake.dispatch("MESSAGE_CREATE", dm_message("hello there", dm))
        async with asyncio.timeout(5.0):
            await stuck.entered.wait()
    finally:
        dying.cancel()  # the process dies with the message in hand, its answer never sent
        with contextlib.suppress(asyncio.CancelledError):
            await dying
    assert fake.channel_posts(dm) == []

    second = SqlInbox(db, Cipher(), instance="second", lease=dt.timedelta(minutes=1))
    answering = FakeServices(settings, people, handler, Dedupe())
    running = asyncio.create_task(answering.serve(inbox=second))
    try:
        await fake.wait_for(lambda f: len(fake.channel_posts(dm)) == 1)
        assert [type(event).__name__ for event in handler.events] == ["Message"]
        assert [post["content"] for post in fake.channel_posts(dm)] == ["ok"]
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        assert stuck.gate is not None
        stuck.gate.set()
