"""The outbox's hot statements on PostgreSQL: one statement, one round trip, straight to asyncpg.

The dispatcher looks at a few dozen claimed rows before sending them and records the sends a
few dozen at a time, many times a second. Through SQLAlchemy each of those is a checkout with
its ping, a BEGIN, a statement or three and a COMMIT; here each is a single statement with
its rows as array parameters, run in autocommit (a statement is its own transaction, so a
record is still all or nothing) on a connection kept between calls, prepared once by
asyncpg's statement cache.

A group's record is one statement with data-modifying CTEs: the rows still claimed under the
token are marked, and only those rows plan their next check-in (the partial unique indexes
keep it to one pending per kind) and update the conversation. Groups holding anything rarer
(a retry, a person the platform cannot reach) are recorded by :mod:`storage.records`' plan.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import PoolProxiedConnection, event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from bot.model import CheckinState, Outcome, PlannedState
from storage import records
from storage.bulk import numbered
from storage.records import WAITING_STAGES, claimed

T = TypeVar("T")

_WAITING = list(WAITING_STAGES)

_HELD = (
    "SELECT m.id FROM planned_messages m JOIN people p ON p.id = m.person_id"
    f" WHERE m.id = ANY($1::bigint[]) AND m.claimed_by = $2 AND {claimed('m')}"
    " AND p.unreachable = '' AND p.checkins <> $3"
    " AND NOT (p.checkins = $4 AND p.paused_until IS NOT NULL AND p.paused_until > $5)"
)

# $1 token, $2 now, $3 the ids, $4 a JSON array with one array of values per id, in the
# same order (see _values). The rows are found by their ids alone (the primary key) and each
# row's values are read at its id's position: no join whose size the planner could misjudge
# (statistics never see a claim, so it takes a token's rows for one and scans the table).
# (One JSON text rather than an array per column: asyncpg checks every element of an array
# parameter in Python, which costs more than the statement.)
_ROW = "($4::jsonb -> (array_position($3::bigint[], m.id) - 1))"


def _at(n: int, row: str = "v") -> str:
    return f"({row} ->> {n})"


_RECORD = (
    "WITH done AS (UPDATE planned_messages m SET lease_until = NULL,"
    f" state = {_at(0, _ROW)}, outcome = {_at(2, _ROW)},"
    f" sent_at = CASE WHEN {_at(0, _ROW)} = 'sent' THEN $2::timestamptz ELSE m.sent_at END,"
    f" message_id = CASE WHEN {_at(0, _ROW)} = 'sent' THEN {_at(1, _ROW)}"
    " ELSE m.message_id END"
    f" WHERE m.id = ANY($3::bigint[]) AND m.claimed_by = $1::text AND {claimed('m')}"
    " RETURNING m.id, m.person_id, m.platform, m.application_id, m.state,"
    " array_position($3::bigint[], m.id) AS n),"
    " recorded AS (SELECT done.*, $4::jsonb -> (n - 1) AS v FROM done),"
    # The next check-in of each row recorded here, unless one of its kind is pending already.
    " planned AS (INSERT INTO planned_messages (person_id, platform, rejection_id, kind,"
    " due_at, planned_local, planned_zone, state, attempts, claimed_by, message_id, outcome,"
    " created_at, application_id)"
    f" SELECT person_id, platform, NULL, {_at(3)}, {_at(4)}::timestamptz,"
    f" {_at(5)}::timestamp, {_at(6)}, 'pending', 0, '', '', '', $2::timestamptz,"
    f" application_id FROM recorded WHERE {_at(3)} IS NOT NULL ORDER BY n"
    " ON CONFLICT DO NOTHING),"
    # Told "filed under no answer": it is, unless news came in the meantime.
    " closed AS (UPDATE applications a SET stage = 'no_answer', moved_at = $2::timestamptz"
    f" FROM recorded r WHERE {_at(9, 'r.v')} = 'true' AND r.state = 'sent'"
    " AND a.id = r.application_id AND a.stage = ANY($5::text[])),"
    # One conversation per person: of two rows for one person, the later outcome's wins.
    " talk AS (INSERT INTO conversations (person_id, topic, data, updated_at)"
    f" SELECT DISTINCT ON (person_id) person_id, {_at(7)}, {_at(8)}, $2::timestamptz"
    f" FROM recorded WHERE {_at(7)} IS NOT NULL ORDER BY person_id, n DESC"
    " ON CONFLICT (person_id) DO UPDATE SET topic = excluded.topic, data = excluded.data,"
    " updated_at = excluded.updated_at)"
    " SELECT id FROM done"
)


# A kept connection idle longer than this goes back to the engine's pool, whose ping checks it
# before it serves again (the server may have dropped it meanwhile).
IDLE_SECONDS = 5.0
# Connections kept between calls: two records at once (the write-behind's writers), the last
# look, and a lease renewal.
KEPT = 4


@dataclass
class _Lane:
    """A connection checked out of the engine's pool, with its asyncpg driver."""

    pooled: PoolProxiedConnection
    driver: Any
    idle_since: float = 0.0


