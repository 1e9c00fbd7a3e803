"""A short write on the outbox's and inbox's own SQLite connection (``DirectSqlite``) runs on
the event loop's thread when it can, and on the connection's thread when it must: while the
thread has a call in hand, or another writer holds the file (waited for without holding the
loop)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from storage.direct import DirectSqlite
from tests.sqlite_locks import holding_write_lock, loop_answers_once


class Tried:
    """Set when the connection begins a write transaction on the loop's thread."""

    def __init__(self) -> None:
        self.loop_thread = threading.get_ident()
        self.here = threading.Event()

    def __call__(self, statement: str) -> None:
        if statement == "BEGIN IMMEDIATE" and threading.get_ident() == self.loop_thread:
            self.here.set()


@pytest.fixture
def tried() -> Tried:
    return Tried()


@pytest.fixture
async def direct(tmp_path: Path, tried: Tried) -> AsyncIterator[DirectSqlite]:
    connection = DirectSqlite(
        str(tmp_path / "direct.db"), setup=lambda c: c.set_trace_callback(tried)
    )
    await connection.transaction(lambda c: c.execute("CREATE TABLE seen (n INTEGER, thread INT)"))
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def holder(tmp_path: Path, direct: DirectSqlite) -> Iterator[sqlite3.Connection]:
    with holding_write_lock(tmp_path / "direct.db") as connection:
        yield connection


def _add(n: int) -> Callable[[sqlite3.Connection], None]:
    def add(connection: sqlite3.Connection) -> None:
        connection.execute("INSERT INTO seen VALUES (?, ?)", (n, threading.get_ident()))

    return add


def _seen(tmp_path: Path) -> list[tuple[int, int]]:
    with sqlite3.connect(tmp_path / "direct.db") as connection:
        return [tuple(row) for row in connection.execute("SELECT n, thread FROM seen")]


async def _in_hand(direct: DirectSqlite) -> tuple[asyncio.Task[None], threading.Event]:
    """A transaction the connection's thread is running, which adds 1 once ``go_on`` is set."""
    started, go_on = threading.Event(), threading.Event()

    def slow(connection: sqlite3.Connection) -> None:
        started.set()
        assert go_on.wait(10)
        _add(1)(connection)

    running = asyncio.create_task(direct.transaction(slow))
    await asyncio.to_thread(started.wait, 10)
    return running, go_on


async def test_a_short_write_runs_on_the_loops_thread(direct: DirectSqlite, tmp_path: Path) -> None:
    await direct.transaction(_add(1), here=True)
    await direct.transaction(_add(2))
    [(_, here), (_, there)] = _seen(tmp_path)
    assert here == threading.get_ident()
    assert there != here


async def test_it_waits_its_turn_behind_a_call_the_thread_has_in_hand(
    direct: DirectSqlite, tmp_path: Path
) -> None:
    first, go_on = await _in_hand(direct)
    second = asyncio.create_task(direct.transaction(_add(2), here=True))
    await asyncio.sleep(0)
    assert not second.done()  # not run on the loop beside the thread's transaction
    go_on.set()
    await asyncio.gather(first, second)
    assert [n for n, _ in _seen(tmp_path)] == [1, 2]


async def test_a_locked_file_is_waited_for_off_the_loop(
    direct: DirectSqlite, holder: sqlite3.Connection, tried: Tried, tmp_path: Path
) -> None:
    loop = asyncio.get_running_loop()
    tried.here.clear()
    answers: list[bool] = []
    # Started first, on a thread of its own: the write below runs on this thread at once, so
    # nothing scheduled on the loop could start while the loop is held.
    helper = threading.Thread(
        target=lambda: answers.append(loop_answers_once(loop, tried.here, holder))
    )
    helper.start()
    await direct.transaction(_add(1), here=True)
    await asyncio.to_thread(helper.join, 10)
    [loop_answered] = answers

    assert loop_answered, "the event loop was held while the file was locked"
    [(n, thread)] = _seen(tmp_path)
    assert n == 1 and thread != threading.get_ident()


async def test_a_call_whose_caller_stopped_waiting_still_holds_the_connection(
    direct: DirectSqlite, tmp_path: Path
) -> None:
    first, go_on = await _in_hand(direct)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    # The thread is still in the first transaction: the next waits for it.
    second = asyncio.create_task(direct.transaction(_add(2), here=True))
    await asyncio.sleep(0)
    assert not second.done()
    go_on.set()
    await second
    assert [n for n, _ in _seen(tmp_path)] == [1, 2]


async def test_a_transaction_that_meets_a_lock_partway_is_rolled_back_and_run_whole_there(
    direct: DirectSqlite, tmp_path: Path
) -> None:
    tries: list[int] = []

    def add_then_meet_a_lock(connection: sqlite3.Connection) -> int:
        tries.append(threading.get_ident())
        _add(1)(connection)
        if len(tries) == 1:  # as SQLite answers a statement that finds the file locked
            locked = sqlite3.OperationalError("database is locked")
            locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise locked
        return len(tries)

    assert await direct.transaction(add_then_meet_a_lock, here=True) == 2
    here, there = tries
    assert here == threading.get_ident() and there != here
    # The first try's write was undone: the row is there once, from the thread.
    assert _seen(tmp_path) == [(1, there)]
