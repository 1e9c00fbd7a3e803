"""What every part of the store shares: the engine, the cipher, and the transaction under way.

Each part (people, journal, conversations, plans, communities, privacy) is a subclass of
:class:`Transactional`; :class:`storage.sql.SqlStore` is all of them at once, so inside its
:meth:`~Transactional.transaction` every call of every part shares one connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.crypto import Cipher
from storage.database import checkpoint
from storage.part import SqlPart


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

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the calls made inside as one transaction (one event, all or nothing)."""
        if self._current.get() is not None:
            yield
            return
        async with self._engine.begin() as connection:
            token = self._current.set(connection)
            try:
                yield
            finally:
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
        """The transaction's connection, or a new transaction for this one call."""
        current = self._current.get()
        if current is not None:
            yield current
            return
        async with self._engine.begin() as connection:
            yield connection
