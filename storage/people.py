"""People: who someone is on a platform, their check-in preferences and whether they can be
reached (:class:`bot.ports.People`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import update

from bot.events import Sender
from bot.model import CheckinState, Person, ZoneSource
from bot.schedule import Preferences
from storage.prepared import Driver
from storage.rows import PERSON, PERSON_COLUMNS, person_from_row
from storage.tables import people
from storage.transactions import Transactional

_PERSON = ", ".join(PERSON_COLUMNS)
_FIND = f"SELECT {_PERSON} FROM people WHERE platform = ? AND community = ? AND user_id = ?"
# A new member starts in the zone their platform gave (if any), else with their community's
# time zone, and with its check-in time, if its admins set them; the other columns as the
# table's defaults would fill them.
_ADD = f"""
INSERT INTO people (platform, community, user_id, display_name, timezone, checkin_time,
    quiet_start, quiet_end, weekdays_only, unreachable, checkins, created_at, timezone_source)
VALUES (?, ?, ?, ?,
    coalesce(?, (SELECT timezone FROM communities WHERE platform = ? AND community = ?), ?),
    coalesce((SELECT checkin_time FROM communities WHERE platform = ? AND community = ?), ?),
    ?, ?, ?, '', 'active', ?, ?)
ON CONFLICT DO NOTHING
RETURNING {_PERSON}
"""
_CHECKIN_TIME = dt.time(10, 0)
_QUIET_START = dt.time(21, 0)
_QUIET_END = dt.time(8, 0)


class SqlPeople(Transactional):
    """:class:`bot.ports.People` on SQLAlchemy."""

    async def person(
        self, sender: Sender, default_timezone: str, now: dt.datetime, *, platform_zone: str = ""
    ) -> Person:
        source = ZoneSource.PLATFORM if platform_zone else ZoneSource.DEFAULT

        def find_or_add(driver: Driver) -> Sequence[Any]:
            key = (sender.platform, sender.community, sender.user_id)
            found = driver.first(_FIND, key)
            if found is not None:
                return found
            home = (sender.platform, sender.community)
            added = driver.first(
                _ADD,
                (
                    *key,
                    self._cipher.seal(sender.display_name[:100]),
                    platform_zone or None,
                    *home,
                    default_timezone,
                    *home,
                    driver.clock(_CHECKIN_TIME),
                    driver.clock(_QUIET_START),
                    driver.clock(_QUIET_END),
                    driver.flag(False),
                    driver.moment(now),
                    source.value,
                ),
            )
            # Two instances may meet a new person at once: the unique key lets one row win.
            return added if added is not None else driver.rows(_FIND, key)[0]

        row = await self._hot(find_or_add)
        return person_from_row(row, self._cipher)

    async def known_person(self, sender: Sender) -> Person | None:
        key = (sender.platform, sender.community, sender.user_id)
        row = await self._hot(lambda driver: driver.first(_FIND, key))
        return None if row is None else person_from_row(row, self._cipher)

    async def update_settings(self, person_id: int, preferences: Preferences) -> Person:
        return await self._change(person_id, **asdict(preferences))

    async def set_timezone(self, person_id: int, timezone: str, source: ZoneSource) -> Person:
        return await self._change(person_id, timezone=timezone, timezone_source=source.value)

    async def _change(self, person_id: int, **values: Any) -> Person:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    update(people)
                    .where(people.c.id == person_id)
                    .values(**values)
                    .returning(*PERSON)
                )
            ).one()
        return person_from_row(row, self._cipher)

    async def set_unreachable(self, person_id: int, reason: str, now: dt.datetime) -> None:
        async with self._connect() as connection:
            await connection.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(unreachable=reason[:32], unreachable_at=now if reason else None)
            )

    async def set_checkins(
        self, person_id: int, state: CheckinState, paused_until: dt.datetime | None
    ) -> None:
        async with self._connect() as connection:
            await connection.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(checkins=state.value, paused_until=paused_until)
            )
