"""Scheduling math across time zones, quiet hours and daylight-saving changes. No sleeping."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.schedule import (
    Preferences,
    at_local,
    deliverable_now,
    first_slot_after,
    in_quiet_hours,
    next_weekly,
    recovery_plan,
    replan,
    retry_delay,
    slot_on,
    tomorrow,
)

UTC = dt.UTC
BERLIN = Preferences("Europe/Berlin")


def never_quiet(zone: str, checkin_time: dt.time) -> Preferences:
    """Someone with no quiet hours, so a check-in lands exactly at ``checkin_time``."""
    no_quiet = dt.time(0, 0)
    return Preferences(zone, checkin_time, quiet_start=no_quiet, quiet_end=no_quiet)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_preferred_time_in_the_persons_zone() -> None:
    assert slot_on(dt.date(2026, 1, 15), BERLIN).due == utc(2026, 1, 15, 9, 0)  # CET, +1
    assert slot_on(dt.date(2026, 7, 15), BERLIN).due == utc(2026, 7, 15, 8, 0)  # CEST, +2
    tokyo = Preferences("Asia/Tokyo", checkin_time=dt.time(9, 0))
    assert slot_on(dt.date(2026, 7, 15), tokyo).due == utc(2026, 7, 15, 0, 0)
    kolkata = Preferences("Asia/Kolkata")
    assert slot_on(dt.date(2026, 7, 15), kolkata).due == utc(2026, 7, 15, 4, 30)


def test_a_time_that_does_not_exist_moves_past_the_gap() -> None:
    # Berlin springs forward on 2026-03-29: 02:00 becomes 03:00, so 02:30 never happens.
    early = never_quiet("Europe/Berlin", dt.time(2, 30))
    slot = slot_on(dt.date(2026, 3, 29), early)
    assert slot.due == utc(2026, 3, 29, 1, 30)
    assert slot.due.astimezone(early.zone).time() == dt.time(3, 30)
    # New York: 2026-03-08 02:00 -> 03:00.
    new_york = never_quiet("America/New_York", dt.time(2, 15))
    assert slot_on(dt.date(2026, 3, 8), new_york).due.astimezone(new_york.zone).time() == dt.time(
        3, 15
    )


def test_a_time_that_happens_twice_is_used_once_at_its_first_occurrence() -> None:
    # Berlin falls back on 2026-10-25: 02:00-03:00 happens twice (CEST, then CET).
    twice = never_quiet("Europe/Berlin", dt.time(2, 30))
    slot = slot_on(dt.date(2026, 10, 25), twice)
    assert slot.due == utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    assert first_slot_after(slot.due, twice, dt.date(2026, 10, 25)).due == utc(2026, 10, 26, 1, 30)


def test_a_daily_time_keeps_its_local_hour_across_the_change() -> None:
    before = slot_on(dt.date(2026, 3, 28), BERLIN).due
    after = slot_on(dt.date(2026, 3, 30), BERLIN).due
    assert after - before == dt.timedelta(hours=47)
    assert after.astimezone(BERLIN.zone).time() == dt.time(10, 0)


@pytest.mark.parametrize(
    ("time", "quiet"),
    [
        ("20:59", False),
        ("21:00", True),
        ("23:30", True),
        ("00:00", True),
        ("07:59", True),
        ("08:00", False),
        ("12:00", False),
    ],
)
def test_quiet_hours_wrap_past_midnight(time: str, quiet: bool) -> None:
    assert in_quiet_hours(dt.time.fromisoformat(time), dt.time(21, 0), dt.time(8, 0)) is quiet


def test_quiet_hours_within_a_day_and_none() -> None:
    assert in_quiet_hours(dt.time(13, 0), dt.time(12, 0), dt.time(14, 0))
    assert not in_quiet_hours(dt.time(14, 0), dt.time(12, 0), dt.time(14, 0))
    assert not in_quiet_hours(dt.time(3, 0), dt.time(0, 0), dt.time(0, 0))


def test_a_preferred_time_inside_quiet_hours_moves_to_their_end() -> None:
    night_owl = Preferences("Europe/Berlin", checkin_time=dt.time(23, 0))
    slot = slot_on(dt.date(2026, 7, 15), night_owl)
    assert slot.local == dt.datetime(2026, 7, 15, 8, 0)


def test_weekdays_only_skips_the_weekend() -> None:
    weekdays = Preferences("Europe/Berlin", weekdays_only=True)
    saturday = dt.date(2026, 7, 18)
    assert slot_on(saturday, weekdays).local == dt.datetime(2026, 7, 20, 10, 0)


def test_the_plan_respects_the_cool_down_and_never_bunches_up() -> None:
    # A rejection logged at 23:30 Berlin time: tomorrow 10:00 is within 12 hours, so day 1 waits.
    late = at_local(dt.date(2026, 7, 14), dt.time(23, 30), BERLIN.zone)
    plan = recovery_plan(late, BERLIN)

    kinds = [kind for kind, _ in plan]
    # The names storage keeps: the same strings whatever the code calls them.
    plan_steps = ("day1_mood", "day2_feedback", "day3_strengths", "day5_plan_b", "day7_wrap_up")
    assert kinds == [*plan_steps, "weekly"]
    first = plan[0][1]
    assert first.due - late >= dt.timedelta(hours=12)
    assert first.local == dt.datetime(2026, 7, 16, 10, 0)
    days = [slot.local.date() for _, slot in plan]
    assert days == sorted(set(days))
    assert all(slot.local.time() == dt.time(10, 0) for _, slot in plan)


def test_the_plan_on_an_ordinary_morning() -> None:
    morning = at_local(dt.date(2026, 7, 14), dt.time(9, 0), BERLIN.zone)
    plan = recovery_plan(morning, BERLIN)
    assert [slot.local.date().day for _, slot in plan] == [15, 16, 17, 19, 21, 28]


def test_tomorrow_weekly_and_replanning() -> None:
    now = utc(2026, 7, 14, 12, 0)
    assert tomorrow(now, BERLIN).local == dt.datetime(2026, 7, 15, 10, 0)
    assert next_weekly(now, BERLIN).local == dt.datetime(2026, 7, 21, 10, 0)
    moved = replan(
        dt.datetime(2026, 7, 15, 10, 0), Preferences("America/Chicago", checkin_time=dt.time(9, 0))
    )
    assert moved.due == utc(2026, 7, 15, 14, 0)
    assert moved.zone == "America/Chicago"


def test_deliverable_now_honours_quiet_hours_and_weekends() -> None:
    assert deliverable_now(utc(2026, 7, 15, 8, 0), BERLIN)  # 10:00 local
    assert not deliverable_now(utc(2026, 7, 15, 20, 0), BERLIN)  # 22:00 local
    weekdays = Preferences("Europe/Berlin", weekdays_only=True)
    assert not deliverable_now(utc(2026, 7, 18, 10, 0), weekdays)


def test_retry_delay_backs_off_and_honours_retry_after() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(20).total_seconds() == 3600
    assert retry_delay(1, retry_after=7.5).total_seconds() == 7.5


ZONES = st.sampled_from(
    [
        "Europe/Berlin",
        "America/New_York",
        "America/Sao_Paulo",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "Pacific/Chatham",
        "UTC",
    ]
)
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(
    zone=ZONES,
    checkin=TIMES,
    quiet_start=TIMES,
    quiet_end=TIMES,
    weekdays=st.booleans(),
    rejected=st.datetimes(
        min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
)
def test_plan_properties_hold_everywhere(
    zone: str,
    checkin: dt.time,
    quiet_start: dt.time,
    quiet_end: dt.time,
    weekdays: bool,
    rejected: dt.datetime,
) -> None:
    prefs = Preferences(zone, checkin, quiet_start, quiet_end, weekdays)
    plan = recovery_plan(rejected, prefs)
    dues = [slot.due for _, slot in plan]
    assert dues[0] >= rejected + dt.timedelta(hours=12)
    assert dues == sorted(dues)
    assert len({slot.local.date() for _, slot in plan}) == len(plan)
    for _, slot in plan:
        assert slot.due.tzinfo is not None
        local = slot.due.astimezone(prefs.zone)
        if weekdays:
            assert local.weekday() < 5
        # Never in quiet hours, except where a DST gap pushed the time forward.
        if local.replace(tzinfo=None) == slot.local:
            assert not in_quiet_hours(local.time(), quiet_start, quiet_end)
