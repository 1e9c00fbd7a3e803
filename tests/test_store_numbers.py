"""The Store contract for time-zone sources and win numbers, on the fake and on SQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from bot.model import WinKind, ZoneSource
from bot.ports import Store
from storage.crypto import Cipher
from storage.sql import SqlStore
from tests.fakes import MemoryStore

SAM = Sender("slack", "T1", "U1", "Sam")
ALEX = Sender("slack", "T1", "U2", "Alex")


async def test_a_zone_remembers_where_it_came_from(store: Store, now: dt.datetime) -> None:
    assert await store.known_person(SAM) is None  # looking never creates anyone
    person = await store.person(SAM, "UTC", now)
    assert person.timezone_source is ZoneSource.DEFAULT
    assert await store.known_person(SAM) == person

    moved = await store.set_timezone(person.id, "America/New_York", ZoneSource.PLATFORM)
    chosen = await store.set_timezone(person.id, "Europe/Lisbon", ZoneSource.PERSON)

    assert (moved.timezone, moved.timezone_source) == ("America/New_York", ZoneSource.PLATFORM)
    assert (chosen.timezone, chosen.timezone_source) == ("Europe/Lisbon", ZoneSource.PERSON)
    assert await store.person(SAM, "UTC", now) == chosen
    assert await store.known_person(ALEX) is None


async def test_win_numbers_are_each_persons_own_and_never_shift(
    store: Store, now: dt.datetime
) -> None:
    sam = await store.person(SAM, "UTC", now)
    alex = await store.person(ALEX, "UTC", now)
    first, second, third = [
        await store.add_win(sam.id, text, WinKind.ACCOMPLISHMENT, now) for text in "abc"
    ]
    theirs = await store.add_win(alex.id, "x", WinKind.SOFT_SKILL, now)

    assert [first.number, second.number, third.number, theirs.number] == [1, 2, 3, 1]
    assert await store.remove_win(sam.id, second.id)
    fourth = await store.add_win(sam.id, "d", WinKind.OBSTACLE, now)

    assert [(w.text, w.number) for w in await store.wins(sam.id)] == [
        ("a", 1),
        ("c", 3),
        ("d", 4),
    ]
    assert fourth.number == 4


async def test_a_button_memo_is_kept_once_and_read_back(store: Store, now: dt.datetime) -> None:
    memos = store  # the Discord adapter's MemoStore is the same store
    assert isinstance(memos, SqlStore | MemoryStore)
    assert await memos.memo("0123456789abcdef") is None
    await memos.remember_memo("0123456789abcdef", '{"kind":"choice"}', now)
    await memos.remember_memo("0123456789abcdef", "a second write changes nothing", now)
    assert await memos.memo("0123456789abcdef") == '{"kind":"choice"}'


async def test_a_button_memo_is_sealed_at_rest(db: AsyncEngine, now: dt.datetime) -> None:
    sealed = SqlStore(db, Cipher([Cipher.new_key()]))
    await sealed.remember_memo("fedcba9876543210", '{"known":{"company":"Acme"}}', now)

    async with db.connect() as connection:
        raw = await connection.scalar(text("SELECT data FROM button_memos"))
    assert "Acme" not in str(raw)
    assert await sealed.memo("fedcba9876543210") == '{"known":{"company":"Acme"}}'
