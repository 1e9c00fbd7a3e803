"""The brag thread keeps the community's schedule, with two instances on one database: changes
move the planned opening once, set-up never opens a thread early, and admins preview, skip and
open now."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.engine import Engine
from bot.events import Choice, Command, Event, FormSubmission, Sender
from bot.schedule import following_week, next_weekly_post, week_monday, weekly_slot
from storage.sql import SqlStore
from storage.tables import community_posts
from tests.test_community import ADMIN, SAM, SETTINGS, FakeChannels, World

# Saturday 2026-07-11, 18:00 in Berlin: this week's Monday 10:00 has long passed.
SATURDAY = dt.datetime(2026, 7, 11, 16, 0, tzinfo=dt.UTC)
# Monday 2026-07-13, 10:00 in Berlin.
MONDAY = dt.datetime(2026, 7, 13, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
async def two(db: AsyncEngine) -> tuple[World, World]:
    """Two instances: an engine and a dispatcher each, one database, one platform."""
    channels = FakeChannels()
    worlds = []
    for _ in range(2):
        store = SqlStore(db)
        worlds.append(World(db, Engine(store, Content.load(), brag_schedule=store), channels))
    return worlds[0], worlds[1]


async def say(world: World, event: Event, now: dt.datetime) -> str:
    return "\n".join(r.text for r in await world.engine.handle(event, now))


def saved(**changed: str) -> FormSubmission:
    return FormSubmission(ADMIN, "community_settings", {**SETTINGS, **changed})


def here() -> Command:
    return Command(ADMIN, "bounceback", "admin here", channel="C-BRAG")


async def threads(db: AsyncEngine) -> list[tuple[str, dt.datetime, str]]:
    """Every brag thread row: week, due time, state."""
    posts = community_posts
    async with db.connect() as connection:
        rows = await connection.execute(
            select(posts.c.week, posts.c.due_at, posts.c.state)
            .where(posts.c.kind == "brag_thread")
            .order_by(posts.c.week)
        )
        return [(r.week, r.due_at, r.state) for r in rows]


async def tick_both(one: World, two: World, now: dt.datetime) -> None:
    await one.dispatcher("one").tick(now)
    await two.dispatcher("two").tick(now)


async def share(world: World, text: str, now: dt.datetime) -> None:
    replies = await world.engine.handle(Command(SAM, "brag", text), now)
    yes = replies[-1].buttons[0]
    await world.engine.handle(Choice(SAM, yes.action, yes.value), now)


async def set_up(world: World, now: dt.datetime, **changed: str) -> None:
    """``/bounceback admin here`` in the brag channel, then the settings saved with ``changed``."""
    await world.engine.handle(here(), now)
    await world.engine.handle(saved(**changed), now)


async def admin_view(world: World, now: dt.datetime) -> dict[str, str]:
    """``/bounceback admin``; the admin view's buttons, action to value."""
    replies = await world.engine.handle(Command(ADMIN, "bounceback", "admin"), now)
    return {b.action: b.value for r in replies for b in r.buttons}


def opened(world: World) -> str:
    """The heading of the one thread opened, which holds its opening alone."""
    [(_, [posted])] = world.channels.threads
    return posted.heading


async def test_a_time_change_after_the_channel_is_set_moves_the_opening_once(
    two: tuple[World, World],
) -> None:
    one, other = two
    morning = MONDAY - dt.timedelta(hours=2)
    await set_up(one, morning, brag_time="15:41")
    # The same change saved on both instances: one moves the opening, the other finds it moved.
    for world in (other, one):
        told = await say(world, saved(brag_time="15:43"), MONDAY + dt.timedelta(hours=5))
        assert "Next brag thread: Monday 13 July 2026 at 15:43 (Europe/Berlin)" in told

    opening = dt.datetime(2026, 7, 13, 13, 43, tzinfo=dt.UTC)
    assert await threads(one.db) == [("2026-W29", opening, "pending")]
    await tick_both(one, other, opening - dt.timedelta(minutes=2))  # the old time: nothing
    assert one.channels.threads == []
    await tick_both(one, other, opening)
    await tick_both(one, other, opening + dt.timedelta(minutes=1))
    assert opened(one) == "Brag thread: week of 13 July 2026"


