"""The inbox keeps acknowledged work until it is done, and hands a dead process's work to
exactly one other instance."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.crypto import Cipher
from storage.database import checkpoint, create_engine, inbox_path
from storage.inbox import SqlInbox
from storage.retention import sweep
from storage.tables import inbox
from tests.conftest import prepare

NOW = dt.datetime(2026, 7, 14, 8, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=60)


def box(db: AsyncEngine, instance: str, cipher: Cipher | None = None) -> SqlInbox:
    return SqlInbox(db, cipher or Cipher(), instance=instance, lease=LEASE)


async def test_a_delivery_is_accepted_once(db: AsyncEngine) -> None:
    one = box(db, "one")
    first = await one.accept("slack", "Ev1", "payload", NOW)
    again = await box(db, "two").accept("slack", "Ev1", "payload", NOW)
    other = await one.accept("discord", "Ev1", "payload", NOW)
    assert first is not None and other is not None and again is None


async def test_work_in_hand_is_not_taken_but_a_dead_holders_is_taken_once(
    db: AsyncEngine,
) -> None:
    one, two, three = box(db, "one"), box(db, "two"), box(db, "three")
    kept = await one.accept("slack", "Ev1", "first", NOW)
    assert kept is not None
    assert await two.reclaim("slack", NOW + LEASE / 2) == []

    later = NOW + LEASE + dt.timedelta(seconds=1)  # "one" died: its lease ran out
    taken = await two.reclaim("slack", later)
    assert [entry.payload for entry in taken] == ["first"]
    assert await three.reclaim("slack", later) == []
    await one.done(kept)  # the dead holder's late word changes nothing
    await two.done(kept)
    assert await three.reclaim("slack", later + 2 * LEASE) == []


async def test_a_stopping_process_hands_its_work_back_at_once(db: AsyncEngine) -> None:
    one = box(db, "one")
    entry = await one.accept("slack", "Ev1", "first", NOW)
    assert entry is not None
    await one.hand_back([entry], NOW)
    assert [e.id for e in await box(db, "two").reclaim("slack", NOW)] == [entry]


async def test_work_that_keeps_failing_is_given_up(db: AsyncEngine) -> None:
    await box(db, "zero").accept("slack", "Ev1", "poison", NOW)
    moment = NOW
    redone = 0
    for n in range(6):
        moment += 2 * LEASE
        redone += len(await box(db, f"i{n}").reclaim("slack", moment))
    assert redone == 2  # redone twice after the first try, then dropped


async def payloads(db: AsyncEngine) -> list[str]:
    """Every payload the inbox holds, read where it lives (a SQLite file's inbox file)."""
    path = inbox_path(db)
    if path is not None:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            return [row[0] for row in connection.execute("SELECT payload FROM inbox ORDER BY id")]
    async with db.connect() as connection:
        return list((await connection.execute(select(inbox.c.payload))).scalars())


async def test_private_words_are_sealed_and_gone_once_done(db: AsyncEngine) -> None:
    cipher = Cipher([Cipher.new_key()])
    one = box(db, "one", cipher)
    entry = await one.accept("slack", "Ev1", "my secret setback", NOW)
    assert entry is not None
    [stored] = await payloads(db)
    assert stored and "secret" not in stored
    await one.done(entry)
    assert await payloads(db) == [""]
    removed = await sweep(db, NOW + dt.timedelta(days=2), dt.timedelta(days=365))
    assert removed["inbox"] == 1


async def test_words_it_may_not_keep_are_never_written(db: AsyncEngine) -> None:
    careful = SqlInbox(
        db, Cipher(), instance="one", lease=LEASE, may_keep=lambda payload: "hurt" not in payload
    )
    assert await careful.accept("slack", "Ev1", "I want to hurt myself", NOW) == 0
    assert await careful.accept("slack", "Ev2", "hello", NOW) not in (None, 0)
    assert await payloads(db) == ["hello"]


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a migrated SQLite file, whose inbox is a file of its own."""
    engine = create_engine(await prepare(f"sqlite:///{tmp_path}/bounceback.db"))
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_an_acknowledgement_never_waits_for_the_databases_write_lock(
    sqlite_db: AsyncEngine, tmp_path: Path
) -> None:
    one = box(sqlite_db, "one")
    # An engine transaction that has written holds the database's one write lock.
    with contextlib.closing(sqlite3.connect(tmp_path / "bounceback.db", timeout=0)) as busy:
        busy.execute("BEGIN IMMEDIATE")
        entry = await one.accept("slack", "Ev1", "payload", NOW)
        assert entry is not None and entry > 0
        await one.hand_back([entry], NOW)
        [taken] = await box(sqlite_db, "two").reclaim("slack", NOW)
        await one.done(entry)
        busy.execute("ROLLBACK")
    assert taken.payload == "payload"
    await one.close()


async def test_entries_the_database_itself_kept_move_to_the_inbox_file(
    sqlite_db: AsyncEngine,
) -> None:
    # Kept by a release whose inbox was a table of the database, by a process that died.
    async with sqlite_db.begin() as connection:
        await connection.execute(
            inbox.insert().values(
                key="slack:Ev1", platform="slack", payload="left behind", state="pending",
                claimed_by="old", lease_until=NOW, attempts=1, received_at=NOW,
            )
        )  # fmt: skip
    one = box(sqlite_db, "one")
    assert await one.accept("slack", "Ev1", "again", NOW) is None  # its key came along
    assert [e.payload for e in await one.reclaim("slack", NOW)] == ["left behind"]
    async with sqlite_db.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(inbox)) == 0
    await one.close()


async def test_done_words_are_gone_from_the_inbox_files_after_a_checkpoint(
    sqlite_db: AsyncEngine, tmp_path: Path
) -> None:
    one = box(sqlite_db, "one")  # no key: the words are written as they are
    entry = await one.accept("slack", "Ev1", "my secret setback", NOW)
    assert entry

    def files() -> bytes:
        return b"".join(part.read_bytes() for part in tmp_path.glob("bounceback.db-inbox*"))

    assert b"my secret setback" in files()
    await one.done(entry)
    assert await checkpoint(sqlite_db)
    assert b"my secret setback" not in files()
    await one.close()
