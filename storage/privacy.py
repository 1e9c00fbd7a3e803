"""What of a person is sealed at rest, what their export holds, and resealing after a key change.

Sealed with ``BOUNCEBACK_ENCRYPTION_KEY``: everything a person writes, plus the names that point
at real people and employers (their display name, the company, the role, the interviewer's
name). No query looks any of these up by value, so none needs a keyed hash beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.crypto import Cipher
from storage.tables import (
    AnswerRow,
    CommunityPostRow,
    ConversationRow,
    MoodRow,
    PersonRow,
    PlannedMessageRow,
    ReflectionRow,
    RejectionRow,
    WinRow,
)

_people: Table = PersonRow.__table__  # type: ignore[assignment]
_rejections: Table = RejectionRow.__table__  # type: ignore[assignment]
_reflections: Table = ReflectionRow.__table__  # type: ignore[assignment]
_moods: Table = MoodRow.__table__  # type: ignore[assignment]
_answers: Table = AnswerRow.__table__  # type: ignore[assignment]
_wins: Table = WinRow.__table__  # type: ignore[assignment]
_conversations: Table = ConversationRow.__table__  # type: ignore[assignment]
_planned: Table = PlannedMessageRow.__table__  # type: ignore[assignment]
_posts: Table = CommunityPostRow.__table__  # type: ignore[assignment]

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
_SEALED_TABLES = (_people, _rejections, _reflections, _moods, _answers, _wins, _posts)

# Every table holding a person's records (each has person_id), in the order export shows them.
PERSONAL_TABLES: tuple[tuple[str, Table], ...] = (
    ("rejections", _rejections),
    ("reflections", _reflections),
    ("moods", _moods),
    ("checkin_answers", _answers),
    ("wins", _wins),
    ("pending_question", _conversations),
    ("planned_messages", _planned),
    ("shared_posts", _posts),
)


async def export(connection: AsyncConnection, cipher: Cipher, person_id: int) -> dict[str, Any]:
    """Everything stored about one person, opened, as JSON-ready values ({} if unknown)."""
    person = (await connection.execute(select(_people).where(_people.c.id == person_id))).first()
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
