"""A server that removed the bot while Bounceback was down sends no ``GUILD_DELETE``; it is
missing from the servers Discord lists when the bot connects. ``bounceback discord`` (the
real composition root on SQLite) notes it, erases it once the grace has passed, and keeps it
if the bot is invited back first; a process speaks only for its own shards' servers."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import replace

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from sqlalchemy import select

from adapters.discord import build_client
from adapters.discord import client as discord_client
from adapters.ports import CommunitiesSeen
from bot.events import Sender
from bot.reach import Reach
from bot.removals import ABSENT_GRACE, Removals
from bounceback.bootstrap import Services
from bounceback.cli import discord_config
from bounceback.settings import Settings
from storage.tables import people, removals
from tests.discord.conftest import NOW, TOKEN, FakeHandler, running
from tests.discord.fake_discord import GUILD_ID, OTHER_GUILD_ID, USER_ID, FakeDiscord
from tests.discord.payloads import guild_create, guild_join
from tests.fakes import MemoryStore

KEPT, GONE = str(GUILD_ID), str(OTHER_GUILD_ID)


@pytest.fixture(autouse=True)
def _gateway_is_the_fake(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py connects to ``DEFAULT_GATEWAY`` (Discord's): point it at the fake, and
    counts the bot as ready as soon as the servers' details are in (time is a parameter)."""
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.ws_url))
    monkeypatch.setattr(discord_client, "GUILD_READY_TIMEOUT", 0.05)


class Heard:
    """A ``CommunitiesSeen`` hook passing each call on to ``inner`` (if any) and counting."""

    def __init__(self, inner: CommunitiesSeen | None = None, *, away: int = 0) -> None:
        self.inner = inner
        self.away = away  # the first calls find the database away
        self.calls: list[tuple[str, set[str], Callable[[str], bool]]] = []
        self._changed = asyncio.Condition()

    async def __call__(
        self, platform: str, present: Collection[str], covered: Callable[[str], bool]
    ) -> object:
        try:
            if self.away:
                self.away -= 1
                raise ConnectionRefusedError("the database is away")
            return await self.inner(platform, present, covered) if self.inner else None
        finally:
            async with self._changed:
                self.calls.append((platform, set(present), covered))
                self._changed.notify_all()

    async def times(self, count: int) -> None:
        """Until ``count`` calls have finished; a 5-second safety limit, not a sleep."""
        async with asyncio.timeout(5.0), self._changed:
            await self._changed.wait_for(lambda: len(self.calls) >= count)


def hearing(services: Services, heard: Heard) -> Services:
    """``services`` whose comparisons of servers go through ``heard`` (then on as wired)."""
    heard.inner = services.shared.on_communities_seen
    return replace(services, shared=replace(services.shared, on_communities_seen=heard))


async def _seed(services: Services) -> None:
    for community in (KEPT, GONE, "dm"):
        member = Sender("discord", community, str(USER_ID), "Ada")
        await services.store.person(member, "UTC", NOW)


async def _rows(services: Services) -> tuple[list[str], list[tuple[str, str]]]:
    """The communities people belong to, and the removals owed (community, reason)."""
    async with services.db.connect() as connection:
        members = (await connection.execute(select(people.c.community))).scalars().all()
        owed = (await connection.execute(select(removals.c.community, removals.c.reason))).all()
    return sorted(members), [(community, reason) for community, reason in owed]


async def test_a_server_that_left_while_the_bot_was_down_is_erased_after_the_grace(
    services: Services, fake: FakeDiscord
) -> None:
    await _seed(services)
    fake.servers = [guild_create(GUILD_ID)]  # GONE removed the bot while it was down
    heard = Heard()
    async with running(hearing(services, heard), fake):
        await heard.times(1)
    assert await _rows(services) == (sorted([KEPT, GONE, "dm"]), [(GONE, "absent")])

    # The check-in clock's rounds erase it once it has been absent for the grace.
    soon = Removals(services.store, clock=lambda: dt.datetime.now(dt.UTC))
    assert await soon.finish() == 0
    later = Removals(services.store, clock=lambda: dt.datetime.now(dt.UTC) + ABSENT_GRACE)
    assert await later.finish() == 1
    assert await _rows(services) == (sorted([KEPT, "dm"]), [])


async def test_a_server_that_invites_the_bot_back_keeps_its_data(
    services: Services, fake: FakeDiscord
) -> None:
    await _seed(services)
    fake.servers = [guild_create(GUILD_ID)]
    heard = Heard()
    async with running(hearing(services, heard), fake):
        await heard.times(1)
        assert (await _rows(services))[1] == [(GONE, "absent")]
        await fake.dispatch("GUILD_CREATE", guild_join(OTHER_GUILD_ID))  # invited back
        await heard.times(2)
    assert await _rows(services) == (sorted([KEPT, GONE, "dm"]), [])
    later = Removals(services.store, clock=lambda: dt.datetime.now(dt.UTC) + ABSENT_GRACE)
    assert await later.finish() == 0


async def test_a_comparison_the_database_missed_at_ready_is_made_again_later(
    services: Services, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord_client, "COMPARE_EVERY_SECONDS", 0.01)  # time is a parameter
    await _seed(services)
    fake.servers = [guild_create(GUILD_ID)]
    heard = Heard(away=1)
    async with running(hearing(services, heard), fake):
        await heard.times(2)
    assert (await _rows(services))[1] == [(GONE, "absent")]


async def test_a_process_speaks_only_for_the_servers_of_its_own_shards(
    fake: FakeDiscord, settings: Settings, handler: FakeHandler, people: MemoryStore
) -> None:
    fake.shards = 2
    fake.servers = [guild_create(GUILD_ID), guild_create(OTHER_GUILD_ID)]
    shard = (GUILD_ID >> 22) % 2
    heard = Heard()
    client = build_client(
        handler=handler,
        reach=Reach(people),
        config=discord_config(settings.model_copy(update={"discord_shard_count": 2})),
        clock=lambda: NOW,
        shard_ids=[shard],
        identify_interval=0.0,
        on_communities_seen=heard,
    )
    running = asyncio.create_task(client.start(TOKEN))
    try:
        await heard.times(1)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await client.close()
    [(platform, present, covered)] = heard.calls
    assert platform == "discord" and KEPT in present
    assert covered(KEPT) and not covered("dm")
    on_other_shard = next(g for g in range(GUILD_ID, GUILD_ID + (1 << 24), 1 << 22)
                          if (g >> 22) % 2 != shard)  # fmt: skip
    assert not covered(str(on_other_shard))
