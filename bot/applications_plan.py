"""Planning reminders about applications gone quiet, in the person's calendar.

The first reminder comes the person's number of days (default 14) after the last news of an
application, at their check-in time, and never on a day another application's reminder
already has: twenty applications sent in one burst are asked about one a day, not all at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from bot import applications_reminders as reminders
from bot import plan
from bot.model import Application, CheckinState, Person
from bot.schedule import Preferences, Slot, first_slot_after, local_date, same_local_time
from bot.turn import Turn
from bot.writes import NewPlanned

DEFAULT_GHOST_DAYS = 14
GHOST_DAYS_LIMIT = 90


async def ghost_days(turn: Turn) -> int:
    """The person's days without news before a reminder (0: never)."""
    days = await turn.store.ghost_days(turn.person.id)
    return DEFAULT_GHOST_DAYS if days is None else days


def last_news(application: Application, zone: str) -> dt.date:
    """The day of the latest news of an application in the person's calendar."""
    if application.moved_at is None:
        return application.applied_on
    return max(application.applied_on, local_date(application.moved_at, Preferences(zone)))


def first_slot(
    application: Application,
    days: int,
    prefs: Preferences,
    now: dt.datetime,
    taken: Collection[dt.date],
) -> Slot:
    """When to ask about ``application`` first: ``days`` after its last news (tomorrow at
    the soonest), on a day no other reminder has."""
    day = max(
        last_news(application, prefs.timezone) + dt.timedelta(days=days),
        local_date(now, prefs) + dt.timedelta(days=1),
    )
    while True:
        slot = first_slot_after(now, prefs, day)
        if slot.local.date() not in taken:
            return slot
        day = slot.local.date() + dt.timedelta(days=1)


async def plan_one(turn: Turn, application: Application, days: int | None = None) -> None:
    """Cancel what is pending about ``application`` and, while it waits for news, plan its
    first reminder. Nothing is planned for someone who stopped check-ins."""
    store, person = turn.store, turn.person
    await store.cancel_reminders(person.id, application.id, "news")
    days = await ghost_days(turn) if days is None else days
    if person.checkins is CheckinState.STOPPED or days <= 0 or not application.stage.waiting:
        return
    taken = {
        message.local.date()
        for message in await store.reminders(person.id)
        if message.application_id != application.id
    }
    slot = first_slot(application, days, plan.preferences(person), turn.now, taken)
    reminder = NewPlanned(
        person.id, person.platform, reminders.FIRST, slot, application_id=application.id
    )
    await store.plan_reminder(reminder, turn.now)


async def plan_all(turn: Turn) -> None:
    """Plan every waiting application's reminders afresh (after a resume, new settings or a
    new number of days), oldest application first."""
    await turn.store.cancel_reminders(turn.person.id, None, "replanned")
    days = await ghost_days(turn)
    for application in await turn.store.applications(turn.person.id):
        if application.stage.waiting:
            await plan_one(turn, application, days)


async def follow_zone(turn: Turn, person: Person) -> None:
    """A person moved to another zone: each pending reminder keeps its local time there, as
    their check-ins do (:func:`bot.plan.follow_zone`)."""
    prefs = plan.preferences(person)
    moves = [
        (m.id, same_local_time(Slot(m.due, m.local, m.zone), prefs))
        for m in await turn.store.reminders(person.id)
    ]
    if moves:
        await turn.store.move_planned(person.id, moves)
