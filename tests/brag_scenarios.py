"""The brag thread's schedule, told once for every platform: two instances of Bounceback on one
database, an admin and a member using either, and each instance's dispatcher ticked with an
explicit time.

A platform's test module imports `test_the_brag_schedule` (pytest collects it there) and gives
it a fixture ``brag``: a `Brag` driving that platform's fake.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import pytest

# Tuesday 2026-03-10, 14:30 UTC (the platforms' fixed NOW); the default thread time is Monday 10:00.
NOW = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
NEXT_MONDAY = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)
FRIDAY = dt.datetime(2026, 3, 13, 10, 0, tzinfo=dt.UTC)


class Clock(Protocol):
    """The time both instances read, moved by the story."""

    now: dt.datetime


class Instance(Protocol):
    """One Bounceback process, as the platform's admin and member reach it."""

    async def admin_here(self) -> str:
        """``/bounceback admin here`` in the channel that becomes the brag channel; the words of
        the private answer."""
        ...

    async def admin(self) -> str:
        """``/bounceback admin``; the words of the private answer (the admin view)."""
        ...

    async def save(self, **values: str) -> str:
        """The settings form filled with ``values``; the words that answered."""
        ...

    async def press_admin(self, action: str) -> str:
        """Press a button of the admin view shown; every word that answered."""
        ...

    async def preview(self) -> tuple[str, str]:
        """Press "preview"; the words that answered privately and the heading shown."""
        ...

    async def brag(self, text: str) -> None:
        """``/brag TEXT`` by the member."""
        ...

    async def share(self) -> str:
        """Press the member's latest "Share it"; the words that answered."""
        ...

    async def tick(self, now: dt.datetime) -> None:
        """One pass of this instance's dispatcher at ``now``."""
        ...


class Brag(Protocol):
    """Two instances on one database, the platform's record of the brag channel, and the clock
    both read."""

    @property
    def one(self) -> Instance: ...

    @property
    def two(self) -> Instance: ...

    @property
    def channel(self) -> str:
        """The brag channel, as a mention of it reads."""
        ...

    @property
    def member(self) -> str:
        """The member's name, as the brag thread shows it."""
        ...

    @property
    def clock(self) -> Clock: ...

    def heading(self, text: str) -> str:
        """How a thread's heading ``text`` shows."""
        ...

    def posts(self) -> list[object]:
        """Everything posted in the brag channel or a thread of it."""
        ...

    def openings(self) -> list[str]:
        """The heading of each thread opened in the brag channel."""
        ...

    def in_thread(self) -> list[str]:
        """The words of each post in the one thread opened."""
        ...


P = TypeVar("P")


@dataclass
class Pair(Generic[P]):
    """Two instances of one platform on one database, and the clock both read."""

    one: P
    two: P
    clock: Clock


@contextlib.asynccontextmanager
async def two_instances(
    start: Callable[[], AbstractAsyncContextManager[P]],
) -> AsyncIterator[tuple[P, P]]:
    """Two instances on one database, running side by side."""
    async with start() as one, start() as two:
        yield one, two


async def tick(brag: Brag, now: dt.datetime) -> None:
    for each in (brag.one, brag.two):
        await each.tick(now)


async def a_time_change_after_the_channel_is_set_moves_the_opening(brag: Brag) -> None:
    one, two = brag.one, brag.two
    done = await one.admin_here()
    assert f"posted in {brag.channel}." in done  # a mention, not the raw id
    await one.save(brag_day="1", brag_time="15:41")
    brag.clock.now = NOW + dt.timedelta(minutes=5)
    told = await two.save(brag_day="1", brag_time="15:43")
    assert f"Brag channel: {brag.channel}" in told
    assert "Next brag thread: Tuesday 10 March 2026 at 15:43 (UTC)" in told

    await tick(brag, NOW.replace(hour=15, minute=41))
    assert brag.posts() == []
    await tick(brag, NOW.replace(hour=15, minute=43))
    await tick(brag, NOW.replace(hour=15, minute=44))
    assert brag.openings() == [brag.heading("Brag thread: week of 9 March 2026")]


async def set_up_after_this_weeks_time_waits_for_next_week(brag: Brag) -> None:
    done = await brag.one.admin_here()
    assert "first thread opens Monday 16 March 2026 at 10:00 (UTC)" in done
    assert "first thread is next week's" in done

    for hours in (0, 1, 24, 96):
        await tick(brag, NOW + dt.timedelta(hours=hours))
    assert brag.posts() == []
    await tick(brag, NEXT_MONDAY)
    assert brag.openings() == [brag.heading("Brag thread: week of 16 March 2026")]


async def preview_skip_and_open_now_each_act_once(brag: Brag) -> None:
    one, two = brag.one, brag.two
    await one.admin_here()
    view = await two.admin()
    assert "Next brag thread: Monday 16 March 2026 at 10:00 (UTC)" in view
    assert "posted right after it opens" in view  # what a share before the opening does

    intro, heading = await two.preview()
    assert "Only you can see this preview" in intro
    assert heading == brag.heading("Brag thread: week of 16 March 2026")
    assert brag.posts() == []

    said = [await each.press_admin("admin.brag_skip") for each in (one, two)]
    assert sum("Skipped: no brag thread for the week of 16 March 2026" in s for s in said) == 1
    assert sum("Nothing to skip" in s for s in said) == 1

    await one.admin()
    said = [await each.press_admin("admin.brag_open") for each in (two, one)]
    assert sum(f"Opening this week's brag thread in {brag.channel} now." in s for s in said) == 1
    assert sum("already open or opening" in s for s in said) == 1

    for minutes in (0, 1):
        await tick(brag, NOW + dt.timedelta(minutes=minutes))
    await tick(brag, NEXT_MONDAY)  # skipped
    assert brag.openings() == [brag.heading("Brag thread: week of 9 March 2026")]


async def a_share_before_the_opening_is_posted_right_after_it(brag: Brag) -> None:
    one, two = brag.one, brag.two
    await one.admin_here()
    await one.save(brag_day="4", brag_time="10:00")  # Friday
    await two.brag("Booked a mock interview")
    told = await one.share()
    assert "The thread opens Friday 13 March 2026 at 10:00 (UTC); your post goes in" in told

    await tick(brag, NOW + dt.timedelta(minutes=1))
    assert brag.posts() == []  # a share never opens the thread early
    await tick(brag, FRIDAY)
    assert brag.in_thread() == [f"{brag.member} shared a win: Booked a mock interview"]


Story = Callable[[Brag], Awaitable[None]]
STORIES: list[Story] = [
    a_time_change_after_the_channel_is_set_moves_the_opening,
    set_up_after_this_weeks_time_waits_for_next_week,
    preview_skip_and_open_now_each_act_once,
    a_share_before_the_opening_is_posted_right_after_it,
]


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.__name__)
async def test_the_brag_schedule(brag: Brag, story: Story) -> None:
    await story(brag)
