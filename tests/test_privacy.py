"""A person's data is theirs: export, deletion, encryption at rest, retention."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.batch import Lease
from bot.content import Content
from bot.delivery_ports import ClaimRequest
from bot.dispatcher import Dispatcher
from bot.engine import Engine
from bot.events import Choice, Command, FormSubmission, Message, Sender
from bot.model import WinKind
from bot.outcomes import TickReport
from storage.crypto import Cipher, CipherError
from storage.outbox import SqlOutbox
from storage.retention import sweep
from storage.sql import SqlStore
from storage.tables import Base, planned_messages
from tests.scheduling.harness import RecordingMessenger

SAM = Sender("console", "console", "sam", "Sam")
ALEX = Sender("console", "console", "alex", "Alex")
NOW = dt.datetime(2026, 7, 13, 7, 0, tzinfo=dt.UTC)
REJECTION = {"company": "Acme", "role": "Analyst", "stage": "interview", "rejected_on": "",
             "interviewer": "Jane", "feeling": "2"}  # fmt: skip


async def fill(engine: Engine, sender: Sender = SAM) -> None:
    """Something in every table about ``sender``."""
    await engine.handle(FormSubmission(sender, "rejection", REJECTION), NOW)
    await engine.handle(Message(sender, "I rambled on the SQL question"), NOW)
    await engine.handle(Command(sender, "feedback", "reply They wanted deeper SQL"), NOW)
    await engine.handle(Command(sender, "brag", "Shipped the billing rewrite"), NOW)
    await engine.handle(Command(sender, "checkin", "3 a slow day"), NOW)
    await engine.handle(Message(sender, "I applied to 4 jobs"), NOW)


async def test_export_holds_everything_about_the_person_and_nothing_else(db: AsyncEngine) -> None:
    engine = Engine(SqlStore(db), Content.load())
    await fill(engine)
    await fill(engine, ALEX)

    [reply] = await engine.handle(Command(SAM, "mydata", "export"), NOW)

    assert reply.private and reply.attachment is not None
    assert reply.attachment.filename == "bounceback-my-data-2026-07-13.json"
    data = json.loads(reply.attachment.content)
    assert data["person"]["user_id"] == "sam"
    assert [r["company"] for r in data["rejections"]] == ["Acme"]
    assert data["rejections"][0]["feedback"] == "They wanted deeper SQL"
    assert [r["note"] for r in data["reflections"]] == ["I rambled on the SQL question"]
    assert [w["text"] for w in data["wins"]] == ["Shipped the billing rewrite"]
    assert sorted(m["note"] for m in data["moods"]) == ["", "a slow day"]
    assert [(a["kind"], a["value"]) for a in data["checkin_answers"]] == [("applied", "4")]
    assert len(data["planned_messages"]) == 6
    assert "alex" not in reply.attachment.content.decode()


async def test_delete_asks_first_then_erases_every_row(db: AsyncEngine) -> None:
    engine = Engine(SqlStore(db), Content.load())
    await fill(engine)
    await fill(engine, ALEX)

    [ask] = await engine.handle(Command(SAM, "mydata", "delete"), NOW)
    keep, confirm = ask.buttons[1], ask.buttons[0]
    [kept] = await engine.handle(Choice(SAM, keep.action, keep.value), NOW)
    assert "Nothing was deleted" in kept.text
    assert await _rows(db, "sam") > 0

    [done] = await engine.handle(Choice(SAM, confirm.action, confirm.value), NOW)

    assert "deleted" in done.text
    assert await _rows(db, "sam") == 0
    assert await _rows(db, "alex") > 0


async def _rows(db: AsyncEngine, user: str) -> int:
    """Rows about ``user`` in every table that has a person_id, plus their people row."""
    async with db.connect() as connection:
        person = await connection.scalar(
            text("SELECT id FROM people WHERE user_id = :u"), {"u": user}
        )
        if person is None:
            return 0
        total = 1
        for table in Base.metadata.sorted_tables:
            if "person_id" in table.c:
                total += (
                    await connection.scalar(
                        select(func.count()).select_from(table).where(table.c.person_id == person)
                    )
                    or 0
                )
        return total


async def test_a_check_in_already_claimed_is_not_sent_after_deletion(db: AsyncEngine) -> None:
    store = SqlStore(db)
    engine = Engine(store, Content.load())
    await engine.handle(FormSubmission(SAM, "rejection", REJECTION), NOW)
    outbox = SqlOutbox(db)
    due = NOW + dt.timedelta(days=1, hours=3)
    # A dispatcher claims the check-in; the person deletes their data before it is sent.
    messenger = RecordingMessenger()
    dispatcher = Dispatcher(outbox, Content.load(), {"console": messenger}, instance="one")
    batch = await outbox.claim(
        ClaimRequest(due, ["console"], "one#1", due + dt.timedelta(minutes=5), limit=10)
    )
    assert len(batch) == 1
    await store.delete_person((await store.person(SAM, "UTC", NOW)).id)

    lease = Lease("one#1", deadline=float("inf"))
    report = TickReport()
    await dispatcher._deliver(lease, batch, lambda: due, report)

    assert messenger.sent == []
    async with db.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(planned_messages)) == 0


async def test_free_text_is_sealed_at_rest_and_read_back_clear(db: AsyncEngine) -> None:
    key = Cipher.new_key()
    engine = Engine(SqlStore(db, Cipher([key])), Content.load())
    await fill(engine)

    async with db.connect() as connection:
        stored = [
            await connection.scalar(text(query))
            for query in (
                "SELECT text FROM wins",
                "SELECT note FROM reflections",
                "SELECT feedback FROM rejections",
                "SELECT value FROM answers",
                "SELECT note FROM moods WHERE note != ''",
            )
        ]
    assert all(value.startswith("fernet:") for value in stored)
    # Phrases with a space: a sealed value (base64) can spell "SQL" by chance, never " SQL".
    clear = ("billing rewrite", "deeper SQL", "SQL question")
    assert not any(phrase in value for value in stored for phrase in clear)
    [listing] = await engine.handle(Command(SAM, "brag", "list"), NOW)
    assert "Shipped the billing rewrite" in listing.text


async def test_keys_rotate_without_losing_anything(db: AsyncEngine) -> None:
    old, new = Cipher.new_key(), Cipher.new_key()
    await fill(Engine(SqlStore(db), Content.load()))  # written before any key existed
    await fill(Engine(SqlStore(db, Cipher([old])), Content.load()), ALEX)

    rotating = SqlStore(db, Cipher([new, old]))
    changed = await rotating.reseal()

    assert changed >= 10
    only_new = SqlStore(db, Cipher([new]))
    for user in (SAM, ALEX):
        person = await only_new.person(user, "UTC", NOW)
        assert [w.text for w in await only_new.wins(person.id)] == ["Shipped the billing rewrite"]
    with pytest.raises(CipherError, match="not configured"):
        await SqlStore(db, Cipher([old])).wins(person.id)
    with pytest.raises(CipherError, match="not set"):
        await SqlStore(db).wins(person.id)


async def test_rotating_keys_reseals_what_long_discord_buttons_keep(db: AsyncEngine) -> None:
    old, new = Cipher.new_key(), Cipher.new_key()
    half_typed = json.dumps({"company": "Quokka Labs"})
    await SqlStore(db, Cipher([old])).remember_memo("t1", half_typed, NOW)

    assert await SqlStore(db, Cipher([new, old])).reseal() == 1

    assert await SqlStore(db, Cipher([new])).memo("t1") == half_typed
    with pytest.raises(CipherError, match="not configured"):
        await SqlStore(db, Cipher([old])).memo("t1")


def test_a_malformed_key_is_a_clear_error() -> None:
    with pytest.raises(CipherError, match="Fernet keys"):
        Cipher(["not-a-key"])


async def test_retention_sweeps_old_moods_and_answers_only(db: AsyncEngine) -> None:
    store = SqlStore(db)
    person = await store.person(SAM, "UTC", NOW)
    long_ago = NOW - dt.timedelta(days=400)
    await store.add_mood(person.id, 2, "old", "checkin", long_ago)
    await store.add_mood(person.id, 4, "recent", "checkin", NOW - dt.timedelta(days=10))
    await store.add_answer(person.id, "applied", "3", long_ago)
    await store.add_answer(person.id, "applied", "5", NOW)
    await store.add_win(person.id, "An old win stays", WinKind.ACCOMPLISHMENT, long_ago)
    await store.remember_memo("old", '{"form": "half-typed"}', long_ago)
    await store.remember_memo("new", '{"form": "today"}', NOW)

    removed = await sweep(db, NOW, dt.timedelta(days=365))

    assert removed["moods"] == 1 and removed["answers"] == 1 and removed["button_memos"] == 1
    assert await store.memo("old") is None and await store.memo("new") is not None
    assert [m.note for m in await store.moods(person.id, 10)] == ["recent"]
    assert [a.value for a in await store.answers(person.id)] == ["5"]
    assert [w.text for w in await store.wins(person.id)] == ["An old win stays"]


async def test_a_community_removal_takes_its_peoples_data(db: AsyncEngine) -> None:
    store = SqlStore(db)
    engine = Engine(store, Content.load())
    elsewhere = Sender("console", "other", "sam", "Sam")
    await fill(engine)
    await fill(engine, elsewhere)

    assert await store.delete_community("console", "console") == 1

    assert await _rows(db, "sam") > 0  # the same name in another community is untouched
    async with db.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM people")) == 1
