"""Scheduling math: when a planned message is due. Pure functions of their arguments and ``now``.

Being pure, the hot ones are memoized: a batch of thousands of check-ins shares a handful of
zones and preferred times.

Every moment returned is timezone-aware UTC. Local times are planned in the person's IANA zone:

- a local time that does not exist (the hour skipped when clocks spring forward) moves forward
  by the length of the gap, as calendars do: 02:30 on a 02:00→03:00 night becomes 03:30;
- a local time that happens twice (the hour repeated when clocks fall back) is used once, at
  its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from bot.frozen import quick_init

UTC = dt.UTC
COOL_DOWN = dt.timedelta(hours=12)
WEEK = dt.timedelta(days=7)


class Step(StrEnum):
    """A planned message's step in the recovery plan; its value is what storage keeps."""

    DAY1_MOOD = "day1_mood"
    DAY2_FEEDBACK = "day2_feedback"
    DAY3_STRENGTHS = "day3_strengths"
    DAY5_PLAN_B = "day5_plan_b"
    DAY7_WRAP_UP = "day7_wrap_up"
    WEEKLY = "weekly"  # after the plan, and after a resume: repeats until stopped

    @classmethod
    def of(cls, kind: str) -> Step | None:
        """The step stored as ``kind``; None for a name this version does not know."""
        try:
            return cls(kind)
        except ValueError:
            return None


# The recovery plan: days after the rejection (in the person's calendar) and the step sent then.
RECOVERY_PLAN: tuple[tuple[int, Step], ...] = (
    (1, Step.DAY1_MOOD),
    (2, Step.DAY2_FEEDBACK),
    (3, Step.DAY3_STRENGTHS),
    (5, Step.DAY5_PLAN_B),
    (7, Step.DAY7_WRAP_UP),
)
# The step that repeats, by the name the dispatcher plans it with.
WEEKLY = Step.WEEKLY


@dataclass(frozen=True, slots=True)
class Preferences:
    """When a person likes to hear from the bot."""

    timezone: str
    checkin_time: dt.time = dt.time(10, 0)
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(8, 0)
    weekdays_only: bool = False

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The person's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)


@quick_init
@dataclass(frozen=True, slots=True)
class Slot:
    """A planned moment: due in UTC, and the local date, time and zone it was planned from."""

    due: dt.datetime
    local: dt.datetime  # naive wall-clock time in ``zone``, as planned
    zone: str


