"""The Store contract, held by the in-memory fake and by the SQL store on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from bot.model import Answer, RejectionDraft, Stage, WinKind
from bot.ports import Store
from storage.database import create_engine
from storage.event_log import EventLog
from storage.sql import SqlStore
from tests.conftest import DATABASES, database_for
from tests.fakes import MemoryStore

SAM = Sender("slack", "T1", "U1", "Sam")
ALEX = Sender("slack", "T1", "U2", "Alex")
DRAFT = RejectionDraft("Acme", "Analyst", Stage.INTERVIEW, dt.date(2026, 3, 9), "Jane", 2)


@pytest.fixture(params=["memory", *DATABASES])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """Each implementation of the port in turn."""
    if request.param == "memory":
        yield MemoryStore()
        return
    db = create_engine(await database_for(request.param, request, tmp_path))
    try:
        yield SqlStore(db)
    finally:
        await db.dispose()


async def test_a_person_is_created_once_with_defaults(store: Store, now: dt.datetime) -> None:
    first = await store.person(SAM, "Europe/Paris", now)
    again = await store.person(SAM, "UTC", now)
    other = await store.person(Sender("discord", "T1", "U1"), "UTC", now)

    assert first == again
    assert first.id != other.id
    assert (first.timezone, first.checkin_time, first.quiet_start, first.quiet_end) == (
        "Europe/Paris",
        dt.time(10, 0),
        dt.time(21, 0),
        dt.time(8, 0),
    )
    assert first.created_at == now and first.unreachable == ""


async def test_settings_and_reachability(store: Store, now: dt.datetime) -> None:
    person = await store.person(SAM, "UTC", now)
    await store.update_settings(
        person.id,
        timezone="Asia/Tokyo",
        checkin_time=dt.time(9, 30),
        quiet_start=dt.time(22, 0),
        quiet_end=dt.time(7, 0),
        weekdays_only=True,
    )
    await store.set_unreachable(person.id, "dms_closed", now)

    reread = await store.person(SAM, "UTC", now)
    assert (reread.timezone, reread.checkin_time, reread.weekdays_only) == (
        "Asia/Tokyo",
        dt.time(9, 30),
        True,
    )
    assert reread.unreachable == "dms_closed"


async def test_rejections_feedback_and_the_mood_they_bring(store: Store, now: dt.datetime) -> None:
    sam = await store.person(SAM, "UTC", now)
    alex = await store.person(ALEX, "UTC", now)
    rejection = await store.add_rejection(sam.id, DRAFT, now)

    assert await store.mark_note_sent(alex.id, rejection.id, now) is None
    sent = await store.mark_note_sent(sam.id, rejection.id, now)
    logged = await store.log_feedback(
        sam.id, rejection.id, "More depth", now + dt.timedelta(days=2)
    )

    assert sent is not None and sent.note_sent_at == now
    assert logged is not None and logged.feedback == "More depth"
    [stored] = await store.rejections(sam.id)
    assert (stored.company, stored.stage, stored.rejected_on, stored.feedback_at) == (
        "Acme",
        Stage.INTERVIEW,
        dt.date(2026, 3, 9),
        now + dt.timedelta(days=2),
    )
    assert [m.score for m in await store.moods(sam.id, 5)] == [2]
    assert await store.rejections(alex.id) == []


async def test_reflections_are_replaced_per_question(store: Store, now: dt.datetime) -> None:
    sam = await store.person(SAM, "UTC", now)
    alex = await store.person(ALEX, "UTC", now)
    rejection = await store.add_rejection(sam.id, DRAFT, now)

    assert await store.save_reflection(sam.id, rejection.id, "direct", Answer.NO, "", now)
    assert await store.save_reflection(sam.id, rejection.id, "research", Answer.YES, "", now)
    assert await store.save_reflection(sam.id, rejection.id, "direct", Answer.NOTE, "rambled", now)
    assert not await store.save_reflection(alex.id, rejection.id, "direct", Answer.NO, "", now)

    answers = [(r.question, r.answer, r.note) for r in await store.reflections(sam.id)]
    assert answers == [("direct", Answer.NOTE, "rambled"), ("research", Answer.YES, "")]
    assert await store.reflections(alex.id) == []


async def test_wins_belong_to_their_owner(store: Store, now: dt.datetime) -> None:
    sam = await store.person(SAM, "UTC", now)
    alex = await store.person(ALEX, "UTC", now)
    win = await store.add_win(sam.id, "Led the launch <!channel>", WinKind.ACCOMPLISHMENT, now)

    assert await store.set_win_kind(alex.id, win.id, WinKind.SOFT_SKILL) is None
    assert not await store.remove_win(alex.id, win.id)
    refiled = await store.set_win_kind(sam.id, win.id, WinKind.CONTRIBUTION)

    assert refiled is not None and refiled.kind is WinKind.CONTRIBUTION
    assert [w.text for w in await store.wins(sam.id)] == ["Led the launch <!channel>"]
    assert await store.remove_win(sam.id, win.id)
    assert await store.wins(sam.id) == []


async def test_moods_come_back_latest_last_and_limited(store: Store, now: dt.datetime) -> None:
    sam = await store.person(SAM, "UTC", now)
    for day, score in enumerate([1, 2, 3, 4, 5]):
        await store.add_mood(sam.id, score, f"day {day}", "checkin", now + dt.timedelta(days=day))

    moods = await store.moods(sam.id, 3)

    assert [(m.score, m.note) for m in moods] == [(3, "day 2"), (4, "day 3"), (5, "day 4")]
    assert moods[-1].created_at == now + dt.timedelta(days=4)


async def test_conversation_state_survives_and_clears(store: Store, now: dt.datetime) -> None:
    sam = await store.person(SAM, "UTC", now)
    assert await store.conversation(sam.id) is None

    await store.set_conversation(sam.id, "reflection", "1:direct", now)
    await store.set_conversation(sam.id, "reflection", "1:research", now)
    pending = await store.conversation(sam.id)
    await store.clear_conversation(sam.id)

    assert pending is not None and (pending.topic, pending.data) == ("reflection", "1:research")
    assert await store.conversation(sam.id) is None


async def test_unicode_and_markup_round_trip_unchanged(store: Store, now: dt.datetime) -> None:
    sam = await store.person(SAM, "UTC", now)
    text = "Zoë 🚀 <@U123> & `code` — 日本語"
    await store.add_win(sam.id, text, WinKind.ACCOMPLISHMENT, now)
    assert [w.text for w in await store.wins(sam.id)] == [text]


async def test_a_community_is_deleted_with_all_its_people(
    db: AsyncEngine, now: dt.datetime
) -> None:
    store = SqlStore(db)
    sam = await store.person(SAM, "UTC", now)
    other = await store.person(Sender("slack", "T2", "U1"), "UTC", now)
    await store.add_rejection(sam.id, DRAFT, now)
    await store.add_win(sam.id, "win", WinKind.ACCOMPLISHMENT, now)
    await store.set_conversation(sam.id, "reflection", "x", now)

    assert await store.delete_community("slack", "T1") == 1

    assert await store.rejections(sam.id) == [] and await store.wins(sam.id) == []
    assert await store.conversation(sam.id) is None
    assert (await store.person(Sender("slack", "T2", "U1"), "UTC", now)).id == other.id


async def test_concurrent_first_contact_creates_one_person(
    db: AsyncEngine, now: dt.datetime
) -> None:
    stores = [SqlStore(db) for _ in range(5)]
    people = await asyncio.gather(*(s.person(SAM, "UTC", now) for s in stores))
    assert len({p.id for p in people}) == 1


async def test_event_log_remembers_each_key_once(db: AsyncEngine, now: dt.datetime) -> None:
    log = EventLog(db)
    assert await log.first_time("slack:Ev1", now)
    assert not await log.first_time("slack:Ev1", now)
    assert await log.first_time("slack:Ev2", now)

    await log.forget_before(now + dt.timedelta(seconds=1))
    assert await log.first_time("slack:Ev1", now)
