"""Privacy: what of a person is sealed at rest, what their export holds, erasing a person or a
whole community, and resealing after a key change (:class:`bot.ports.Privacy`).

Sealed with ``BOUNCEBACK_ENCRYPTION_KEY``: everything a person writes, plus the names that point
at real people and employers (their display name, the company, the role, the interviewer's
name). No query looks any of these up by value, so none needs a keyed hash beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.application_tables import application_settings, applications
from storage.crypto import Cipher
from storage.tables import (
    answers,
    button_memos,
    communities,
    community_posts,
    conversations,
    dm_channels,
    home_charts,
    moods,
    organization_members,
    people,
    planned_messages,
    practice_members,
    practice_pairs,
    reflections,
    rejections,
    removals,
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
    "button_memos": ("data",),  # a long form's half-typed values (the Discord adapter)
    "applications": ("company", "role", "link", "interviewer", "notes"),
    "practice_members": ("areas", "role_kind"),
}
# How far a reseal got: (table, rows done, rows in it), for an operator's terminal.
Progress = Callable[[str, int, int], None]
PROGRESS_ROWS = 1000

_SEALED_TABLES = (
    people, rejections, reflections, moods, answers, wins, community_posts, applications,
    practice_members,
    button_memos,
)  # fmt: skip

# Every table holding a person's records (each has person_id), in the order export shows them.
PERSONAL_TABLES: tuple[tuple[str, Table], ...] = (
    ("rejections", rejections),
    ("applications", applications),
    ("application_settings", application_settings),
    ("reflections", reflections),
    ("moods", moods),
    ("checkin_answers", answers),
    ("wins", wins),
    ("pending_question", conversations),
    ("planned_messages", planned_messages),
    ("shared_posts", community_posts),
    ("practice_partners", practice_members),
    ("practice_rounds", practice_pairs),
    ("dm_channel", dm_channels),  # the id of the DM channel the platform opened
)


# Every table besides people holding a community's rows by (platform, community): what erasing
# the community empties (storage.removals lists the communities from them too).
COMMUNITY_TABLES: tuple[Table, ...] = (
    community_posts, practice_pairs, communities, organization_members, home_charts,
)  # fmt: skip


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
        their records, and its owed removal; returns how many people."""
        async with self._connect() as connection:
            for table in (*COMMUNITY_TABLES, removals):
                where = (table.c.platform == platform, table.c.community == community)
                await connection.execute(delete(table).where(*where))
            result = await connection.execute(
                delete(people).where(people.c.platform == platform, people.c.community == community)
            )
        await self._erase_after_commit()
        return result.rowcount

    async def reseal(self, progress: Progress | None = None) -> int:
        """Seal every sealed value with the current key (after adding or rotating a key);
        returns how many values changed; ``progress`` hears how far it got, table by table."""
        return await reseal(self._engine, self._cipher, progress)


async def export(connection: AsyncConnection, cipher: Cipher, person_id: int) -> dict[str, Any]:
    """Everything stored about one person, opened, as JSON-ready values ({} if unknown)."""
    person = (await connection.execute(select(people).where(people.c.id == person_id))).first()
    if person is None:
        return {}
    data: dict[str, Any] = {
        "person": _opened(cipher, "people", _plain(person._mapping, hide=("id",)))
    }
    charts = await connection.execute(
        select(home_charts.c.file_id, home_charts.c.updated_at).where(
            home_charts.c.platform == person.platform,
            home_charts.c.community == person.community,
            home_charts.c.user_id == person.user_id,
        )
    )
    data["home_chart"] = [_plain(row._mapping) for row in charts]
    for name, table in PERSONAL_TABLES:
        rows = await connection.execute(
            select(table).where(table.c.person_id == person_id).order_by(*table.primary_key)
        )
        data[name] = [
            _opened(cipher, table.name, _plain(row._mapping, hide=("person_id",))) for row in rows
        ]
    return data


async def reseal(
    engine: AsyncEngine,
    cipher: Cipher,
    progress: Progress | None = None,
    every: int = PROGRESS_ROWS,
) -> int:
    """Seal every sealed column with the current key (after adding or rotating a key);
    returns how many values changed. ``progress(table, rows done, rows)`` hears of each
    table as it goes, every ``every`` rows and at its end."""
    changed = 0
    async with engine.begin() as connection:
        for table in _SEALED_TABLES:
            columns = SEALED[table.name]
            # Each sealed table has a one-column key: ``id``, ``person_id`` for practice
            # choices, a button memo's ``token``.
            (key,) = table.primary_key.columns
            rows = (await connection.execute(select(key, *(table.c[c] for c in columns)))).all()
            for done, row in enumerate(rows, start=1):
                values = {
                    column: cipher.reseal(row._mapping[column])
                    for column in columns
                    if row._mapping[column]
                }
                values = {k: v for k, v in values.items() if v != row._mapping[k]}
                if values:
                    await connection.execute(
                        update(table).where(key == row._mapping[key.name]).values(**values)
                    )
                    changed += len(values)
                if progress is not None and done % every == 0 and done < len(rows):
                    progress(table.name, done, len(rows))
            if progress is not None:
                progress(table.name, len(rows), len(rows))
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
