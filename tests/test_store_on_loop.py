"""On SQLite the engine's hot calls and their commit run on the event loop's own thread, with
no trip to aiosqlite's; a database locked by another writer is waited for on aiosqlite's thread,
never on the loop's, and a call is never run twice."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.engine import Engine
from bot.events import FormSubmission, Sender
from storage import prepared
from storage.database import BUSY_TIMEOUT_MS, create_engine, upgrade
from storage.sql import SqlStore
from storage.tables import people
from tests.forms import REJECTION
from tests.sqlite_locks import holding_write_lock, loop_answers_once

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


class Traced:
    """Every statement the engine's SQLite connections run, with the thread that ran it."""

    def __init__(self) -> None:
        self.statements: list[tuple[int, str]] = []
        self.on_loop_thread = threading.get_ident()
        # Set when a statement writing a person starts on the loop's thread, or on another.
        self.person_tried_here = threading.Event()
        self.person_tried_elsewhere = threading.Event()
        # The turns another task on the loop had had when each statement ran.
        self.turns = 0
        self.at_turn: list[int] = []

    def __call__(self, statement: str) -> None:
        here = threading.get_ident()
        self.statements.append((here, statement))
        self.at_turn.append(self.turns)
        if "INSERT INTO people" in statement:
            if here == self.on_loop_thread:
                self.person_tried_here.set()
            else:
                self.person_tried_elsewhere.set()

    def elsewhere(self) -> list[str]:
        return [sql for thread, sql in self.statements if thread != self.on_loop_thread]


@pytest.fixture
def traced() -> Traced:
    return Traced()


@pytest.fixture
async def sqlite_db(tmp_path: Path, traced: Traced) -> AsyncIterator[AsyncEngine]:
    db = create_engine(f"sqlite:///{tmp_path}/loop.db")
    await upgrade(db)

    def trace(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.driver_connection._conn.set_trace_callback(traced)  # type: ignore[attr-defined]

    event.listen(db.sync_engine, "connect", trace)
    await db.dispose()  # the connections opened by the migration go; new ones are traced
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def holder(tmp_path: Path, sqlite_db: AsyncEngine) -> Iterator[sqlite3.Connection]:
    with holding_write_lock(tmp_path / "loop.db") as connection:
        yield connection


async def _people(db: AsyncEngine) -> int:
    async with db.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(people)) or 0)


async def test_a_first_contact_runs_every_statement_and_its_commit_on_the_loops_thread(
    sqlite_db: AsyncEngine, traced: Traced
) -> None:
    engine = Engine(SqlStore(sqlite_db), Content.load())
    sender = Sender("slack", "T1", "U0", "Ada")
    await engine.handle(FormSubmission(sender, "rejection", REJECTION), NOW)  # opens the pool
    traced.statements.clear()

    replies = await engine.handle(
        FormSubmission(Sender("slack", "T1", "U1", "Bo"), "rejection", REJECTION), NOW
    )

    assert replies
    assert traced.elsewhere() == []
    ran = [sql for _, sql in traced.statements]
    assert any("INSERT INTO people" in sql for sql in ran)
    assert ran[-2:] == ["COMMIT", f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}"]
    # Committed: another connection sees both people.
    assert await _people(sqlite_db) == 2


async def test_a_first_contact_gives_the_loop_a_turn_between_its_calls(
    sqlite_db: AsyncEngine, traced: Traced
) -> None:
    # Running on the loop's thread, an event's statements must not hold the loop for the
    # whole event (about a millisecond): an acknowledgement waits at most for one call.
    engine = Engine(SqlStore(sqlite_db), Content.load())
    await engine.handle(
        FormSubmission(Sender("slack", "T1", "U0", "Ada"), "rejection", REJECTION), NOW
    )
    traced.statements.clear()
    traced.at_turn.clear()

    async def probe() -> None:
        while True:
            traced.turns += 1
            await asyncio.sleep(0)

    probing = asyncio.ensure_future(probe())
    await asyncio.sleep(0)
    try:
        await engine.handle(
            FormSubmission(Sender("slack", "T1", "U1", "Bo"), "rejection", REJECTION), NOW
        )
    finally:
        probing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await probing

    assert traced.elsewhere() == []
    # Each call starts by telling SQLite not to wait for a lock: the probe ran between calls.
    starts = [
        turn
        for turn, (_, sql) in zip(traced.at_turn, traced.statements, strict=True)
        if sql == "PRAGMA busy_timeout=0"
    ]
    assert len(starts) >= 3
    assert starts == sorted(set(starts)), starts


async def test_a_locked_database_is_waited_for_off_the_loop(
    sqlite_db: AsyncEngine, traced: Traced, holder: sqlite3.Connection
) -> None:
    store = SqlStore(sqlite_db)
    loop = asyncio.get_running_loop()
    tried = traced.person_tried_here

    writing = asyncio.create_task(store.person(Sender("slack", "T1", "U1", "Ada"), "UTC", NOW))
    loop_answered = await asyncio.to_thread(loop_answers_once, loop, tried, holder)
    person = await writing

    assert loop_answered, "the event loop was held while the database was locked"
    assert person.user_id == "U1"
    # The write that found the lock went whole to aiosqlite's thread, and went once.
    assert [sql for sql in traced.elsewhere() if "INSERT INTO people" in sql]
    assert await _people(sqlite_db) == 1


async def test_a_call_that_wrote_before_it_found_the_lock_is_not_run_again(
    sqlite_db: AsyncEngine, holder: sqlite3.Connection
) -> None:
    runs: list[int] = []

    def write_twice(driver: prepared.Driver) -> None:
        runs.append(1)
        # A temporary table takes no lock on the database, so this write goes through.
        driver.execute("CREATE TEMP TABLE IF NOT EXISTS scratch (n INTEGER)")
        driver.execute("INSERT INTO scratch VALUES (1)")
        driver.execute("DELETE FROM people WHERE id = ?", (1,))

    async with sqlite_db.connect() as connection:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await prepared.run(connection, write_twice)
        await connection.rollback()
    assert runs == [1]


async def test_a_call_cut_short_while_it_waits_for_the_lock_takes_its_connection_along(
    sqlite_db: AsyncEngine, traced: Traced, holder: sqlite3.Connection
) -> None:
    store = SqlStore(sqlite_db)
    used: list[object] = []
    event.listen(
        sqlite_db.sync_engine,
        "checkout",
        lambda _dbapi, record, _proxy: used.append(record.driver_connection),
    )
    writing = asyncio.create_task(store.person(Sender("slack", "T1", "U1", "Ada"), "UTC", NOW))
    # Waiting on aiosqlite's thread for the lock when it is cut short (a shutdown, a timeout).
    assert await asyncio.to_thread(traced.person_tried_elsewhere.wait, 10)
    writing.cancel()
    holder.execute("COMMIT")
    with pytest.raises(asyncio.CancelledError):
        await writing

    # That thread may still be running the write: its connection never serves another call,
    # and what it wrote was never committed.
    async with sqlite_db.connect() as connection:
        raw = await connection.get_raw_connection()
        assert raw.driver_connection is not used[0]
    assert await _people(sqlite_db) == 0
