"""The durable outbox of check-ins: claims under a lease, fenced records, hand-backs.

A claim is one atomic statement on PostgreSQL, ``UPDATE ... WHERE id IN (SELECT ... FOR
UPDATE SKIP LOCKED) RETURNING`` (instances never wait on each other's rows); on SQLite it is a
read and an update by id inside one write transaction (``storage.outbox_sqlite``). A claim
holds for a lease under a token; rows whose lease ran out are claimed again, so a process
killed mid-send loses nothing. Every later write names the token (see ``storage.records``):
a row another instance took over is never recorded, re-planned or handed back by the first.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import slices
from bot.delivery_ports import ClaimRequest
from bot.model import Due, Outcome, PlannedMessage, PlannedState
from storage import outbox_sqlite, records
from storage.bulk import converters_for
from storage.crypto import Cipher
from storage.direct import DirectSqlite
from storage.due import assemble
from storage.outbox_pg import PostgresOutbox
from storage.part import SqlPart
from storage.rows import PLANNED_COLUMNS, planned_from_row
from storage.tables import planned_messages

T = TypeVar("T")
PENDING = PlannedState.PENDING.value
CLAIMED = PlannedState.CLAIMED.value


class SqlOutbox(SqlPart):
    """:class:`bot.delivery_ports.Outbox` on SQLAlchemy."""

    def __init__(self, engine: AsyncEngine, cipher: Cipher | None = None) -> None:
        super().__init__(engine, cipher)
        self._direct = DirectSqlite.of(engine)
        # The last looks before sends read on a connection of their own: in WAL a read never
        # waits for a write, so a look is not queued behind the records being written.
        self._reads = DirectSqlite.of(engine)
        self._postgres = PostgresOutbox.of(engine)

    async def claim(self, request: ClaimRequest) -> Sequence[Due]:
        instance = request.instance
        if not request.platforms:
            return []

        def take(dialect: str) -> records.Plan[list[Any]]:
            return _take(dialect, request)

        rows = None
        if self._direct is not None:
            # The claim's write in one hop on the outbox's own connection, queued with its
            # records rather than contending with them for SQLite's write lock; what it takes
            # to write the messages is read after, outside the write transaction.
            rows = await self._direct.transaction(lambda c: records.run_sync(c, take("sqlite")))
        elif self._postgres is not None:
            # The same on a connection the outbox keeps, straight to asyncpg.
            rows = await self._postgres.run(take("postgresql"))
        if rows is not None:
            claimed = await _in_due_order(rows)
            if not claimed:
                return []
            async with self._engine.connect() as connection:
                return await assemble(connection, claimed, instance, self._cipher)
        async with self._engine.begin() as connection:
            rows = await records.run_async(connection, take(connection.dialect.name))
            claimed = await _in_due_order(rows)
            if not claimed:
                return []
            return await assemble(connection, claimed, instance, self._cipher)

    async def held(self, instance: str, planned_ids: Sequence[int], now: dt.datetime) -> set[int]:
        if not planned_ids:
            return set()
        if self._postgres is not None:
            return await self._postgres.held(instance, planned_ids, now)

        def plan(dialect: str) -> records.Plan[set[int]]:
            if dialect == "sqlite":
                return outbox_sqlite.held(instance, planned_ids, now)
            return records.held(dialect, instance, planned_ids, now)

        return await self._run(plan, read=True)

    async def renew(self, instance: str, lease_until: dt.datetime) -> int:
        return await self._run(lambda dialect: records.renew(dialect, instance, lease_until))

    async def release(self, instance: str, planned_ids: Sequence[int]) -> int:
        if not planned_ids:
            return 0
        return await self._run(lambda dialect: records.release(dialect, instance, planned_ids))

    async def record(
        self, instance: str, outcomes: Sequence[Outcome], now: dt.datetime
    ) -> Sequence[bool]:
        if not outcomes:
            return []
        if self._postgres is not None:
            return await self._postgres.record(instance, outcomes, now)

        def plan(dialect: str) -> records.Plan[list[bool]]:
            if dialect == "sqlite" and outbox_sqlite.common(outcomes):
                return outbox_sqlite.record(instance, outcomes, now)
            return records.record(dialect, instance, outcomes, now)

        return await self._run(plan)

    async def _run(self, plan: Callable[[str], records.Plan[T]], *, read: bool = False) -> T:
        """One transaction of a plan: on SQLite on the outbox's own connections, else on the
        engine."""
        direct = self._reads if read else self._direct
        if direct is not None:
            # A read (the last look before a send: a few microseconds) runs on the event
            # loop's thread when it can; a fresh plan each time, so it can run again there.
            return await direct.transaction(
                lambda c: records.run_sync(c, plan("sqlite")), read=read, here=read
            )
        async with self._engine.begin() as connection:
            return await records.run_async(connection, plan(connection.dialect.name))

    async def close(self) -> None:
        """Close the outbox's own SQLite connections, or give back its PostgreSQL ones."""
        for direct in (self._direct, self._reads):
            if direct is not None:
                await direct.close()
        if self._postgres is not None:
            await self._postgres.close()

    async def counts(self) -> dict[str, int]:
        """How many planned messages are in each state."""
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(planned_messages.c.state, func.count()).group_by(planned_messages.c.state)
            )
            return {state: count for state, count in rows}


