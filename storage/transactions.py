"""What every part of the store shares: the engine, the cipher, the transaction under way,
and reading a person's rows.

Each part (people, journal, conversations, plans, communities, privacy) is a subclass of
:class:`Transactional`; :class:`storage.sql.SqlStore` is all of them at once, so inside its
:meth:`~Transactional.transaction` every call of every part shares one connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Row, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import named_rows, prepared
from storage.crypto import Cipher
from storage.database import checkpoint
from storage.named_rows import Named
from storage.part import SqlPart
from storage.prepared import Driver

T = TypeVar("T")
Write = Callable[[Driver], object]


class Transactional(SqlPart):
    """Calls on the relational database, one short transaction each unless grouped.

    Inside :meth:`transaction` every call shares one connection and commits together; outside
    it each call is a transaction of its own.
    """

    def __init__(self, engine: AsyncEngine, cipher: Cipher | None = None) -> None:
        super().__init__(engine, cipher)
        self._current: ContextVar[AsyncConnection | None] = ContextVar("connection", default=None)
        # Set by a deletion inside a transaction: the WAL is checkpointed once it commits.
        self._erased: ContextVar[bool] = ContextVar("erased", default=False)
        # Hot writes nobody waits on, inside a transaction: they go to the database with its
        # next statement (so everything after them sees them) or before its commit.
        self._waiting: ContextVar[list[Write] | None] = ContextVar("waiting", default=None)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the calls made inside as one transaction (one event, all or nothing)."""
        if self._current.get() is not None:
            yield
            return
        # On SQLite the transaction is the sqlite3 module's own (opened at the first write)
        # and its commit goes with the writes still waiting, in one call (see _finish).
        sqlite = self._engine.dialect.name == "sqlite"
        async with self._engine.connect() if sqlite else self._engine.begin() as connection:
            token = self._current.set(connection)
            waiting = self._waiting.set([])
            try:
                yield
                await self._finish(connection)
            finally:
                self._waiting.reset(waiting)
                self._current.reset(token)
        if self._erased.get():
            self._erased.set(False)
            await checkpoint(self._engine)

    async def _erase_after_commit(self) -> None:
        """Leave nothing of deleted rows in the database files once the deletion commits."""
        if self._current.get() is not None:
            self._erased.set(True)
        else:
            await checkpoint(self._engine)

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[AsyncConnection]:
        """The transaction's connection (the writes waiting sent first), or a new transaction
        for this one call."""
        current = self._current.get()
        if current is not None:
            await self._send_waiting(current)
            yield current
            return
        async with self._engine.begin() as connection:
            yield connection

    async def _row_of(self, table: Table, person_id: int) -> Row[Any] | None:
        """The person's row of ``table``, a table of one row per person (or None)."""
        async with self._connect() as connection:
            found = await connection.execute(select(table).where(table.c.person_id == person_id))
            return found.first()

    async def _rows_of(self, table: Table, person_id: int) -> list[Named]:
        """The person's rows of ``table``, oldest first (one trip: :mod:`storage.named_rows`)."""
        return await self._hot(lambda driver: named_rows.rows_of(driver, table, person_id))

    async def _hot(self, work: Callable[[Driver], T]) -> T:
        """``work`` (see :mod:`storage.prepared`) in the transaction, in one trip with the
        writes waiting before it; or as a transaction of its own."""
        current = self._current.get()
        if current is None:
            async with self.transaction():
                return await self._hot(work)
        writes = self._take_waiting()
        if not writes:
            return await prepared.run(current, work)
        send = _in_turn(writes)

        def after_waiting(driver: Driver) -> T:
            send(driver)
            return work(driver)

        return await prepared.run(current, after_waiting)

    async def _hot_write(self, write: Write) -> None:
        """A hot write whose caller needs nothing back: inside a transaction it waits for the
        transaction's next statement, saving a trip to the database."""
        waiting = self._waiting.get()
        if waiting is not None:
            waiting.append(write)
        else:
            await self._hot(write)

    async def _finish(self, connection: AsyncConnection) -> None:
        """Send the writes still waiting; on SQLite, commit with them.

        A commit through SQLAlchemy would be one more trip to aiosqlite's thread, after work
        that otherwise made none (:func:`storage.prepared.run`). SQLAlchemy commits too only if
        its own statements opened a transaction of its own; an error before the end leaves the
        transaction open, and the pool's reset rolls it back."""
        if connection.dialect.name != "sqlite":
            await self._send_waiting(connection)
            return
        await prepared.run(connection, _in_turn(self._take_waiting()), commit=True)
        if connection.in_transaction():
            await connection.commit()

    async def _send_waiting(self, connection: AsyncConnection) -> None:
        writes = self._take_waiting()
        if writes:
            await prepared.run(connection, _in_turn(writes))

    def _take_waiting(self) -> list[Write]:
        """The writes waiting in this transaction, handed over once (none are left waiting)."""
        waiting = self._waiting.get()
        if not waiting:
            return []
        writes = list(waiting)
        waiting.clear()
        return writes


def _in_turn(writes: list[Write]) -> Callable[[Driver], None]:
    """One function running ``writes`` in order."""

    def run_all(driver: Driver) -> None:
        for write in writes:
            write(driver)

    return run_all