def at_local(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC moment of ``time`` on ``day`` in ``zone`` (see the module notes on DST)."""
    # fold=0 picks the first of a repeated time and, for a skipped one, the offset from
    # before the gap, which lands just as far past the gap as the time was into it.
    return dt.datetime.combine(day, time, tzinfo=zone).replace(fold=0).astimezone(UTC)


def in_quiet_hours(time: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether a local time of day falls in quiet hours (which may wrap past midnight)."""
    if start == end:
        return False
    if start < end:
        return start <= time < end
    return time >= start or time < end


@lru_cache(maxsize=8192)
def slot_on(day: dt.date, prefs: Preferences) -> Slot:
    """The moment to write on ``day``: the preferred time, or the end of quiet hours if that
    time is quiet, moved past the weekend for weekdays-only people."""
    while prefs.weekdays_only and day.weekday() >= 5:
        day += dt.timedelta(days=1)
    time = prefs.checkin_time
    if in_quiet_hours(time, prefs.quiet_start, prefs.quiet_end):
        time = prefs.quiet_end
    due = at_local(day, time, prefs.zone)
    return Slot(due=due, local=dt.datetime.combine(day, time), zone=prefs.timezone)


@lru_cache(maxsize=8192)
def first_slot_after(moment: dt.datetime, prefs: Preferences, earliest_day: dt.date) -> Slot:
    """The first slot on ``earliest_day`` or later that is strictly after ``moment``."""
    day = earliest_day
    while True:
        slot = slot_on(day, prefs)
        if slot.due > moment:
            return slot
        day += dt.timedelta(days=1)


def local_date(moment: dt.datetime, prefs: Preferences) -> dt.date:
    """The date in the person's zone at ``moment``."""
    return moment.astimezone(prefs.zone).date()


def recovery_plan(
    rejected_at: dt.datetime, prefs: Preferences, *, cool_down: dt.timedelta = COOL_DOWN
) -> list[tuple[Step, Slot]]:
    """The plan's steps after a rejection logged at ``rejected_at``, then the first weekly one.

    Nothing is due within ``cool_down`` of the rejection, and each step comes on a later local
    day than the one before, so steps never bunch up.
    """
    start = local_date(rejected_at, prefs)
    after = rejected_at + cool_down
    planned: list[tuple[Step, Slot]] = []
    last_day = start
    for offset, kind in RECOVERY_PLAN:
        earliest = max(start + dt.timedelta(days=offset), last_day + dt.timedelta(days=1))
        slot = first_slot_after(after, prefs, earliest)
        planned.append((kind, slot))
        last_day = slot.local.date()
        after = slot.due
    planned.append((Step.WEEKLY, weekly_after(planned[-1][1], prefs)))
    return planned


@lru_cache(maxsize=8192)
def weekly_after(previous: Slot, prefs: Preferences) -> Slot:
    """The weekly check-in a week after ``previous`` (same local weekday where possible)."""
    return first_slot_after(previous.due, prefs, previous.local.date() + WEEK)


def next_weekly(now: dt.datetime, prefs: Preferences) -> Slot:
    """A weekly check-in a week from now, for someone resuming or finishing the plan."""
    return first_slot_after(now, prefs, local_date(now, prefs) + WEEK)


def tomorrow(now: dt.datetime, prefs: Preferences) -> Slot:
    """ "Remind me tomorrow": tomorrow's slot in the person's calendar."""
    return first_slot_after(now, prefs, local_date(now, prefs) + dt.timedelta(days=1))


def replan(local: dt.datetime, prefs: Preferences) -> Slot:
    """A planned local date moved to the person's new preferences (time, zone, quiet hours)."""
    return slot_on(local.date(), prefs)


def spread(slots: Sequence[Slot], prefs: Preferences, after: dt.datetime) -> list[Slot]:
    """``slots`` (in the order they should arrive) moved as little as needed so that each is
    strictly after ``after`` and on a later local day than the one before it.

    A slot that already fits stays as it is; one that does not becomes the first slot on its own
    day or later that does. So moving a plan (new preferences, a new zone, a snooze) never puts
    two check-ins on one day, let alone at one minute.
    """
    placed: list[Slot] = []
    moment = after
    last_day: dt.date | None = None
    for slot in slots:
        day = slot.local.date()
        earliest = day if last_day is None else max(day, last_day + dt.timedelta(days=1))
        if slot.due <= moment or day < earliest:
            slot = first_slot_after(moment, prefs, earliest)
        placed.append(slot)
        moment, last_day = slot.due, slot.local.date()
    return placed


def same_local_time(slot: Slot, prefs: Preferences) -> Slot:
    """``slot``'s wall-clock time kept in the zone of ``prefs`` (a person moved zones: what was
    Wednesday 10:00 in Berlin becomes Wednesday 10:00 in New York)."""
    due = at_local(slot.local.date(), slot.local.time(), prefs.zone)
    return Slot(due=due, local=slot.local, zone=prefs.timezone)


@lru_cache(maxsize=8192)
def deliverable_now(now: dt.datetime, prefs: Preferences) -> bool:
    """Whether ``now`` is outside the person's quiet hours (and not a weekend if they asked)."""
    local = now.astimezone(prefs.zone)
    if prefs.weekdays_only and local.weekday() >= 5:
        return False
    return not in_quiet_hours(local.time(), prefs.quiet_start, prefs.quiet_end)


def retry_delay(attempt: int, retry_after: float | None = None) -> dt.timedelta:
    """How long to wait before delivery attempt ``attempt + 1``: the platform's Retry-After if
    it gave one, else exponential backoff from 30 seconds, capped at an hour."""
    if retry_after is not None and retry_after >= 0:
        return dt.timedelta(seconds=min(retry_after, 3600.0))
    return dt.timedelta(seconds=min(30 * 2 ** max(attempt - 1, 0), 3600))


def iso_week(moment: dt.datetime, zone: str) -> str:
    """The ISO week ``moment`` falls in, in ``zone``: ``"2026-W29"``."""
    year, week, _ = moment.astimezone(zoneinfo.ZoneInfo(zone)).isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> dt.date:
    """The Monday of an ISO week label (``"2026-W29"``)."""
    year, number = week.split("-W")
    return dt.date.fromisocalendar(int(year), int(number), 1)


def weekly_slot(week: str, zone: str, weekday: int, time: dt.time) -> dt.datetime:
    """A community's weekly post in the given ISO week: its day and time in its zone."""
    day = week_monday(week) + dt.timedelta(days=weekday % 7)
    return at_local(day, time, zoneinfo.ZoneInfo(zone))


def next_weekly_post(
    now: dt.datetime, zone: str, weekday: int, time: dt.time
) -> tuple[str, dt.datetime]:
    """The next weekly post from ``now`` on, with the week it belongs to: this week's if its
    time has not passed, otherwise next week's (a slot never falls due late by being planned)."""
    week = iso_week(now, zone)
    due = weekly_slot(week, zone, weekday, time)
    if due >= now:
        return week, due
    return following_week(week), weekly_slot(following_week(week), zone, weekday, time)


def following_week(week: str) -> str:
    """The ISO week after ``week``."""
    year, number, _ = (week_monday(week) + dt.timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"


def known_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (and not a path trying to look like one)."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def next_round(
    now: dt.datetime, zone: str, weekday: int, time: dt.time, every: int
) -> tuple[str, dt.datetime]:
    """The next practice round from ``now`` on: weekly, or every other ISO week (the weeks
    an even number of weeks after 5 January 1970, so every instance agrees which)."""
    week, due = next_weekly_post(now, zone, weekday, time)
    while every > 1 and ((week_monday(week) - dt.date(1970, 1, 5)).days // 7) % every:
        week = following_week(week)
        due = weekly_slot(week, zone, weekday, time)
    return week, due