async def test_set_up_after_this_weeks_time_starts_with_next_weeks_thread(
    two: tuple[World, World],
) -> None:
    one, other = two
    told = await say(one, here(), SATURDAY)
    assert "first thread opens Monday 13 July 2026 at 10:00 (UTC)" in told
    assert "first thread is next week's" in told
    told = await say(other, saved(), SATURDAY + dt.timedelta(minutes=5))
    assert "Next brag thread: Monday 13 July 2026 at 10:00 (Europe/Berlin)" in told

    for hours in (0, 1, 24, 39):
        await tick_both(one, other, SATURDAY + dt.timedelta(hours=hours))
    assert one.channels.threads == []
    await tick_both(one, other, MONDAY)
    assert opened(one) == "Brag thread: week of 13 July 2026"


async def test_a_friday_thread_names_the_week_it_belongs_to(two: tuple[World, World]) -> None:
    one, _ = two
    await set_up(one, MONDAY, brag_day="4")
    await one.dispatcher().tick(MONDAY + dt.timedelta(days=4))
    assert opened(one) == "Brag thread: week of 13 July 2026"


async def test_turning_the_thread_off_cancels_the_planned_opening(
    two: tuple[World, World],
) -> None:
    one, other = two
    await set_up(one, SATURDAY)
    await other.engine.handle(saved(brag_thread="no"), SATURDAY + dt.timedelta(hours=1))
    await tick_both(one, other, MONDAY)
    assert one.channels.threads == []
    assert await threads(one.db) == []


async def test_preview_is_the_opening_with_this_weeks_pulse_for_the_admin_alone(
    two: tuple[World, World],
) -> None:
    one, other = two
    await set_up(one, SATURDAY)
    for n in range(3):
        member = Sender("slack", "T1", f"U{n}", f"Member {n}")
        rejection = {"company": "X", "stage": "interview", "feeling": "3"}
        await one.engine.handle(FormSubmission(member, "rejection", rejection), SATURDAY)
    sunday = SATURDAY + dt.timedelta(days=1)
    buttons = await admin_view(one, sunday)
    assert "admin.brag_preview" in buttons

    [refused] = await other.engine.handle(Choice(SAM, "admin.brag_preview"), sunday)
    assert "Only this community's admins" in refused.text
    intro, *preview = await other.engine.handle(Choice(ADMIN, "admin.brag_preview"), sunday)
    assert all(r.private for r in (intro, *preview))
    assert "week of 13 July 2026, opening Monday 13 July 2026 at 10:00" in intro.text
    assert "3 members logged a setback" in preview[0].text
    assert one.channels.threads == []  # a preview posts nothing

    await tick_both(one, other, MONDAY)
    [(_, posted)] = one.channels.threads
    assert [(r.heading, r.text) for r in posted] == [(r.heading, r.text) for r in preview]


async def test_skip_this_week_once_across_instances_and_shares_wait_for_the_next(
    two: tuple[World, World],
) -> None:
    one, other = two
    await set_up(one, SATURDAY)
    sunday = SATURDAY + dt.timedelta(days=1)
    await share(one, "Finished the portfolio", sunday)
    buttons = await admin_view(one, sunday)
    assert buttons["admin.brag_skip"] == "2026-W29"

    skip = Choice(ADMIN, "admin.brag_skip", buttons["admin.brag_skip"])
    answers = [await say(world, skip, sunday) for world in (one, other, one)]
    assert sum("Skipped: no brag thread for the week of 13 July 2026" in a for a in answers) == 1
    assert sum("Nothing to skip" in a for a in answers) == 2
    assert "Next brag thread: Monday 20 July 2026 at 10:00" in answers[0]

    await tick_both(one, other, MONDAY)
    assert one.channels.threads == [] and one.channels.posts == []
    await tick_both(one, other, MONDAY + dt.timedelta(days=7))
    await tick_both(one, other, MONDAY + dt.timedelta(days=7, minutes=1))
    assert opened(one) == "Brag thread: week of 20 July 2026"
    assert one.channels.posts == [("thread-1", "Sam shared a win: Finished the portfolio")]


