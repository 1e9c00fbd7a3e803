"""A SQLite connection going back to the pool is rolled back only when a transaction is still
open: after a commit it costs no further trip to aiosqlite's thread, and a transaction left
open on the driver still ends there, its write lock released."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine, upgrade
from storage.tables import people
from tests.scheduling.harness import person_row

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    db = create_engine(f"sqlite:///{tmp_path}/pool.db")
    await upgrade(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def rollbacks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every rollback sent to aiosqlite's thread, counted."""
    sent: list[int] = []
    real = aiosqlite.Connection.rollback

    async def counted(self: aiosqlite.Connection) -> None:
        sent.append(1)
        await real(self)

    monkeypatch.setattr(aiosqlite.Connection, "rollback", counted)
    return sent


async def _people(db: AsyncEngine) -> int:
    async with db.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(people)) or 0)


async def test_a_commit_goes_back_to_the_pool_without_a_rollback(
    sqlite_db: AsyncEngine, rollbacks: list[int]
) -> None:
    async with sqlite_db.begin() as connection:
        await connection.execute(people.insert(), [person_row("slack", "T1", "U1", "Ada", NOW)])
    assert rollbacks == []
    assert await _people(sqlite_db) == 1


async def test_a_transaction_left_open_on_the_driver_is_rolled_back_and_its_lock_released(
    sqlite_db: AsyncEngine, rollbacks: list[int], tmp_path: Path
) -> None:
    async with sqlite_db.connect() as connection:
        # Straight on the driver, as the prepared statements run: SQLAlchemy never sees this
        # transaction (sqlite3 began it by itself), so only the pool's reset can end it.
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, aiosqlite.Connection)
        await driver.execute(
            "INSERT INTO people (platform, community, user_id, display_name, timezone,"
            " checkin_time, quiet_start, quiet_end, weekdays_only, checkins, unreachable,"
            " created_at) VALUES ('slack', 'T1', 'U1', 'Ada', 'UTC', '10:00:00.000000',"
            " '21:00:00.000000', '08:00:00.000000', 0, 'active', '', '2026-03-10 09:00:00.000000')"
        )
        assert driver.in_transaction
    assert rollbacks == [1]
    assert await _people(sqlite_db) == 0
    # Another connection takes the write lock at once: nothing kept it.
    other = sqlite3.connect(tmp_path / "pool.db", timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
