"""SQLite's WAL copied into the database file on a thread of its own, off every request.

Left to itself, SQLite checkpoints on the connection whose commit takes the WAL past a
thousand pages: that commit (one request in about fifty of ``/rejected``'s) waits several
milliseconds while the pages are copied and the file synced. An engine made by
:func:`storage.database.create_engine` on a database file turns that off on its own
connections and has a :class:`Checkpointer` do the same work a moment later on another
thread, where no one waits for it. (The TRUNCATE checkpoint that clears deleted words from
the WAL is :func:`storage.database.checkpoint`; this one only keeps the WAL short.)
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

# Seconds between checkpoints: a checkpoint with nothing new to copy costs microseconds.
EVERY = 0.5

# Each engine's checkpointer, for its other connections to the file (the outbox's and the
# inbox's own) to hand their checkpoints over too.
_CHECKPOINTERS: weakref.WeakKeyDictionary[Any, Checkpointer] = weakref.WeakKeyDictionary()


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on the file at ``path`` every ``every``
    seconds, on a daemon thread, until :meth:`stop`. A passive checkpoint never waits for a
    reader or a writer: it copies what it can, and the next one copies the rest."""

    def __init__(self, path: str, every: float = EVERY) -> None:
        self.path = path
        self.every = every
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def step(self) -> tuple[int, int]:
        """One checkpoint now: (pages in the WAL, pages copied into the file so far)."""
        if self._connection is None:
            self._connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False
            )
            # Never wait for a lock: a busy database is simply checkpointed next time.
            self._connection.execute("PRAGMA busy_timeout=0")
        _, in_wal, copied = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(in_wal), int(copied)

    @property
    def running(self) -> bool:
        """Whether its thread is checkpointing."""
        return self._thread is not None

    def start(self) -> None:
        """Checkpoint on a thread of its own (unless it already does)."""
        with self._lock:
            if self._thread is not None:
                return
            self._stopping = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stopping,), name="bounceback-checkpoints", daemon=True
            )
            self._thread.start()

    def stop(self, *_: Any) -> None:
        """Stop and close the connection (waits for a checkpoint under way)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopping.set()
        if thread is not None:
            thread.join()

    def _run(self, stopping: threading.Event) -> None:
        try:
            while not stopping.wait(self.every):
                try:
                    self.step()
                except sqlite3.Error as error:  # the file went away, a disk error: try again
                    log.warning("background checkpoint failed: %s", type(error).__name__)
        finally:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def checkpoint_in_background(engine: AsyncEngine, path: str) -> Checkpointer:
    """Give ``engine``'s connections to the file at ``path`` a checkpointer of their own: they
    stop checkpointing on commit. It runs while the engine has connections: it stops when the
    engine is disposed and starts again with the next connection the engine opens."""
    checkpointer = Checkpointer(path)

    def handed_over(dbapi_connection: Any, _record: Any) -> None:
        hand_over(dbapi_connection)
        checkpointer.start()

    event.listen(engine.sync_engine, "connect", handed_over)
    event.listen(engine.sync_engine, "engine_disposed", checkpointer.stop)
    _CHECKPOINTERS[engine.sync_engine] = checkpointer
    return checkpointer


def checkpointer_of(engine: AsyncEngine) -> Checkpointer | None:
    """``engine``'s checkpointer, if its database file has one."""
    return _CHECKPOINTERS.get(engine.sync_engine)


def hand_over(dbapi_connection: Any) -> None:
    """Leave checkpoints to the checkpointer: this connection's commits never copy the WAL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()
