"""SQLite's WAL is copied into the file by a checkpointer of its own, never on a commit."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.checkpoints import Checkpointer, checkpoint_in_background
from storage.database import create_engine
from storage.direct import DirectSqlite


def checkpointing() -> int:
    return sum(thread.name == "bounceback-checkpoints" for thread in threading.enumerate())


async def test_commits_leave_the_wal_to_the_checkpointer(tmp_path: Path) -> None:
    before = checkpointing()
    db = create_engine(f"sqlite:///{tmp_path}/bounceback.db")
    async with db.begin() as connection:
        assert (await connection.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0
        await connection.execute(text("CREATE TABLE words (body TEXT)"))
        await connection.execute(text("INSERT INTO words VALUES ('kept')"))
    assert checkpointing() == before + 1
    checkpointer = Checkpointer(str(tmp_path / "bounceback.db"))
    in_wal, copied = checkpointer.step()
    assert in_wal > 0 and copied == in_wal  # all of it copied into the file
    assert checkpointer.step() == (in_wal, in_wal)  # nothing new: nothing more to copy
    await db.dispose()
    assert checkpointing() == before


async def test_it_runs_while_the_engine_has_connections(tmp_path: Path) -> None:
    path = tmp_path / "bounceback.db"
    db = create_async_engine(f"sqlite+aiosqlite:///{path}")
    checkpointer = checkpoint_in_background(db, str(path))
    seen = [checkpointer.running]  # nothing to checkpoint before the first connection
    async with db.connect() as connection:
        await connection.execute(text("SELECT 1"))
    seen.append(checkpointer.running)
    await db.dispose()
    seen.append(checkpointer.running)
    async with db.connect() as connection:  # an engine used again after dispose()
        await connection.execute(text("SELECT 1"))
    seen.append(checkpointer.running)
    await db.dispose()
    seen.append(checkpointer.running)
    assert seen == [False, True, False, True, False]


def test_a_memory_database_has_none() -> None:
    before = checkpointing()
    create_engine("sqlite:///:memory:")
    assert checkpointing() == before


async def test_the_outbox_and_inbox_connections_hand_their_checkpoints_over(
    tmp_path: Path,
) -> None:
    def autocheckpoint(connection: sqlite3.Connection) -> int:
        return int(connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0])

    for db, expected in (
        (create_engine(f"sqlite:///{tmp_path}/handed.db"), 0),
        (create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/own.db"), 1000),  # SQLite's own
    ):
        direct = DirectSqlite.of(db)
        assert direct is not None
        assert await direct.transaction(autocheckpoint) == expected
        await direct.close()
        await db.dispose()
