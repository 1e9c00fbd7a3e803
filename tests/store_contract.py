"""What the Store contract tests share: the two people they are about and the slots they plan."""

from __future__ import annotations

import datetime as dt

from bot.events import Sender
from bot.model import Person
from bot.ports import People
from bot.schedule import Slot

SAM = Sender("slack", "T1", "U1", "Sam")
ALEX = Sender("slack", "T1", "U2", "Alex")


async def sam_and_alex(store: People, now: dt.datetime) -> tuple[Person, Person]:
    """Sam, whose records a test follows, and Alex beside them, whose records must stay apart."""
    return await store.person(SAM, "UTC", now), await store.person(ALEX, "UTC", now)


def slot(now: dt.datetime, days: int, zone: str = "UTC") -> Slot:
    """A moment ``days`` after ``now``, planned in ``zone``."""
    due = now + dt.timedelta(days=days)
    return Slot(due=due, local=due.replace(tzinfo=None), zone=zone)
