"""Practice partners, a member's side (:class:`bot.ports.Practice`): their choices, sealed
like every word of theirs, and their answers to "Did you meet?"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from bot.practice_model import Met, PracticeChoices, PracticeMember, PracticeState
from storage.crypto import Cipher
from storage.database import dialect_insert
from storage.tables import people, practice_members, practice_pairs
from storage.transactions import Transactional

INTRODUCED = "introduced"


def member_from_row(cipher: Cipher, row: Mapping[Any, Any]) -> PracticeMember:
    """A practice_members row (by column name) as the engine sees it."""
    areas = cipher.open(row["areas"]) if row["areas"] else ""
    return PracticeMember(
        person_id=row["person_id"],
        state=PracticeState(row["state"]),
        areas=tuple(line for line in areas.split("\n") if line),
        role_kind=cipher.open(row["role_kind"]) if row["role_kind"] else "",
        availability=row["availability"],
        paused_until=row["paused_until"],
    )


class SqlPractice(Transactional):
    """:class:`bot.ports.Practice` on SQLAlchemy."""

    async def practice_member(self, person_id: int) -> PracticeMember | None:
        row = await self._row_of(practice_members, person_id)
        return member_from_row(self._cipher, row._mapping) if row is not None else None

    async def join_practice(
        self, person_id: int, choices: PracticeChoices, now: dt.datetime
    ) -> PracticeMember:
        values = {
            "state": PracticeState.ACTIVE.value,
            "paused_until": None,
            "areas": self._cipher.seal("\n".join(choices.areas)),
            "role_kind": self._cipher.seal(choices.role_kind),
            "availability": choices.availability,
        }
        async with self._connect() as connection:
            where = (await connection.execute(
                select(people.c.platform, people.c.community).where(people.c.id == person_id)
            )).one()  # fmt: skip
            insert = dialect_insert(self._engine, practice_members).values(
                person_id=person_id,
                platform=where.platform,
                community=where.community,
                joined_at=now,
                **values,
            )
            await connection.execute(
                insert.on_conflict_do_update(index_elements=["person_id"], set_=values)
            )
        found = await self.practice_member(person_id)
        assert found is not None
        return found

    async def set_practice_state(
        self, person_id: int, state: PracticeState, paused_until: dt.datetime | None
    ) -> PracticeMember | None:
        values: dict[str, Any] = {"state": state.value, "paused_until": paused_until}
        if state is PracticeState.LEFT:
            values.update(areas="", role_kind="")  # nothing is kept that is no longer used
        async with self._connect() as connection:
            await connection.execute(
                update(practice_members)
                .where(practice_members.c.person_id == person_id)
                .values(**values)
            )
        return await self.practice_member(person_id)

    async def latest_practice(self, person_id: int) -> tuple[str, Met] | None:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    select(practice_pairs.c.week, practice_pairs.c.met)
                    .where(
                        practice_pairs.c.person_id == person_id,
                        practice_pairs.c.state == INTRODUCED,
                    )
                    .order_by(practice_pairs.c.week.desc())
                    .limit(1)
                )
            ).first()
        return (row.week, Met(row.met)) if row is not None else None

    async def record_practice(self, person_id: int, week: str, met: Met, now: dt.datetime) -> bool:
        async with self._connect() as connection:
            done = await connection.execute(
                update(practice_pairs)
                .where(
                    practice_pairs.c.person_id == person_id,
                    practice_pairs.c.week == week,
                    practice_pairs.c.state == INTRODUCED,
                )
                .values(met=met.value, met_at=now)
            )
        return bool(done.rowcount)
