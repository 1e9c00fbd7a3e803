"""Helpers for tests of SQLite work that meets another writer's lock: a connection holding
a file's write lock, and a check, from another thread, that the event loop still answers."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def holding_write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to ``path`` holding its write lock until it commits (any thread may)."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        connection.close()


def loop_answers_once(
    loop: asyncio.AbstractEventLoop, tried: threading.Event, holder: sqlite3.Connection
) -> bool:
    """Run on another thread: once ``tried`` is set (the write met the lock), ask ``loop`` to
    run something, which it does only if nothing holds it; then let the writer in."""

    async def answer() -> bool:
        return True

    try:
        assert tried.wait(10)
        return asyncio.run_coroutine_threadsafe(answer(), loop).result(timeout=2)
    except TimeoutError:
        return False
    finally:
        holder.execute("COMMIT")
