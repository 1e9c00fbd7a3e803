"""Privacy: what of a person is sealed at rest, what their export holds, erasing a person or a
whole community, and resealing after a key change (:class:`bot.ports.Privacy`).

Sealed with ``BOUNCEBACK_ENCRYPTION_KEY``: everything a person writes, plus the names that point
at real people and employers (their display name, the company, the role, the interviewer's
name). No query looks any of these up by value, so none needs a keyed hash beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.crypto import Cipher
from storage.tables import (
    answers,
    communities,
    community_posts,
    conversations,
    dm_channels,
    moods,
    organization_members,
    people,
    planned_messages,
    reflections,
    rejections,
    wins,
)
from storage.transactions import Transactional

# Columns sealed at rest when a key is configured, by table name.
SEALED: Mapping[str, tuple[str, ...]] = {
    "people": ("display_name",),
    "rejections": ("company", "role", "interviewer", "feedback"),
    "reflections": ("note",),
    "moods": ("note",),
    "answers": ("value",),
    "wins": ("text",),
    "community_posts": ("body",),  # advice shared with /hired, until it is posted
}
_SEALED_TABLES = (people, rejections, reflections, moods, answers, wins, community_posts)

# Every table holding a person's records (each has person_id), in the order export shows them.
PERSONAL_TABLES: tuple[tuple[str, Table], ...] = (
    ("rejections", rejections),
    ("reflections", reflections),
    ("moods", moods),
    ("checkin_answers", answers),
    ("wins", wins),
    ("pending_question", conversations),
    ("planned_messages", planned_messages),
    ("shared_posts", community_posts),
    ("dm_channel", dm_channels),  # the id of the DM channel the platform opened
)


class SqlPrivacy(Transactional):
    """:class:`bot.ports.Privacy` on SQLAlchemy, plus what admins and platforms ask for: a
    whole community erased, every sealed value resealed under a new key."""

    async def export(self, person_id: int) -> Mapping[str, Any]:
        async with self._connect() as connection:
            return await export(connection, self._cipher, person_id)

    async def delete_person(self, person_id: int) -> None:
        async with self._connect() as connection:
            # Claimed check-ins go too: the dispatcher re-checks its claims before sending.
            for _, table in PERSONAL_TABLES:
                await connection.execute(delete(table).where(table.c.person_id == person_id))
            await connection.execute(delete(people).where(people.c.id == person_id))
        await self._erase_after_commit()

    async def delete_community(self, platform: str, community: str) -> int:
        """Delete a community's settings, its posts' records and every person of it with all
        their records; returns how many people."""
        async with self._connect() as connection:
            for table in (community_posts, communities, organization_members):
                where = (table.c.platform == platform, table.c.community == community)
                await connection.execute(delete(table).where(*where))
            result = await connection.execute(
                delete(people).where(people.c.platform == platform, people.c.community == community)
            )
        await self._erase_after_commit()
        return result.rowcount

    async def reseal(self) -> int:
        """Seal every sealed value with the current key (after adding or rotating a key);
        returns how many values changed."""
        return await reseal(self._engine, self._cipher)


async def export(connection: AsyncConnection, cipher: Cipher, person_id: int) -> dict[str, Any]:
    """Everything stored about one person, opened, as JSON-ready values ({} if unknown)."""
    person = (await connection.execute(select(people).where(people.c.id == person_id))).first()
    if person is None:
        return {}
    data: dict[str, Any] = {
        "person": _opened(cipher, "people", _plain(person._mapping, hide=("id",)))
    }
    for name, table in PERSONAL_TABLES:
        rows = await connection.execute(
            select(table).where(table.c.person_id == person_id).order_by(*table.primary_key)
        )
        data[name] = [
            _opened(cipher, table.name, _plain(row._mapping, hide=("person_id",))) for row in rows
        ]
    return data


async def reseal(engine: AsyncEngine, cipher: Cipher) -> int:
    """Seal every sealed column with the current key (after adding or rotating a key);
    returns how many values changed."""
    changed = 0
    async with engine.begin() as connection:
        for table in _SEALED_TABLES:
            columns = SEALED[table.name]
            rows = await connection.execute(select(table.c.id, *(table.c[c] for c in columns)))
            for row in rows.all():
                values = {
                    column: cipher.reseal(row._mapping[column])
                    for column in columns
                    if row._mapping[column]
                }
                values = {k: v for k, v in values.items() if v != row._mapping[k]}
                if values:
                    await connection.execute(
                        update(table).where(table.c.id == row.id).values(**values)
                    )
                    changed += len(values)
    return changed


def _opened(cipher: Cipher, table: str, values: dict[str, Any]) -> dict[str, Any]:
    for column in SEALED.get(table, ()):
        if values.get(column):
            values[column] = cipher.open(values[column])
    return values


def _plain(mapping: Mapping[Any, Any], hide: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as JSON-ready values: moments and dates in ISO 8601."""
    plain: dict[str, Any] = {}
    for key, value in mapping.items():
        if key in hide:
            continue
        if isinstance(value, dt.datetime | dt.date | dt.time):
            value = value.isoformat()
        plain[key] = value
    return plain
