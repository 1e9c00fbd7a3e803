"""A plain sqlite3 connection on a thread of its own, for the outbox's and the inbox's hot
paths on SQLite.

The dispatcher records sends a few dozen at a time, many times a second. Through aiosqlite
each statement of such a transaction is a hop to the database thread and back (with the GIL
changing hands each way); here the whole transaction is one hop, and a short one (an inbox
entry, the last look before a send) none: it runs on the event loop's thread while the
connection's thread is free. Everything else keeps using the SQLAlchemy engine; both
connections are tuned alike and SQLite's locking orders them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.checkpoints import Checkpointer, checkpointer_of, hand_over
from storage.database import BUSY_TIMEOUT_MS, locked_out, tune_sqlite

T = TypeVar("T")


class DirectSqlite:
    """Runs a function as one transaction on the database file of ``engine``."""

    def __init__(
        self,
        path: str,
        checkpointer: Checkpointer | None = None,
        setup: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        self._path = path
        # Run once on the connection when it opens, before its first transaction.
        self._setup = setup
        # When the engine has a checkpointer keeping the WAL short, commits here leave their
        # checkpoints to it (and keep it running while this connection writes).
        self._checkpointer = checkpointer
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="bounceback-outbox")
        self._connection: sqlite3.Connection | None = None
        # Calls sent to the thread and not yet done: while there are any, the connection is
        # the thread's (see ``here``).
        self._in_thread: list[Future[Any]] = []
        # An outbox dropped without close() still lets its thread go.
        weakref.finalize(self, self._thread.shutdown, wait=False)

    @classmethod
    def of(cls, engine: AsyncEngine) -> DirectSqlite | None:
        """One for ``engine``'s database file; None for another database or SQLite in memory
        (a second connection would see a database of its own)."""
        database = engine.url.database
        if engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return None
        return cls(str(Path(database).expanduser()), checkpointer_of(engine))

    async def transaction(
        self, work: Callable[[sqlite3.Connection], T], *, read: bool = False, here: bool = False
    ) -> T:
        """``work`` inside BEGIN IMMEDIATE ... COMMIT (rolled back if it raises); a ``read``
        takes no write lock.

        ``here``: a transaction of a few microseconds runs on the calling (event loop's) thread
        instead, saving the two thread wake-ups of a hop, as long as the connection's thread
        has nothing in hand. SQLite does not wait for a lock there: if another connection holds
        the file, the transaction is rolled back and run whole on the thread, which waits
        without holding the loop; so ``work`` must be one that can run again."""
        if self._checkpointer is not None and not read:
            self._checkpointer.start()
        # Calls whose caller stopped waiting (cancelled) may still be running there.
        self._in_thread = [call for call in self._in_thread if not call.done()]
        if here and not self._in_thread and self._connection is not None:
            try:
                return self._run(work, read, wait=False)
            except _Locked:
                pass
        call = self._thread.submit(self._run, work, read)
        self._in_thread.append(call)
        return await asyncio.wrap_future(call)

    def _run(self, work: Callable[[sqlite3.Connection], T], read: bool, wait: bool = True) -> T:
        connection = self._connection or self._open()
        if not wait:
            connection.execute("PRAGMA busy_timeout=0")
        try:
            connection.execute("BEGIN" if read else "BEGIN IMMEDIATE")
            result = work(connection)
            connection.execute("COMMIT")
        except BaseException as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            if not wait and locked_out(error):
                raise _Locked from error
            raise
        finally:
            if not wait:
                connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return result

    def _open(self) -> sqlite3.Connection:
        # Autocommit mode: the transaction is the explicit BEGIN IMMEDIATE above (taking the
        # write lock at once, so a busy database is waited for, never half-written).
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        tune_sqlite(connection, None)
        if self._checkpointer is not None:
            hand_over(connection)
        if self._setup is not None:
            try:
                self._setup(connection)
            except BaseException:
                connection.close()
                raise
        self._connection = connection
        return connection

    async def close(self) -> None:
        """Close the connection and its thread."""
        loop = asyncio.get_running_loop()
        if self._connection is not None:
            await loop.run_in_executor(self._thread, self._connection.close)
            self._connection = None
        self._thread.shutdown(wait=False)


class _Locked(Exception):
    """Another connection held the file; the transaction was rolled back."""
