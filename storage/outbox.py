"""The durable outbox of check-ins: claims under a lease, fenced records, hand-backs.

A claim is one atomic statement: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP
LOCKED) RETURNING`` on PostgreSQL (instances never wait on each other's rows) and the same
UPDATE on SQLite (which takes its write lock for the statement). A claim holds for a lease
under a token; rows whose lease ran out are claimed again, so a process killed mid-send
loses nothing. Every later write names the token (see ``storage.records``): a row another
instance took over is never recorded, re-planned or handed back by the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery_ports import ClaimRequest
from bot.model import Due, Outcome, PlannedState
from storage import records
from storage.bulk import fetch, moment
from storage.crypto import Cipher
from storage.direct import DirectSqlite
from storage.due import assemble
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

    async def claim(self, request: ClaimRequest) -> Sequence[Due]:
        now, limit, lease_until = request.now, request.limit, request.lease_until
        instance, platforms = request.instance, request.platforms
        if not platforms:
            return []
        async with self._engine.begin() as connection:
            lock = " FOR UPDATE SKIP LOCKED" if connection.dialect.name == "postgresql" else ""
            markers = ", ".join("?" for _ in platforms)
            at = moment(connection, now)
            take = (
                "UPDATE planned_messages SET state = 'claimed', lease_until = ?, claimed_by = ?,"
                " attempts = attempts + 1 WHERE id IN (SELECT id FROM planned_messages"
                f" WHERE state = ? AND platform IN ({markers}) AND {{moment}} <= ?"
                f" ORDER BY {{moment}} LIMIT ?{lock})"
                f" RETURNING {', '.join(PLANNED_COLUMNS)}"
            )
            held = moment(connection, lease_until)
            # Two index walks rather than one OR: claims whose lease ran out first, then due
            # messages in due order. (An OR would sort every due row on each batch.)
            rows = await fetch(
                connection,
                take.format(moment="lease_until"),
                (held, instance, CLAIMED, *platforms, at, limit),
            )
            if len(rows) < limit:
                rows += await fetch(
                    connection,
                    take.format(moment="due_at"),
                    (held, instance, PENDING, *platforms, at, limit - len(rows)),
                )
            # UPDATE ... RETURNING gives rows in table order, not the subquery's: the oldest
            # due go first.
            claimed = sorted(map(planned_from_row, rows), key=lambda m: (m.due, m.id))
            if not claimed:
                return []
            return await assemble(connection, claimed, instance, self._cipher)

    async def held(self, instance: str, planned_ids: Sequence[int], now: dt.datetime) -> set[int]:
        if not planned_ids:
            return set()

        def plan(dialect: str) -> records.Plan[set[int]]:
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
        return await self._run(lambda dialect: records.record(dialect, instance, outcomes, now))

    async def _run(self, plan: Callable[[str], records.Plan[T]], *, read: bool = False) -> T:
        """One transaction of a plan: in one hop on SQLite, else on the engine."""
        if self._direct is not None:
            return await self._direct.transaction(
                lambda c: records.run_sync(c, plan("sqlite")), read=read
            )
        async with self._engine.begin() as connection:
            return await records.run_async(connection, plan(connection.dialect.name))

    async def close(self) -> None:
        """Close the outbox's own SQLite connection, if it has one."""
        if self._direct is not None:
            await self._direct.close()

    async def counts(self) -> dict[str, int]:
        """How many planned messages are in each state."""
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(planned_messages.c.state, func.count()).group_by(planned_messages.c.state)
            )
            return {state: count for state, count in rows}