async def test_open_now_opens_this_weeks_thread_once_across_instances(
    two: tuple[World, World],
) -> None:
    one, other = two
    await set_up(one, SATURDAY)
    await share(other, "Two interviews booked", SATURDAY)
    buttons = await admin_view(one, SATURDAY)
    assert buttons["admin.brag_open"] == "2026-W28"

    press = Choice(ADMIN, "admin.brag_open", buttons["admin.brag_open"])
    answers = [await say(world, press, SATURDAY) for world in (other, one)]
    assert sum("Opening this week's brag thread" in a for a in answers) == 1
    assert sum("already open or opening" in a for a in answers) == 1
    for minutes in (0, 1, 2):
        await tick_both(one, other, SATURDAY + dt.timedelta(minutes=minutes))
    again = await say(one, press, SATURDAY + dt.timedelta(minutes=3))
    assert "already open or opening" in again

    assert opened(one) == "Brag thread: week of 6 July 2026"
    assert one.channels.posts == [("thread-1", "Sam shared a win: Two interviews booked")]
    view = await say(one, Command(ADMIN, "bounceback", "admin"), SATURDAY)
    assert "This week's brag thread is open" in view
    await tick_both(one, other, MONDAY)  # next week's opens at its time, as planned
    assert len(one.channels.threads) == 2


async def test_an_open_now_button_from_an_earlier_week_does_nothing(
    two: tuple[World, World],
) -> None:
    one, _ = two
    await one.engine.handle(here(), SATURDAY)
    stale = await say(one, Choice(ADMIN, "admin.brag_open", "2026-W27"), SATURDAY)
    assert "from an earlier week" in stale
    await one.dispatcher().tick(SATURDAY + dt.timedelta(minutes=1))
    assert one.channels.threads == []


async def test_skip_and_open_now_pressed_at_once_on_two_instances_act_once(
    two: tuple[World, World],
) -> None:
    one, other = two
    await one.engine.handle(here(), SATURDAY)
    skip = Choice(ADMIN, "admin.brag_skip", "2026-W29")
    skipped = await asyncio.gather(*(say(w, skip, SATURDAY) for w in (one, other)))
    assert sum("Skipped" in a for a in skipped) == 1
    press = Choice(ADMIN, "admin.brag_open", "2026-W28")
    opened = await asyncio.gather(*(say(w, press, SATURDAY) for w in (one, other)))
    assert sum("Opening" in a for a in opened) == 1
    assert [(week, state) for week, _, state in await threads(one.db)] == [
        ("2026-W28", "pending"),
        ("2026-W29", "skipped"),
        ("2026-W30", "pending"),
    ]


def test_weekly_slots_cross_year_ends_and_daylight_saving() -> None:
    assert following_week("2026-W52") == "2026-W53"
    assert following_week("2026-W53") == "2027-W01"
    assert week_monday("2027-W01") == dt.date(2027, 1, 4)
    # Berlin springs forward on Sunday 29 March 2026: Monday 10:00 is 09:00 UTC, then 08:00.
    ten = dt.time(10, 0)
    assert weekly_slot("2026-W13", "Europe/Berlin", 0, ten) == dt.datetime(
        2026, 3, 23, 9, 0, tzinfo=dt.UTC
    )
    sunday = dt.datetime(2026, 3, 29, 12, 0, tzinfo=dt.UTC)
    assert next_weekly_post(sunday, "Europe/Berlin", 0, ten) == (
        "2026-W14",
        dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.UTC),
    )
    # A slot at this very moment is this week's; one a second ago is next week's.
    monday = dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.UTC)
    assert next_weekly_post(monday, "Europe/Berlin", 0, ten)[0] == "2026-W14"
    later = monday + dt.timedelta(seconds=1)
    assert next_weekly_post(later, "Europe/Berlin", 0, ten)[0] == "2026-W15"


async def test_two_instances_planning_and_opening_at_once_open_one_thread(
    two: tuple[World, World],
) -> None:
    one, other = two
    await one.engine.handle(here(), SATURDAY)
    await other.engine.handle(saved(brag_time="10:05"), SATURDAY)
    for minutes in (0, 5, 6):
        at = MONDAY + dt.timedelta(minutes=minutes)
        await asyncio.gather(one.dispatcher("one").tick(at), other.dispatcher("two").tick(at))
    assert len(one.channels.threads) == 1
    assert [(week, state) for week, _, state in await threads(one.db)] == [
        ("2026-W29", "sent"),
        ("2026-W30", "pending"),
    ]
