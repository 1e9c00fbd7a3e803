"""The engine's hot statements: SQL written once, each store call one trip to the database.

Building a Core statement per call and compiling it cost about a third of a ``/rejected``, and
through aiosqlite every statement was several trips to the database thread and back (cursor,
execute, fetch, close). A hot call is instead a plain function of a :class:`Driver`, running
statements written once with ``?`` markers:

- on SQLite, the whole function runs on the very connection SQLAlchemy uses, so it is part of
  the engine's transaction like any other call; the sqlite3 module keeps each statement
  prepared (its statement cache, keyed by the SQL text) and prepares it again by itself after
  a migration changed the schema. It runs right where it is called, on the event loop's
  thread: a trip to aiosqlite's thread and back is two thread wake-ups, which took most of a
  ``/rejected`` (the loop sat waiting for them about three quarters of the time), while the
  statements themselves take microseconds. Only a database locked by another writer is
  waited for on aiosqlite's thread, never on the loop (see :func:`run`);
- on PostgreSQL, each statement goes to asyncpg under SQLAlchemy's connection, which keeps it
  prepared per connection.

Values are converted the way SQLAlchemy stores them (SQLite keeps moments, times and dates as
text), so what is written here reads back alike through SQLAlchemy and the other way round.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar, cast

import aiosqlite
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.bulk import converters_for, numbered
from storage.database import BUSY_TIMEOUT_MS, locked_out

T = TypeVar("T")


class Driver:
    """One connection inside the transaction, seen synchronously: SQL with ``?`` markers in,
    the driver's own rows out, Python values converted as the database stores them."""

    def __init__(self, dialect: str) -> None:
        self.moment, self.wall_clock = converters_for(dialect)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        """Every row ``sql`` returns."""
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run ``sql`` once; how many rows it changed."""
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run ``sql`` once per row, in one driver call."""
        raise NotImplementedError

    def first(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Any] | None:
        """The first row ``sql`` returns, if any."""
        found = self.rows(sql, params)
        return found[0] if found else None

    def clock(self, value: dt.time) -> Any:
        """A time of day as a TIME column stores it."""
        return value

    def day(self, value: dt.date) -> Any:
        """A date as a DATE column stores it."""
        return value

    def flag(self, value: bool) -> Any:
        """A boolean as a BOOLEAN column stores it."""
        return value


class _Sqlite(Driver):
    def __init__(self, connection: sqlite3.Connection) -> None:
        super().__init__("sqlite")
        self._connection = connection

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        return self._connection.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._connection.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._connection.executemany(sql, rows)

    # SQLAlchemy's SQLite formats: "10:00:00.000000", "2026-03-10", 1 and 0.
    def clock(self, value: dt.time) -> Any:
        return value.isoformat("microseconds")

    def day(self, value: dt.date) -> Any:
        return value.isoformat()

    def flag(self, value: bool) -> Any:
        return int(value)


class _Postgres(Driver):
    def __init__(self, connection: Connection) -> None:
        super().__init__("postgresql")
        self._connection = connection

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        return list(self._connection.exec_driver_sql(numbered(sql), tuple(params)).all())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._connection.exec_driver_sql(numbered(sql), tuple(params)).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._connection.exec_driver_sql(numbered(sql), [tuple(row) for row in rows])


async def run(
    connection: AsyncConnection, work: Callable[[Driver], T], *, commit: bool = False
) -> T:
    """``work`` on ``connection``, inside its transaction; with ``commit``, the transaction's
    raw commit follows in the same call (SQLite only; see :meth:`Transactional.transaction`).

    On SQLite it runs on the event loop's thread, with SQLite told not to wait for a lock. If
    another writer holds the database, nothing has been written yet in this transaction (a
    write that got through would hold the lock itself), so the same work goes whole to
    aiosqlite's thread, which waits up to the busy timeout without stopping the loop; a
    commit that found the database busy stays to be done, and is done there too.
    """
    if connection.dialect.name != "sqlite":
        return await connection.run_sync(lambda sync: work(_Postgres(sync)))
    # A turn for the rest of the loop first: an event's calls and the work between them
    # would otherwise hold the loop for the whole event (about a millisecond), and an
    # acknowledgement arriving meanwhile would wait for all of it. (Before the call, not
    # after: a caller cancelled at this turn has had nothing of this call written.)
    await asyncio.sleep(0)
    raw = await connection.get_raw_connection()
    thread = cast(aiosqlite.Connection, raw.driver_connection)
    if not thread._running or thread._connection is None:
        # As aiosqlite itself refuses: its thread may be gone and nothing would answer.
        raise ValueError("Connection closed")
    try:
        return _here(thread._conn, work, commit)
    except _Locked as locked:
        if not locked.worked:
            return await _on_thread(connection, thread, partial(_then_commit, work, commit))
        await _on_thread(connection, thread, sqlite3.Connection.commit)
        return cast(T, locked.result)


class _Locked(Exception):
    """Another writer held the database: nothing was written, or the commit is still to do
    (``worked``, with the work's ``result``)."""

    def __init__(self, worked: bool = False, result: object = None) -> None:
        super().__init__("locked")
        self.worked = worked
        self.result = result


def _here(sqlite: sqlite3.Connection, work: Callable[[Driver], T], commit: bool) -> T:
    """``work`` (and the commit) on this thread, raising :class:`_Locked` rather than waiting."""
    # Safe to use from this thread: the connection belongs to this transaction alone, and
    # aiosqlite's thread holds no call of it (each one is awaited before the next is made).
    sqlite.execute("PRAGMA busy_timeout=0")
    try:
        changes, was_open = sqlite.total_changes, sqlite.in_transaction
        try:
            done = work(_Sqlite(sqlite))
        except sqlite3.OperationalError as error:
            if not locked_out(error) or sqlite.total_changes != changes:
                raise
            if not was_open:
                # The failed write opened a transaction holding a read snapshot, and SQLite
                # never waits for the write lock from there: start again from none, as the
                # work would have on aiosqlite's thread.
                sqlite.rollback()
            raise _Locked() from error
        if commit:
            try:
                sqlite.commit()
            except sqlite3.OperationalError as error:
                if not locked_out(error):
                    raise
                raise _Locked(worked=True, result=done) from error
        return done
    finally:
        sqlite.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _then_commit(work: Callable[[Driver], T], commit: bool, connection: sqlite3.Connection) -> T:
    done = work(_Sqlite(connection))
    if commit:
        connection.commit()
    return done


async def _on_thread(
    connection: AsyncConnection,
    thread: aiosqlite.Connection,
    call: Callable[[sqlite3.Connection], T],
) -> T:
    """``call`` with the sqlite3 connection on aiosqlite's thread, which waits for a lock."""
    # Straight onto aiosqlite's queue, as SQLAlchemy's own adapter does for what aiosqlite does
    # not offer. The busy timeout is set there first: the loop's thread set it to 0 meanwhile.
    done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    thread._tx.put_nowait((done, partial(_waiting, call, thread._conn)))
    try:
        return await done
    except asyncio.CancelledError:
        # The thread may still be running the call: the connection must not go back to the
        # pool, where the next call would run on this thread beside it. SQLAlchemy does the
        # same for its own statements cut short.
        await connection.invalidate()
        raise


def _waiting(call: Callable[[sqlite3.Connection], T], connection: sqlite3.Connection) -> T:
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return call(connection)
