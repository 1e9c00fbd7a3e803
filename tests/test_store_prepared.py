"""The engine's hot statements (``storage.prepared``): written once and kept prepared, they give
each call its own rows, write what SQLAlchemy reads back, and outlive connections and schema
changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from bot.model import (
    Answer,
    ApplicationDraft,
    CheckinAnswer,
    Community,
    Reflection,
    RejectionDraft,
    Stage,
    WinKind,
)
from bot.schedule import Slot, Step
from bot.writes import RecoveryPlan
from storage import prepared
from storage.crypto import Cipher
from storage.database import create_engine
from storage.sql import SqlStore
from storage.tables import people, rejections
from tests.conftest import TEST_KEY

SAM = Sender("slack", "T1", "U1", "Sam")
ALEX = Sender("slack", "T1", "U2", "Alex")


def _draft(company: str, feeling: int) -> RejectionDraft:
    return RejectionDraft(company, "Analyst", Stage.INTERVIEW, dt.date(2026, 3, 2), "Jo", feeling)


async def test_the_same_statements_give_each_call_its_own_rows(
    db: AsyncEngine, now: dt.datetime
) -> None:
    store = SqlStore(db, Cipher([TEST_KEY]))
    sam, alex = [await store.person(sender, "UTC", now) for sender in (SAM, ALEX)]
    later = now + dt.timedelta(hours=1)
    async with store.transaction():
        theirs = await store.add_rejection(alex.id, _draft("Globex", 4), later)
        mine = await store.add_rejection(sam.id, _draft("Acme", 2), now)
        slot = Slot(later, dt.datetime(2026, 3, 11, 10), "Europe/Lisbon")
        await store.replace_plan(
            RecoveryPlan(sam.id, "slack", mine.id, [(Step.DAY1_MOOD, slot)]), now
        )
        await store.set_conversation(sam.id, "reflection", f"{mine.id}:direct", now)
        win = await store.add_win(alex.id, "Shipped", WinKind.ACCOMPLISHMENT, later)

    assert (await store.person(SAM, "UTC", later), await store.known_person(ALEX)) == (sam, alex)
    assert [sam.display_name, alex.display_name] == ["Sam", "Alex"]
    # What a hot call returns is what reading it back through SQLAlchemy gives.
    assert await store.rejections(sam.id) == [mine]
    assert await store.rejections(alex.id) == [theirs]
    assert (mine.company, theirs.company, theirs.created_at) == ("Acme", "Globex", later)
    assert await store.wins(alex.id) == [win]
    assert [(m.score, m.source) for m in await store.moods(sam.id, 5)] == [(2, "rejection")]
    [planned] = await store.planned(sam.id)
    assert (planned.kind, planned.due, planned.local, planned.rejection_id) == (
        Step.DAY1_MOOD, later, dt.datetime(2026, 3, 11, 10), mine.id,
    )  # fmt: skip
    conversation = await store.conversation(sam.id)
    assert conversation is not None
    assert (conversation.topic, conversation.data) == ("reflection", f"{mine.id}:direct")
    # Sealed at rest, as through SQLAlchemy.
    async with db.connect() as connection:
        stored = (await connection.execute(select(rejections.c.company))).scalars().all()
        names = (await connection.execute(select(people.c.display_name))).scalars().all()
    assert all(value.startswith("fernet:") for value in [*stored, *names])


async def test_what_sqlalchemy_wrote_reads_back_through_the_hot_statements(
    db: AsyncEngine, now: dt.datetime
) -> None:
    store = SqlStore(db)
    person = await store.person(SAM, "UTC", now)
    paused = now + dt.timedelta(days=2, microseconds=7)
    async with db.begin() as connection:
        await connection.execute(
            update(people).values(
                checkin_time=dt.time(9, 30, 15), weekdays_only=True, paused_until=paused
            )
        )
    found = await store.known_person(SAM)
    assert found is not None
    assert (found.checkin_time, found.weekdays_only, found.paused_until) == (
        dt.time(9, 30, 15), True, paused,
    )  # fmt: skip
    assert found.created_at == person.created_at == now


async def test_a_hot_call_joins_the_transaction_it_is_in(db: AsyncEngine, now: dt.datetime) -> None:
    store = SqlStore(db)
    person = await store.person(SAM, "UTC", now)

    class Undone(Exception):
        pass

    try:
        async with store.transaction():
            await store.add_rejection(person.id, _draft("Acme", 3), now)
            raise Undone
    except Undone:
        pass
    assert await store.rejections(person.id) == []
    assert await store.moods(person.id, 5) == []


async def test_prepared_statements_outlive_connections_and_schema_changes(
    database_url: str, now: dt.datetime
) -> None:
    db = create_engine(database_url)
    store = SqlStore(db)
    try:
        sam = await store.person(SAM, "UTC", now)
        # Every pooled connection closed: the next call prepares on a new one.
        await db.dispose()
        assert await store.known_person(SAM) == sam
        # A migration changes a table the prepared statements use while their connection is
        # kept in the pool: they are prepared again, not run against the old schema.
        async with db.begin() as connection:
            await connection.execute(text("ALTER TABLE people ADD COLUMN nickname VARCHAR(20)"))
        assert await store.known_person(SAM) == sam
        alex = await store.person(ALEX, "UTC", now)
        assert (alex.user_id, await store.known_person(ALEX)) == ("U2", alex)
        async with db.begin() as connection:
            await connection.execute(text("ALTER TABLE people DROP COLUMN nickname"))
        assert await store.person(ALEX, "UTC", now) == alex
    finally:
        await db.dispose()


async def test_a_hot_call_runs_on_the_connection_it_is_given(db: AsyncEngine) -> None:
    def add(driver: prepared.Driver) -> int:
        clock = driver.clock
        return driver.execute(
            "INSERT INTO people (platform, community, user_id, display_name, timezone, "
            "checkin_time, quiet_start, quiet_end, weekdays_only, unreachable, checkins, "
            "created_at, timezone_source) VALUES (?, ?, ?, '', 'UTC', ?, ?, ?, ?, '', "
            "'active', ?, 'default')",
            (
                *("slack", "T1", "U9"),
                *(clock(dt.time(10)), clock(dt.time(21)), clock(dt.time(8))),
                driver.flag(False),
                driver.moment(dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
            ),
        )

    async with db.begin() as connection:
        assert await prepared.run(connection, add) == 1
        # Seen by SQLAlchemy on the same connection before the commit.
        found = await connection.scalar(select(people.c.user_id).where(people.c.user_id == "U9"))
        rows = await prepared.run(
            connection, lambda driver: driver.rows("SELECT user_id FROM people WHERE 1 = ?", (1,))
        )
    assert found == "U9"
    assert [tuple(row) for row in rows] == [("U9",)]


async def test_a_write_left_waiting_is_seen_by_what_follows_and_undone_with_the_rest(
    db: AsyncEngine, now: dt.datetime
) -> None:
    store = SqlStore(db)
    person = await store.person(SAM, "UTC", now)
    slot = Slot(now + dt.timedelta(days=1), dt.datetime(2026, 3, 11, 10), "UTC")
    async with store.transaction():
        await store.set_conversation(person.id, "reflection", "1:direct", now)
        await store.replace_plan(RecoveryPlan(person.id, "slack", None, [(Step.WEEKLY, slot)]), now)
        # Read through SQLAlchemy and through a hot statement alike.
        waiting = await store.conversation(person.id)
        [planned] = await store.planned(person.id)
        await store.add_mood(person.id, 4, "", "checkin", now)
        mine = await store.add_rejection(person.id, _draft("Acme", 3), now)
    assert waiting is not None
    assert (waiting.data, planned.kind) == ("1:direct", Step.WEEKLY)
    assert [m.score for m in await store.moods(person.id, 5)] == [4, 3]
    assert await store.rejections(person.id) == [mine]

    class Undone(Exception):
        pass

    async def change_and_fail() -> None:
        async with store.transaction():
            await store.set_conversation(person.id, "other", "2", now)
            await store.clear_conversation(person.id)
            await store.replace_plan(RecoveryPlan(person.id, "slack", None, []), now)
            raise Undone

    with pytest.raises(Undone):
        await change_and_fail()
    kept = await store.conversation(person.id)
    assert (kept.data if kept else None, len(await store.planned(person.id))) == ("1:direct", 1)
    # Outside a transaction a write is its own transaction, done before the call returns.
    await store.set_conversation(person.id, "other", "3", now)
    async with db.connect() as connection:
        data = await connection.scalar(text("SELECT data FROM conversations"))
    assert data == "3"


async def test_a_community_read_by_its_hot_statement_is_the_one_sqlalchemy_changed(
    db: AsyncEngine, now: dt.datetime
) -> None:
    store = SqlStore(db)
    fresh = await store.community("slack", "T1", "Europe/Paris", now)
    assert fresh == Community("slack", "T1", "Europe/Paris")  # the model's defaults
    changed = await store.update_community(
        "slack", "T1", brag_time=dt.time(16, 45), brag_thread=False, practice=True
    )
    assert await store.community("slack", "T1", "UTC", now) == changed
    assert (changed.brag_time, changed.brag_thread, changed.practice) == (
        dt.time(16, 45), False, True,
    )  # fmt: skip


async def test_a_journey_read_straight_from_the_driver_is_what_sqlalchemy_read(
    db: AsyncEngine, now: dt.datetime
) -> None:
    store = SqlStore(db, Cipher([TEST_KEY]))
    sam = await store.person(SAM, "UTC", now)
    later = now + dt.timedelta(days=2, microseconds=5)
    added = await store.add_rejection(sam.id, _draft("Acme", 2), now)
    await store.mark_note_sent(sam.id, added.id, later)
    # What SQLAlchemy read back of the row changed last, every kind of column set.
    changed = await store.log_feedback(sam.id, added.id, "Be more concise", later)
    reflection = Reflection(added.id, "prepared", Answer.PARTLY, "Practise more", later)
    await store.save_reflection(sam.id, reflection)
    win = await store.add_win(sam.id, "Shipped", WinKind.ACCOMPLISHMENT, later)
    await store.add_answer(sam.id, "lesson", "Ask about the team", later)
    draft = ApplicationDraft("Globex", "Analyst", "https://x.test", dt.date(2026, 2, 27), True)
    application = await store.add_application(sam.id, draft, now)

    assert changed is not None and changed.feedback_at == later and changed.note_sent_at == later
    assert await store.rejections(sam.id) == [changed]
    assert await store.reflections(sam.id) == [reflection]
    assert await store.wins(sam.id) == [win]
    assert await store.answers(sam.id) == [CheckinAnswer("lesson", "Ask about the team", later)]
    assert await store.applications(sam.id) == [application]
    assert application.adjacent is True and application.applied_on == dt.date(2026, 2, 27)
    [mood] = await store.moods(sam.id, 5)
    assert (mood.score, mood.created_at) == (2, now)
