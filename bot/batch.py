"""A claimed batch's parts for the dispatcher: its lease and the loop keeping a lease ahead
(community posts use it too), each message's preferences and next weekly slot (worked out once
for the many people who share them), and outcomes."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot import applications_reminders as reminders
from bot import plan, slices
from bot.model import Due, Outcome, PlannedState
from bot.schedule import WEEKLY, Preferences, Slot, weekly_after

log = logging.getLogger(__name__)


@dataclass
class Lease:
    """A batch's claim token, when (on this process's monotonic clock) its lease ends, and
    the task keeping it ahead while the batch waits and is worked."""

    token: str
    deadline: float
    renewing: asyncio.Future[None] | None = None

    async def stop_renewing(self) -> None:
        if self.renewing is not None:
            self.renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.renewing
            self.renewing = None


async def keep_renewing(
    lease: dt.timedelta,
    pause: Callable[[float], Awaitable[None]],
    renew: Callable[[], Awaitable[object]],
    what: str,
) -> None:
    """Call ``renew`` every third of ``lease`` until cancelled; a renewal the database missed
    is logged (the error's type only) and tried again at the next."""
    every = lease.total_seconds() / 3
    while True:
        await pause(every)
        try:
            await renew()
        except Exception as error:
            log.warning("renewing the lease of %s failed: %s", what, type(error).__name__)


def outcome(due: Due, state: PlannedState, code: str = "", **extra: Any) -> Outcome:
    """What became of ``due``'s message."""
    person, message = due.person, due.message
    return Outcome(
        message.id,
        person.id,
        person.platform,
        state,
        code,
        application_id=message.application_id,
        **extra,
    )


async def preferences_of(batch: Sequence[Due]) -> list[Preferences]:
    """Each message's person's preferences; people who share them share one object (a batch
    has thousands of people and a handful of distinct preferences)."""
    known: dict[tuple[object, ...], Preferences] = {}

    def of(due: Due) -> Preferences:
        person = due.person
        key = (
            person.timezone,
            person.checkin_time,
            person.quiet_start,
            person.quiet_end,
            person.weekdays_only,
        )
        prefs = known.get(key)
        if prefs is None:
            prefs = known[key] = plan.preferences(person)
        return prefs

    return await slices.mapped(of, batch)


def follow_up_of(due: Due, prefs: Preferences) -> tuple[str, Slot] | None:
    """Weekly check-ins go on until stopped: each one done with plans the next. (The
    recovery plan itself already holds the first weekly one.) A reminder about an
    application plans the next one, answered or not: news cancels it."""
    message = due.message
    if message.kind == WEEKLY:
        return _next_weekly(message.due, message.local, message.zone, prefs)
    if message.kind in reminders.KINDS:
        previous = Slot(due=message.due, local=message.local, zone=message.zone)
        return reminders.follow_up(message.kind, previous, prefs)
    return None


@functools.lru_cache(maxsize=8192)
def _next_weekly(
    due: dt.datetime, local: dt.datetime, zone: str, prefs: Preferences
) -> tuple[str, Slot]:
    """The weekly check-in after one planned at this slot (a batch's slots repeat: many people
    share a time and preferences)."""
    return WEEKLY, weekly_after(Slot(due=due, local=local, zone=zone), prefs)
