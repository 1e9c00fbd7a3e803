"""Never two check-ins at one minute (nor on one day): moving a plan spreads it. No sleeping."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import Engine
from bot.events import Choice, FormSubmission, Sender
from bot.model import PlannedState
from bot.schedule import Preferences, Slot, recovery_plan, same_local_time, slot_on, spread
from tests.fakes import MemoryStore
from tests.forms import checkin_settings

UTC = dt.UTC
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/St_Johns",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]
SAM = Sender("console", "console", "sam", "Sam")

moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(UTC)
)
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))
preferences = st.builds(
    Preferences,
    timezone=st.sampled_from(ZONES),
    checkin_time=times,
    quiet_start=times,
    quiet_end=times,
    weekdays_only=st.booleans(),
)


async def reject(engine: Engine, now: dt.datetime) -> None:
    """Sam logs a rejection, which plans the week after it."""
    values = {"company": "Acme", "stage": "interview", "feeling": "3"}
    await engine.handle(FormSubmission(SAM, "rejection", values), now)


def assert_spread(slots: list[Slot], after: dt.datetime) -> None:
    dues = [slot.due for slot in slots]
    days = [slot.local.date() for slot in slots]
    assert all(due > after for due in dues)
    assert dues == sorted(dues) and len(set(dues)) == len(dues)
    assert days == sorted(days) and len(set(days)) == len(days)


@settings(max_examples=300, deadline=None)
@given(moments, preferences, preferences, st.integers(0, 10 * 24 * 60))
def test_a_plan_moved_to_new_preferences_never_doubles_up(
    rejected: dt.datetime, before: Preferences, after: Preferences, minutes_later: int
) -> None:
    now = rejected + dt.timedelta(minutes=minutes_later)
    planned = [slot for _, slot in recovery_plan(rejected, before)]
    wanted = [slot_on(slot.local.date(), after) for slot in planned if slot.due > now]

    moved = spread(wanted, after, now)

    assert_spread(moved, now)
    for slot in moved:
        assert slot.zone == after.timezone
        if after.weekdays_only:
            assert slot.local.weekday() < 5


@settings(max_examples=300, deadline=None)
@given(moments, preferences, st.sampled_from(ZONES), st.integers(0, 10 * 24 * 60))
def test_a_plan_moved_to_another_zone_keeps_its_local_times_where_it_can(
    rejected: dt.datetime, prefs: Preferences, zone: str, minutes_later: int
) -> None:
    now = rejected + dt.timedelta(minutes=minutes_later)
    planned = [slot for _, slot in recovery_plan(rejected, prefs) if slot.due > now]
    there = Preferences(
        zone, prefs.checkin_time, prefs.quiet_start, prefs.quiet_end, prefs.weekdays_only
    )

    moved = spread([same_local_time(slot, there) for slot in planned], there, now)

    assert_spread(moved, now)
    for old, new in zip(planned, moved, strict=True):
        kept = same_local_time(old, there)
        if kept.due > now and new.local.date() == old.local.date():
            assert new == kept  # the same wall-clock moment, in the new zone


def test_a_fitting_plan_is_left_alone() -> None:
    prefs = Preferences("Europe/Berlin")
    now = dt.datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
    planned = [slot for _, slot in recovery_plan(now, prefs)]

    assert spread(planned, prefs, now) == planned


async def test_switching_to_weekdays_only_spreads_day_5_and_day_7(
    engine: Engine, memory_store: MemoryStore
) -> None:
    # A Monday rejection: day 5 is Saturday, day 7 the next Monday.
    monday = dt.datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    await reject(engine, monday)
    settings_values = checkin_settings(weekdays_only="yes")

    await engine.handle(FormSubmission(SAM, "checkin_settings", settings_values), monday)

    planned = await memory_store.planned(1)
    by_kind = {m.kind: m.local for m in planned}
    assert by_kind["day5_plan_b"] == dt.datetime(2026, 3, 16, 10, 0)  # Saturday -> Monday
    assert by_kind["day7_wrap_up"] == dt.datetime(2026, 3, 17, 10, 0)  # Monday -> Tuesday
    assert_spread([Slot(m.due, m.local, m.zone) for m in planned], monday)


async def test_remind_me_tomorrow_makes_room_instead_of_doubling_up(
    engine: Engine, memory_store: MemoryStore
) -> None:
    tuesday = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    await reject(engine, tuesday)
    day1 = (await memory_store.planned(1))[0]
    assert day1.kind == "day1_mood"
    # Day 1 arrives (the dispatcher marks it sent); "Remind me tomorrow" lands on day 2's day.
    memory_store.planned_by_id[day1.id] = replace(day1, state=PlannedState.SENT)
    arrived = day1.due + dt.timedelta(minutes=5)
    value = f"{day1.id}:day1_mood:{day1.rejection_id}"

    [reply] = await engine.handle(Choice(SAM, "plan.snooze", value), arrived)

    planned = await memory_store.planned(1)
    first = planned[0]
    assert (first.kind, first.local) == ("day1_mood", dt.datetime(2026, 3, 12, 10, 0))
    assert "Thursday at 10:00" in reply.text
    assert planned[1].kind == "day2_feedback"  # made room: Friday now
    assert_spread([Slot(m.due, m.local, m.zone) for m in planned], arrived)
