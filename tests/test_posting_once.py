"""Brag-thread posts go out once through a process dying mid-batch and a stopping one: each
is recorded as soon as it is out, and what a stopping process did not start is handed back."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.engine import Engine
from bot.events import Choice, Command, Sender
from bot.posting import BATCH
from bot.replies import Reply
from storage.sql import SqlStore
from tests.test_community import MONDAY, FakeChannels, World

SHARES = BATCH + 2  # more than one claim


class Killed(BaseException):
    """The process dies here (nothing in it catches this)."""


@dataclass
class DyingChannels(FakeChannels):
    """Channels that run ``then`` right after the ``nth`` post was accepted."""

    nth: int = 0
    then: Callable[[], None] = lambda: None

    async def post(
        self, community: str, channel: str, thread: str, replies: Sequence[Reply], key: str
    ) -> str:
        posted = await super().post(community, channel, thread, replies, key)
        if len(self.posts) == self.nth:
            self.then()
        return posted


async def shared_wins(db: AsyncEngine, channels: FakeChannels) -> World:
    """A community with its brag thread due, and :data:`SHARES` members who shared a win."""
    store = SqlStore(db)
    world = World(db, Engine(store, Content.load(), brag_schedule=store), channels)
    await world.set_up()
    for n in range(SHARES):
        member = Sender("slack", "T1", f"U{n}", f"Member {n}")
        replies = await world.engine.handle(Command(member, "brag", f"Win number {n}"), MONDAY)
        yes = replies[-1].buttons[0]
        await world.engine.handle(Choice(member, yes.action, yes.value), MONDAY)
    return world


def counted(channels: FakeChannels) -> collections.Counter[str]:
    return collections.Counter(text for _, text in channels.posts)


async def test_a_process_killed_mid_batch_repeats_at_most_the_post_in_hand(
    db: AsyncEngine,
) -> None:
    def die() -> None:
        raise Killed

    channels = DyingChannels(nth=5, then=die)
    world = await shared_wins(db, channels)
    with pytest.raises(Killed):
        await world.dispatcher("one").tick(MONDAY)
    channels.nth = 0
    # After the dead process's lease, another instance takes over.
    await world.dispatcher("two").tick(MONDAY + dt.timedelta(minutes=3))

    times = counted(channels)
    assert len(times) == SHARES and len(channels.threads) == 1
    # The fifth was accepted by the platform a moment before the process died: it is the
    # only one that could go twice.
    assert sorted(times.values()) == [1] * (SHARES - 1) + [2]


async def test_a_stopping_process_hands_back_what_it_did_not_start_at_once(
    db: AsyncEngine,
) -> None:
    channels = DyingChannels(nth=3)
    world = await shared_wins(db, channels)
    one = world.dispatcher("one")
    channels.then = one.stop
    await one.tick(MONDAY)
    assert len(channels.posts) == 3
    # Well within the stopped process's lease: another instance takes the rest now.
    await world.dispatcher("two").tick(MONDAY + dt.timedelta(minutes=1))

    times = counted(channels)
    assert len(times) == SHARES and set(times.values()) == {1}


@dataclass
class HeldChannels(FakeChannels):
    """Channels whose ``nth`` post (the first to get there) is held until the test lets it
    go."""

    nth: int = 0
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)

    async def post(
        self, community: str, channel: str, thread: str, replies: Sequence[Reply], key: str
    ) -> str:
        if len(self.posts) + 1 == self.nth and not self.reached.is_set():
            self.reached.set()
            await self.go.wait()
        return await super().post(community, channel, thread, replies, key)


@dataclass
class Moments:
    """A clock the test moves, and the pauses between lease renewals that it ends."""

    seconds: float = 0.0
    paused: asyncio.Queue[float] = field(default_factory=asyncio.Queue)
    ended: asyncio.Queue[None] = field(default_factory=asyncio.Queue)

    def monotonic(self) -> float:
        return self.seconds

    async def pause(self, seconds: float) -> None:
        self.paused.put_nowait(seconds)
        await self.ended.get()


async def test_a_claim_worked_past_its_lease_is_renewed_not_taken_over(db: AsyncEngine) -> None:
    channels = HeldChannels(nth=2)
    world = await shared_wins(db, channels)
    moments = Moments()
    one = replace(world.dispatcher("one"), monotonic=moments.monotonic, pause=moments.pause)
    working = asyncio.ensure_future(one.tick(MONDAY))
    await channels.reached.wait()  # the second post of the first claim is slow to go
    assert await moments.paused.get() == 40  # a third of the lease
    moments.seconds = 100  # 100 s into a 120 s lease: the renewal comes due
    moments.ended.put_nowait(None)
    await moments.paused.get()  # renewed, and waiting for the next
    # Past the first claim's own lease, but within the renewed one: another instance takes
    # only what nobody holds.
    await world.dispatcher("two").tick(MONDAY + dt.timedelta(minutes=3))
    channels.go.set()
    await working

    times = counted(channels)
    assert len(times) == SHARES and len(channels.threads) == 1
    assert set(times.values()) == {1}