class PostgresOutbox:
    """The last look and the records of :class:`storage.outbox.SqlOutbox` on PostgreSQL.

    It keeps a few connections checked out between calls: each checkout from the pool costs
    three round trips for its ping, more than the statement itself. One idle for a few seconds
    goes back to the pool (and its ping) before it serves again; all go back on :meth:`close`
    and are closed when the engine is disposed.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._idle: list[_Lane] = []
        # The engine holds the kept connections (not this outbox, which may go first): they
        # go with the engine's own when it is disposed.
        self._disposed = functools.partial(_invalidate, self._idle)
        event.listen(engine.sync_engine, "engine_disposed", self._disposed)

    @classmethod
    def of(cls, engine: AsyncEngine) -> PostgresOutbox | None:
        """One for a PostgreSQL ``engine`` on asyncpg; None for any other database."""
        if engine.dialect.name != "postgresql" or engine.dialect.driver != "asyncpg":
            return None
        return cls(engine)

    async def held(self, instance: str, ids: Sequence[int], now: dt.datetime) -> set[int]:
        """Which of ``ids`` are still claimed under ``instance`` and welcome to their person."""
        stopped, paused = CheckinState.STOPPED.value, CheckinState.PAUSED.value
        async with self._lane() as driver:
            rows = await driver.fetch(_HELD, list(ids), instance, stopped, paused, now)
        return {row[0] for row in rows}

    async def record(
        self, instance: str, outcomes: Sequence[Outcome], now: dt.datetime
    ) -> list[bool]:
        """Record ``outcomes`` under ``instance``'s claim; per outcome, whether it was."""
        if any(o.state is PlannedState.PENDING or o.unreachable for o in outcomes):
            async with self._engine.begin() as connection:
                plan = records.record("postgresql", instance, outcomes, now)
                return await records.run_async(connection, plan)
        ids = [o.planned_id for o in outcomes]
        values = _values(outcomes)
        async with self._lane() as driver:
            rows = await driver.fetch(_RECORD, instance, now, ids, values, _WAITING)
        done = {row[0] for row in rows}
        return [o.planned_id in done for o in outcomes]

    async def run(self, plan: records.Plan[T]) -> T:
        """Run ``plan`` (``?`` markers) in one transaction on a kept connection: rows as asyncpg
        returns them, without SQLAlchemy's result rows (a claim returns thousands)."""
        async with self._lane() as driver, driver.transaction():

            async def rows(sql: str, params: Any) -> list[Any]:
                return list(await driver.fetch(numbered(sql), *params))

            async def many(sql: str, params: Any) -> None:
                await driver.executemany(numbered(sql), params)

            return await records.run_on(plan, rows, many)

    @contextlib.asynccontextmanager
    async def _lane(self) -> AsyncIterator[Any]:
        """A kept connection's asyncpg driver, or a new one's; one that failed goes.

        Statements on it run in autocommit: SQLAlchemy never starts a transaction on it."""
        lane = None
        while self._idle and lane is None:
            lane = self._idle.pop()
            if time.monotonic() - lane.idle_since > IDLE_SECONDS:
                await greenlet_spawn(lane.pooled.close)
                lane = None
        if lane is None:
            pooled = await self._engine.raw_connection()
            lane = _Lane(pooled, pooled.driver_connection)
        try:
            yield lane.driver
        except BaseException:
            # Dead, or stopped mid-statement: closed, never handed out again.
            lane.pooled.invalidate()
            raise
        if len(self._idle) < KEPT:
            lane.idle_since = time.monotonic()
            self._idle.append(lane)
        else:
            await greenlet_spawn(lane.pooled.close)

    async def close(self) -> None:
        """Give the kept connections back to the engine's pool."""
        idle = list(self._idle)
        self._idle.clear()
        for lane in idle:
            await greenlet_spawn(lane.pooled.close)


def _invalidate(lanes: list[_Lane], *_: Any) -> None:
    """Close ``lanes`` (the engine they came from is disposed)."""
    idle, lanes[:] = list(lanes), []
    for lane in idle:
        lane.pooled.invalidate()


def _values(outcomes: Sequence[Outcome]) -> str:
    """The record statement's values as JSON: per outcome, in order, its new state, platform
    message id, outcome code, next check-in (kind, due, local time, zone), conversation
    (topic, data), and whether it files its application under no answer."""
    rows: list[list[Any]] = []
    # Many outcomes of a group share their next slot: each is written out once.
    slots: dict[int, tuple[str, str, str]] = {}
    for o in outcomes:
        row: list[Any] = [o.state.value, o.platform_message_id[:64], o.code[:32]]
        if o.follow_up is None:
            row += (None, None, None, None)
        else:
            kind, slot = o.follow_up
            written = slots.get(id(slot))
            if written is None:
                written = (slot.due.isoformat(), slot.local.isoformat(), slot.zone)
                slots[id(slot)] = written
            row.append(kind)
            row += written
        if o.conversation is None:
            row += (None, None)
        else:
            row += (o.conversation[0], o.conversation[1][:200])
        row.append(o.closes_application)
        rows.append(row)
    return json.dumps(rows)
