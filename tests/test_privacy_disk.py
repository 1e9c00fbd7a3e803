"""Deleted means gone from the files: nothing of a deleted person is left in the SQLite
database, its write-ahead log or its shared-memory index."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.transactions
from bot.events import Sender
from bot.model import Answer, Person, PostKind, Reflection, RejectionDraft, Stage, WinKind
from bot.writes import Share
from storage.database import create_engine
from storage.retention import sweep
from storage.sql import SqlStore
from tests.conftest import prepare

NOW = dt.datetime(2026, 7, 13, 7, 0, tzinfo=dt.UTC)
GONE = Sender("slack", "T1", "U-gone", "Quokkaname Delete")
STAYS = Sender("slack", "T1", "U-stays", "Wombatname Keep")

# Words only the deleted person wrote, one per kind of record.
SECRETS = {
    "win": "Zanzibar-win-4711",
    "reflection": "Okapi-reflection-note-5822",
    "mood": "Narwhal-mood-note-6933",
    "feedback": "Axolotl-feedback-7044",
    "answer": "Pangolin-answer-8155",
    "company": "Capybara-Industries-9266",
    "interviewer": "Ms-Tuatara-0377",
    "hired": "Kinkajou-advice-1488",
}


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, Path]]:
    """A migrated SQLite file, and where it lies."""
    path = tmp_path / "bounceback.db"
    db = create_engine(await prepare(f"sqlite:///{path}"))
    try:
        yield db, path
    finally:
        await db.dispose()


async def share_hired_advice(store: SqlStore, person: Person, advice: str) -> None:
    """``advice`` shared in the community by ``person``, hired, the week of NOW."""
    await store.share(person, Share(PostKind.SHARE_HIRED, "2026-W29", "C1", body=advice), NOW)


async def write_everything(store: SqlStore, sender: Sender, tag: str) -> int:
    """A person with a rejection, feedback, reflections, moods, answers, many wins and a shared
    piece of advice, each carrying ``tag``; returns their id."""
    person = await store.person(sender, "UTC", NOW)
    draft = RejectionDraft(
        company=f"{tag}:{SECRETS['company']}",
        role="Analyst",
        stage=Stage.INTERVIEW,
        rejected_on=NOW.date(),
        interviewer=f"{tag}:{SECRETS['interviewer']}",
        feeling=2,
    )
    rejection = await store.add_rejection(person.id, draft, NOW)
    await store.log_feedback(person.id, rejection.id, f"{tag}:{SECRETS['feedback']}", NOW)
    note = f"{tag}:{SECRETS['reflection']}"
    reflection = Reflection(rejection.id, "prep", Answer.PARTLY, note, NOW)
    await store.save_reflection(person.id, reflection)
    await store.add_answer(person.id, "lesson", f"{tag}:{SECRETS['answer']}", NOW)
    # Enough rows to fill many pages, so b-tree pages split and free pages are reused.
    for n in range(150):
        await store.add_win(
            person.id, f"{tag}:{SECRETS['win']} #{n} " + "x" * 80, WinKind.ACCOMPLISHMENT, NOW
        )
        await store.add_mood(person.id, 3, f"{tag}:{SECRETS['mood']} #{n}", "checkin", NOW)
    await share_hired_advice(store, person, f"{tag}:{SECRETS['hired']}")
    return person.id


async def left_on_disk_after_deletion(db: AsyncEngine, path: Path) -> list[str]:
    """Write everything of a person, delete them; what of them the database files still hold."""
    store = SqlStore(db)
    await store.delete_person(await write_everything(store, GONE, "gone"))
    return found(on_disk(path), "gone")


def on_disk(path: Path) -> bytes:
    """The raw bytes of the database and its -wal and -shm files (and the inbox file's), as
    they are now."""
    files = [
        path.with_name(path.name + inbox + part)
        for inbox in ("", "-inbox")
        for part in ("", "-wal", "-shm")
    ]
    return b"".join(file.read_bytes() for file in files if file.exists())


def found(raw: bytes, tag: str) -> list[str]:
    """Which secrets written with ``tag`` can be read in ``raw``."""
    return [kind for kind, word in SECRETS.items() if f"{tag}:{word}".encode() in raw]


async def test_a_deleted_person_leaves_nothing_readable_in_the_files(
    sqlite: tuple[AsyncEngine, Path],
) -> None:
    db, path = sqlite
    store = SqlStore(db)
    gone = await write_everything(store, GONE, "gone")
    await write_everything(store, STAYS, "kept")
    before = on_disk(path)
    assert found(before, "gone") == list(SECRETS)  # the reading itself works
    assert b"Quokkaname" in before

    async with store.transaction():  # as the engine runs /mydata delete
        await store.delete_person(gone)

    raw = on_disk(path)
    assert found(raw, "gone") == []
    assert b"Quokkaname" not in raw
    # The other person is untouched, and readable the same way.
    assert found(raw, "kept") == list(SECRETS)
    assert b"Wombatname" in raw


async def test_without_the_checkpoint_the_wal_would_still_hold_them(
    sqlite: tuple[AsyncEngine, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the test above would fail if the deletion skipped its checkpoint."""

    async def no_checkpoint(engine: AsyncEngine) -> bool:
        return True

    monkeypatch.setattr(storage.transactions, "checkpoint", no_checkpoint)
    assert await left_on_disk_after_deletion(*sqlite) != []


async def test_without_secure_delete_freed_pages_would_still_hold_them(
    sqlite: tuple[AsyncEngine, Path],
) -> None:
    """The other control: the checkpoint alone is not enough, the pages must be zeroed."""
    db, path = sqlite
    event.listen(db.sync_engine, "connect", _insecure)
    await db.dispose()  # new connections, each made insecure after Bounceback's tuning
    assert await left_on_disk_after_deletion(db, path) != []


async def test_every_connection_deletes_securely_whatever_sqlite_defaults_to(
    sqlite: tuple[AsyncEngine, Path],
) -> None:
    db, _ = sqlite
    # Some SQLite builds are compiled with secure_delete on, most not: start from off.
    event.listen(db.sync_engine, "connect", _insecure, insert=True)
    await db.dispose()
    async with db.connect() as connection:
        assert await connection.scalar(text("PRAGMA secure_delete")) == 1


def _insecure(dbapi_connection: object, _record: object) -> None:
    dbapi_connection.execute("PRAGMA secure_delete=OFF")  # type: ignore[attr-defined]


async def test_a_removed_community_leaves_nothing_readable(
    sqlite: tuple[AsyncEngine, Path],
) -> None:
    db, path = sqlite
    store = SqlStore(db)
    await write_everything(store, GONE, "gone")

    await store.delete_community("slack", "T1")

    assert found(on_disk(path), "gone") == []


async def test_the_retention_sweep_leaves_nothing_of_old_notes(
    sqlite: tuple[AsyncEngine, Path],
) -> None:
    db, path = sqlite
    store = SqlStore(db)
    person = await store.person(STAYS, "UTC", NOW)
    long_ago = NOW - dt.timedelta(days=400)
    for n in range(100):
        await store.add_mood(person.id, 2, f"Old-{SECRETS['mood']} #{n}", "checkin", long_ago)
        await store.add_answer(person.id, "lesson", f"Old-{SECRETS['answer']} #{n}", long_ago)
    await store.add_mood(person.id, 4, "Recent-note-stays", "checkin", NOW)
    assert b"Old-" + SECRETS["mood"].encode() in on_disk(path)

    removed = await sweep(db, NOW, dt.timedelta(days=365))

    assert removed["moods"] == 100 and removed["answers"] == 100
    raw = on_disk(path)
    assert b"Old-" + SECRETS["mood"].encode() not in raw
    assert b"Old-" + SECRETS["answer"].encode() not in raw
    assert b"Recent-note-stays" in raw
