"""One turn of conversation: who is talking, when, and what the engine may use to answer."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from bot.content import Content
from bot.model import Person
from bot.ports import BragSchedule, Store


@dataclass(frozen=True, slots=True)
class Turn:
    """Everything a flow needs to answer one event."""

    store: Store
    content: Content
    person: Person
    now: dt.datetime
    # The person's language and region if the platform said ("pt-BR"), for guessing a zone.
    locale: str = ""
    # The brag thread's schedule, for admins; None where no thread is ever posted (tests).
    brag_schedule: BragSchedule | None = None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The person's time zone."""
        return zoneinfo.ZoneInfo(self.person.timezone)

    @property
    def today(self) -> dt.date:
        """Today's date where the person lives."""
        return self.now.astimezone(self.zone).date()

    @property
    def name(self) -> str:
        """How to address the person."""
        return self.person.display_name or self.person.user_id
