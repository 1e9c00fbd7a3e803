"""On SQLite, the inbox lives in a file of its own beside the database (``bounceback.db``'s is
``bounceback.db-inbox``, named the way SQLite names its ``-wal`` and ``-shm``).

SQLite has one write lock per file. An engine transaction that writes holds the database's
lock from its first write to its commit, across several turns of the event loop, which under
load is many milliseconds; an acknowledgement whose inbox entry had to wait for it waited as
long. In a file of its own, the entry waits only for other inbox writes (microseconds each).
Nothing is lost by the split: an entry was never written in the engine's transaction (it is
marked done after the work, and redone if its process died first).

The file's table is made from the same definition as the database's (``storage.tables``), on
its first connection. Entries a previous release kept in the database itself move here then.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from storage.bulk import converters_for
from storage.database import INBOX_SUFFIX, truncate_wal, tune_sqlite
from storage.tables import inbox

_MOMENT, _ = converters_for("sqlite")
_DIALECT = sqlite.dialect()
_SCHEMA = [
    str(CreateTable(inbox, if_not_exists=True).compile(dialect=_DIALECT)),
    *(
        str(CreateIndex(index, if_not_exists=True).compile(dialect=_DIALECT))
        for index in inbox.indexes
    ),
]
_COLUMNS = "key, platform, payload, state, claimed_by, lease_until, attempts, received_at"


def database_of(path: str) -> str:
    """The database file whose inbox file is ``path``."""
    return path.removesuffix(INBOX_SUFFIX)


def prepare(connection: sqlite3.Connection, database: str) -> None:
    """Make the inbox's table in the file of ``connection`` (once), and move in the entries
    ``database`` itself still holds from before the inbox had a file."""
    for statement in _SCHEMA:
        connection.execute(statement)
    if not Path(database).exists():
        return
    connection.execute("ATTACH DATABASE ? AS kept", (database,))
    try:
        connection.execute("PRAGMA kept.secure_delete=ON")
        found = connection.execute(
            "SELECT 1 FROM kept.sqlite_master WHERE type = 'table' AND name = 'inbox'"
        ).fetchone()
        if found is None or connection.execute("SELECT 1 FROM kept.inbox").fetchone() is None:
            return
        # Atomic in each file, not across the two: a move cut short is finished at the next
        # start (the keys are unique, so an entry already here is not added twice).
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            f"INSERT OR IGNORE INTO inbox ({_COLUMNS}) SELECT {_COLUMNS} FROM kept.inbox"
            " ORDER BY id"
        )
        connection.execute("DELETE FROM kept.inbox")
        connection.execute("COMMIT")
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        connection.execute("DETACH DATABASE kept")


async def forget_done(path: str, before: dt.datetime) -> int:
    """Delete the keys of work done before ``before`` from the inbox file at ``path``, then
    checkpoint and truncate its WAL (as :func:`storage.database.checkpoint` does for the
    database); how many went. Nothing when the file was never made."""
    return await asyncio.to_thread(_forget_done, path, _MOMENT(before))


def _forget_done(path: str, before: str) -> int:
    if not Path(path).exists():
        return 0
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        tune_sqlite(connection, None)
        prepare(connection, database_of(path))
        removed = connection.execute(
            "DELETE FROM inbox WHERE state <> 'pending' AND received_at < ?", (before,)
        ).rowcount
    finally:
        connection.close()
    truncate_wal(path)
    return int(removed)
