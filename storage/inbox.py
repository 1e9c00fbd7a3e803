"""The inbox: acknowledged work, kept until it is done, redone once if its process died.

An adapter writes an entry before it acknowledges a request, under the platform's own id for
that delivery (so a retried delivery is recognised), holding it for a lease. It marks the
entry done when the work is; a graceful shutdown hands unfinished entries back at once. An
entry still pending when its lease ran out is reclaimed by one instance (the claim is one
fenced UPDATE, as in the outbox) and redone there. On a SQLite file the entries live in a
file of their own (:mod:`storage.inbox_file`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import inbox_file
from storage.bulk import converters_for, fetch, moment
from storage.checkpoints import Checkpointer
from storage.crypto import Cipher
from storage.database import dialect_insert, inbox_path
from storage.direct import DirectSqlite
from storage.tables import inbox

PENDING = "pending"
DONE = "done"
FAILED = "failed"
# Redoing an entry that failed again and again helps nobody: it is dropped after this many.
MAX_ATTEMPTS = 3
# ``accept`` on SQLite: one statement on the acknowledging path, in one hop to its thread.
_ACCEPT = (
    "INSERT INTO inbox (key, platform, payload, state, claimed_by, lease_until, attempts,"
    " received_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING RETURNING id"
)
_DONE = (
    "UPDATE inbox SET state = ?, payload = '', lease_until = NULL WHERE id = ? AND claimed_by = ?"
)
_HOLD = "UPDATE inbox SET lease_until = ? WHERE id = ? AND state = 'pending' AND claimed_by = ?"
_RECLAIM = (
    "UPDATE inbox SET claimed_by = ?, lease_until = ?, attempts = attempts + 1"
    " WHERE id IN (SELECT id FROM inbox WHERE state = 'pending' AND platform = ?"
    " AND lease_until <= ? ORDER BY id LIMIT ?) RETURNING id, payload, attempts"
)
_GIVE_UP = "UPDATE inbox SET state = 'failed', payload = '', lease_until = NULL WHERE id = ?"
_SQLITE_MOMENT, _ = converters_for("sqlite")


@dataclass(frozen=True, slots=True)
class Entry:
    """One piece of acknowledged work, as its adapter stored it."""

    id: int
    payload: str


@dataclass(eq=False, slots=True)
class SqlInbox:
    """Acknowledged work on SQLAlchemy, for one process (``instance``)."""

    engine: AsyncEngine
    cipher: Cipher
    _: KW_ONLY
    instance: str
    lease: dt.timedelta = dt.timedelta(seconds=60)
    may_keep: Callable[[str], bool] = lambda payload: True
    # Accepting is on the path of an acknowledgement (Slack's 3 s, and people waiting): on
    # a SQLite file the inbox is a file of its own (storage.inbox_file), on one connection
    # of its own; no engine transaction holding the database's write lock is ever waited
    # for, nor SQLite's busy handler (which sleeps a millisecond and more). An entry is
    # accepted and marked done right on the event loop's thread (microseconds), the rest in
    # one hop to the connection's thread.
    _direct: DirectSqlite | None = field(init=False, repr=False)
    _checkpointer: Checkpointer | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        path = inbox_path(self.engine)
        self._direct = self._checkpointer = None
        if path is not None:
            self._checkpointer = Checkpointer(path)
            # Stopped by close(), or with the engine's own when the engine is disposed.
            event.listen(self.engine.sync_engine, "engine_disposed", self._checkpointer.stop)
            database = inbox_file.database_of(path)
            self._direct = DirectSqlite(
                path, self._checkpointer, lambda c: inbox_file.prepare(c, database)
            )

    async def close(self) -> None:
        """Close the inbox file's connection and checkpoints (SQLite), if they were opened."""
        if self._direct is not None:
            await self._direct.close()
        if self._checkpointer is not None:
            await asyncio.to_thread(self._checkpointer.stop)

    async def accept(self, platform: str, key: str, payload: str, now: dt.datetime) -> int | None:
        """Keep ``payload`` until :meth:`done`: its entry; None when ``key`` was accepted
        before; 0 when it may not be kept (``may_keep`` refused it: it is not written)."""
        if not self.may_keep(payload):
            return 0
        if self._direct is not None:
            values = (
                f"{platform}:{key}"[:200],
                platform,
                self.cipher.seal(payload),
                PENDING,
                self.instance,
                _SQLITE_MOMENT(now + self.lease),
                _SQLITE_MOMENT(now),
            )
            return await self._direct.transaction(lambda c: _accepted(c, values), here=True)
        statement = (
            dialect_insert(self.engine, inbox)
            .values(
                key=f"{platform}:{key}"[:200],
                platform=platform,
                payload=self.cipher.seal(payload),
                state=PENDING,
                claimed_by=self.instance,
                lease_until=now + self.lease,
                attempts=1,
                received_at=now,
            )
            .on_conflict_do_nothing()
            .returning(inbox.c.id)
        )
        async with self.engine.begin() as connection:
            return (await connection.execute(statement)).scalar()

    async def done(self, entry: int) -> None:
        """The work is done: nothing of it is kept but the key (for recognising retries)."""
        if self._direct is not None:
            values = (DONE, entry, self.instance)
            await self._direct.transaction(lambda c: c.execute(_DONE, values), here=True)
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                update(inbox)
                .where(inbox.c.id == entry, inbox.c.claimed_by == self.instance)
                .values(state=DONE, payload="", lease_until=None)
            )

    async def renew(self, entries: Sequence[int], now: dt.datetime) -> None:
        """Work still in hand here (queued behind a backlog, or slow): its lease runs from
        ``now`` again, so no instance takes it over while this one will still do it."""
        await self._hold(entries, now + self.lease)

    async def hand_back(self, entries: Sequence[int], now: dt.datetime) -> None:
        """Work this process will not finish (it is stopping): any instance may redo it now."""
        await self._hold(entries, now)

    async def _hold(self, entries: Sequence[int], until: dt.datetime) -> None:
        """Entries still pending under this instance are held until ``until``."""
        if not entries:
            return
        if self._direct is not None:
            values = [(_SQLITE_MOMENT(until), id_, self.instance) for id_ in entries]
            await self._direct.transaction(lambda c: c.executemany(_HOLD, values))
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                update(inbox)
                .where(
                    inbox.c.id.in_(list(entries)),
                    inbox.c.state == PENDING,
                    inbox.c.claimed_by == self.instance,
                )
                .values(lease_until=until)
            )

    async def reclaim(self, platform: str, now: dt.datetime, limit: int = 50) -> list[Entry]:
        """Take over entries whose holder's lease ran out, to redo them here (each once)."""
        rows: Sequence[Sequence[Any]]
        if self._direct is not None:
            values = (
                self.instance,
                _SQLITE_MOMENT(now + self.lease),
                platform,
                _SQLITE_MOMENT(now),
                limit,
            )
            rows = await self._direct.transaction(lambda c: _reclaimed(c, _RECLAIM, values))
        else:
            async with self.engine.begin() as connection:
                lock = " FOR UPDATE SKIP LOCKED" if connection.dialect.name == "postgresql" else ""
                rows = await fetch(
                    connection,
                    _RECLAIM.replace(" LIMIT ?)", f" LIMIT ?{lock})"),
                    (
                        self.instance,
                        moment(connection, now + self.lease),
                        platform,
                        moment(connection, now),
                        limit,
                    ),
                )
                given_up = [row[0] for row in rows if row[2] > MAX_ATTEMPTS]
                if given_up:
                    await connection.execute(
                        update(inbox)
                        .where(inbox.c.id.in_(given_up))
                        .values(state=FAILED, payload="", lease_until=None)
                    )
        return [
            Entry(id_, self.cipher.open(payload))
            for id_, payload, attempts in sorted(rows)
            if attempts <= MAX_ATTEMPTS
        ]


def _reclaimed(
    connection: sqlite3.Connection, statement: str, values: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    """The entries taken over by ``statement``; those tried too often are given up."""
    rows = connection.execute(statement, values).fetchall()
    given_up = [(row[0],) for row in rows if row[2] > MAX_ATTEMPTS]
    connection.executemany(_GIVE_UP, given_up)
    return rows


def _accepted(connection: sqlite3.Connection, values: tuple[str, ...]) -> int | None:
    row = connection.execute(_ACCEPT, values).fetchone()
    return None if row is None else int(row[0])
