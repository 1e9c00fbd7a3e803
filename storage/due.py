"""Claimed planned messages with what it takes to write them: the person, their latest mood,
the rejection the plan is about, wins since then, the application a reminder is about, and
the week's applications for the plan-B step.

A few set-based queries per batch, never one per message. On PostgreSQL each finds the batch
by joining on the claim's token. On SQLite each is handed the batch's ids as one JSON text:
its planner, told by ``ANALYZE`` that most rows are pending, would read the whole table to find
a claim's few claimed rows by state and token.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from bot import slices
from bot.model import Application, Due, PlannedMessage, PlannedState
from bot.schedule import WEEK
from storage.application_tables import applications
from storage.applications import application_from_row
from storage.bulk import fetch, numbered
from storage.crypto import Cipher
from storage.rows import PERSON_COLUMNS, person_from_row, rejection_from_row
from storage.tables import moods, planned_messages, rejections, wins

CLAIMED = PlannedState.CLAIMED.value
# Straight to the driver: the people of a batch are the hot path's largest read.
_PEOPLE_OF_CLAIM = (
    f"SELECT {', '.join(PERSON_COLUMNS)} FROM people WHERE id IN (SELECT person_id"
    " FROM planned_messages WHERE claimed_by = ? AND state = 'claimed')"
)
_PEOPLE_AMONG = (
    f"SELECT {', '.join(PERSON_COLUMNS)} FROM people WHERE id IN (SELECT value FROM json_each(?))"
)


def _among(connection: Any, ids: Iterable[int], of_claim: Select[Any]) -> Select[Any]:
    """The batch's ``ids`` of something, as a subquery: ``of_claim`` (found by the claim's
    token) on PostgreSQL, the ids themselves in a JSON text on SQLite."""
    if connection.dialect.name != "sqlite":
        return of_claim
    listed = func.json_each(bindparam(None, json.dumps(sorted(set(ids))))).table_valued("value")
    return select(listed.c.value)


async def assemble(
    connection: Any, claimed: list[PlannedMessage], instance: str, cipher: Cipher
) -> list[Due]:
    """Each message claimed under ``instance`` with its person, mood, rejection and wins
    (sealed names and employers opened with ``cipher``)."""
    t = planned_messages
    batch = _among(
        connection,
        (m.person_id for m in claimed),
        select(t.c.person_id).where(t.c.claimed_by == instance, t.c.state == CLAIMED),
    )
    person_rows = await _people(connection, instance, claimed)
    people = await slices.mapped(functools.partial(person_from_row, cipher=cipher), person_rows)
    by_person = {person.id: person for person in people}
    ranked = (
        select(
            moods.c.person_id,
            moods.c.score,
            func.row_number()
            .over(
                partition_by=moods.c.person_id,
                order_by=(moods.c.created_at.desc(), moods.c.id.desc()),
            )
            .label("rank"),
        )
        .where(moods.c.person_id.in_(batch.scalar_subquery()))
        .subquery()
    )
    latest_mood = {
        row.person_id: row.score
        for row in await connection.execute(
            select(ranked.c.person_id, ranked.c.score).where(ranked.c.rank == 1)
        )
    }
    by_rejection = {}
    if any(m.rejection_id is not None for m in claimed):
        claimed_rejections = _among(
            connection,
            (m.rejection_id for m in claimed if m.rejection_id is not None),
            select(t.c.rejection_id).where(
                t.c.claimed_by == instance, t.c.state == CLAIMED, t.c.rejection_id.is_not(None)
            ),
        )
        by_rejection = {
            row.id: rejection_from_row(row, cipher)
            for row in await connection.execute(
                select(rejections).where(rejections.c.id.in_(claimed_rejections.scalar_subquery()))
            )
        }
    wrap_ups = [m for m in claimed if m.kind == "day7_wrap_up" and m.rejection_id in by_rejection]
    wins_since: dict[int, int] = {}
    if wrap_ups:
        since = {m.person_id: by_rejection[m.rejection_id].created_at for m in wrap_ups}
        rows = await connection.execute(
            select(wins.c.person_id, wins.c.created_at).where(wins.c.person_id.in_(list(since)))
        )
        for row in rows:
            if row.created_at >= since[row.person_id]:
                wins_since[row.person_id] = wins_since.get(row.person_id, 0) + 1
    by_application = await _applications(connection, claimed, instance, cipher)
    this_week = await _applied_this_week(connection, claimed)

    def due(message: PlannedMessage) -> Due:
        return Due(
            message=message,
            person=by_person[message.person_id],
            latest_mood=latest_mood.get(message.person_id),
            rejection=by_rejection.get(message.rejection_id) if message.rejection_id else None,
            wins_since_rejection=wins_since.get(message.person_id, 0),
            application=(
                by_application.get(message.application_id) if message.application_id else None
            ),
            applied_this_week=this_week.get(message.id),
        )

    return await slices.mapped(due, [m for m in claimed if m.person_id in by_person])


async def _people(connection: Any, instance: str, claimed: list[PlannedMessage]) -> list[Any]:
    """The people rows of the claim: on asyncpg straight from the driver (a claim's thousands
    of rows cost more as SQLAlchemy rows than to read); a plain read, so no transaction of
    SQLAlchemy's is bypassed."""
    if connection.dialect.driver == "asyncpg" and not connection.in_transaction():
        driver = (await connection.get_raw_connection()).driver_connection
        return list(await driver.fetch(numbered(_PEOPLE_OF_CLAIM), instance))
    if connection.dialect.name == "sqlite":
        ids = json.dumps(sorted({m.person_id for m in claimed}))
        return await fetch(connection, _PEOPLE_AMONG, (ids,))
    return await fetch(connection, _PEOPLE_OF_CLAIM, (instance,))


async def _applications(
    connection: Any, claimed: list[PlannedMessage], instance: str, cipher: Cipher
) -> dict[int, Application]:
    """The applications the claimed reminders are about, by id."""
    if not any(m.application_id is not None for m in claimed):
        return {}
    t = planned_messages
    about = _among(
        connection,
        (m.application_id for m in claimed if m.application_id is not None),
        select(t.c.application_id).where(
            t.c.claimed_by == instance, t.c.state == CLAIMED, t.c.application_id.is_not(None)
        ),
    )
    rows = await connection.execute(
        select(applications).where(applications.c.id.in_(about.scalar_subquery()))
    )
    return {row.id: application_from_row(row, cipher) for row in rows}


async def _applied_this_week(
    connection: Any, claimed: list[PlannedMessage]
) -> dict[int, tuple[int, int]]:
    """For each claimed day-5 step of someone who tracks applications: how many they sent in
    the seven days up to its local date, and how many of those were adjacent titles."""
    plan_b = [m for m in claimed if m.kind == "day5_plan_b"]
    if not plan_b:
        return {}
    rows = await connection.execute(
        select(applications.c.person_id, applications.c.applied_on, applications.c.adjacent).where(
            applications.c.person_id.in_({m.person_id for m in plan_b})
        )
    )
    by_person: dict[int, list[tuple[Any, bool]]] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append((row.applied_on, bool(row.adjacent)))
    counted: dict[int, tuple[int, int]] = {}
    for message in plan_b:
        sent = by_person.get(message.person_id)
        if sent is None:
            continue
        today = message.local.date()
        week = [adjacent for day, adjacent in sent if today - WEEK < day <= today]
        counted[message.id] = (len(week), sum(week))
    return counted
