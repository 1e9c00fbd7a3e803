"""The in-memory fake of :class:`bot.ports.People`."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, replace

from bot.events import Sender
from bot.model import CheckinState, Person, ZoneSource
from bot.schedule import Preferences
from tests.fakes.state import MemoryState


class MemoryPeople(MemoryState):
    """:class:`bot.ports.People` in dictionaries; behaves like ``storage.people``."""

    async def person(
        self, sender: Sender, default_timezone: str, now: dt.datetime, *, platform_zone: str = ""
    ) -> Person:
        key = (sender.platform, sender.community, sender.user_id)
        home = self.communities.get((sender.platform, sender.community))
        if key not in self.people:
            self.people[key] = Person(
                id=next(self._ids),
                platform=sender.platform,
                community=sender.community,
                user_id=sender.user_id,
                display_name=sender.display_name[:100],
                timezone=platform_zone or (home.timezone if home else default_timezone),
                timezone_source=ZoneSource.PLATFORM if platform_zone else ZoneSource.DEFAULT,
                checkin_time=home.checkin_time if home else dt.time(10, 0),
                quiet_start=dt.time(21, 0),
                quiet_end=dt.time(8, 0),
                weekdays_only=False,
                created_at=now,
            )
        return self.people[key]

    async def known_person(self, sender: Sender) -> Person | None:
        return self.people.get((sender.platform, sender.community, sender.user_id))

    async def update_settings(self, person_id: int, preferences: Preferences) -> Person:
        key = self._key_of(person_id)
        self.people[key] = replace(self.people[key], **asdict(preferences))
        return self.people[key]

    async def set_timezone(self, person_id: int, timezone: str, source: ZoneSource) -> Person:
        key = self._key_of(person_id)
        self.people[key] = replace(self.people[key], timezone=timezone, timezone_source=source)
        return self.people[key]

    async def set_unreachable(self, person_id: int, reason: str, now: dt.datetime) -> None:
        key = self._key_of(person_id)
        self.people[key] = replace(self.people[key], unreachable=reason)

    async def set_checkins(
        self, person_id: int, state: CheckinState, paused_until: dt.datetime | None
    ) -> None:
        key = self._key_of(person_id)
        self.people[key] = replace(self.people[key], checkins=state, paused_until=paused_until)