def _take(dialect: str, request: ClaimRequest) -> records.Plan[list[Any]]:
    """Claim what ``request`` asks for: the claimed rows.

    Two index walks rather than one OR: claims whose lease ran out first, then due messages
    in due order. (An OR would sort every due row on each batch.)"""
    walk = outbox_sqlite.claim if dialect == "sqlite" else functools.partial(_walk, dialect)
    rows = yield from walk(request, CLAIMED, "lease_until")
    if len(rows) < request.limit:
        rows += yield from walk(
            replace(request, limit=request.limit - len(rows)), PENDING, "due_at"
        )
    return rows


def _walk(dialect: str, request: ClaimRequest, state: str, moment: str) -> records.Plan[list[Any]]:
    """Claim up to ``request.limit`` rows in ``state`` whose ``moment`` (a column) has come,
    oldest first, in one statement: the claimed rows."""
    if dialect == "postgresql":
        # The ids as an array, each row then found by its primary key. Written ``IN
        # (subquery)``, the planner hashes the ids and scans the whole table for them: a scan
        # that grows with every check-in ever sent (10 of a claim's 45 ms at 100,000 rows).
        among, end, lock = "= ANY(ARRAY(", "))", " FOR UPDATE SKIP LOCKED"
    else:
        among, end, lock = "IN (", ")", ""
    to_moment, _ = converters_for(dialect)
    platforms = request.platforms
    rows: list[Any] = yield (
        "UPDATE planned_messages SET state = 'claimed', lease_until = ?, claimed_by = ?,"
        f" attempts = attempts + 1 WHERE id {among}SELECT id FROM planned_messages"
        f" WHERE state = ? AND platform IN ({records.markers(platforms)}) AND {moment} <= ?"
        f" ORDER BY {moment} LIMIT ?{lock}{end}"
        f" RETURNING {', '.join(PLANNED_COLUMNS)}",
        (
            to_moment(request.lease_until),
            request.instance,
            state,
            *platforms,
            to_moment(request.now),
            request.limit,
        ),
        False,
    )
    return rows


async def _in_due_order(rows: Sequence[Any]) -> list[PlannedMessage]:
    """Claimed rows as messages, the oldest due first (UPDATE ... RETURNING gives them in
    table order, not the subquery's)."""
    # Sorted on the raw values, which order as their moments do (SQLite's fixed-width UTC text,
    # the driver's datetimes): a C key, no tuple of datetimes per row to compare.
    return await slices.mapped(planned_from_row, sorted(rows, key=_DUE_ORDER))


_DUE_ORDER = operator.itemgetter(PLANNED_COLUMNS.index("due_at"), PLANNED_COLUMNS.index("id"))
