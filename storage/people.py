"""People: who someone is on a platform, their check-in preferences and whether they can be
reached (:class:`bot.ports.People`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from sqlalchemy import String, Time, func, literal, select, update

from bot.events import Sender
from bot.model import CheckinState, Person, ZoneSource
from bot.schedule import Preferences
from storage.database import dialect_insert
from storage.rows import PERSON, person_from_row
from storage.tables import communities, people
from storage.transactions import Transactional


def _key(sender: Sender) -> tuple[Any, ...]:
    return (
        people.c.platform == sender.platform,
        people.c.community == sender.community,
        people.c.user_id == sender.user_id,
    )


class SqlPeople(Transactional):
    """:class:`bot.ports.People` on SQLAlchemy."""

    async def person(self, sender: Sender, default_timezone: str, now: dt.datetime) -> Person:
        found = await self.known_person(sender)
        if found is not None:
            return found
        # A new member starts with their community's time zone and check-in time, if its
        # admins set them. Two instances may meet a new person at once: the unique key lets
        # one row win.
        home = (
            communities.c.platform == sender.platform,
            communities.c.community == sender.community,
        )
        statement = (
            dialect_insert(self._engine, people)
            .values(
                platform=sender.platform,
                community=sender.community,
                user_id=sender.user_id,
                display_name=self._cipher.seal(sender.display_name[:100]),
                timezone=func.coalesce(
                    select(communities.c.timezone).where(*home).scalar_subquery(),
                    literal(default_timezone, String),
                ),
                checkin_time=func.coalesce(
                    select(communities.c.checkin_time).where(*home).scalar_subquery(),
                    literal(dt.time(10, 0), Time),
                ),
                quiet_start=dt.time(21, 0),
                quiet_end=dt.time(8, 0),
                weekdays_only=False,
                unreachable="",
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(*PERSON)
        )
        async with self._connect() as connection:
            row = (await connection.execute(statement)).first()
            if row is None:
                row = (await connection.execute(select(*PERSON).where(*_key(sender)))).one()
        return person_from_row(row, self._cipher)

    async def known_person(self, sender: Sender) -> Person | None:
        async with self._connect() as connection:
            row = (await connection.execute(select(*PERSON).where(*_key(sender)))).first()
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
