"""The inbox keeps acknowledged work until it is done, and hands a dead process's work to
exactly one other instance."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.crypto import Cipher
from storage.inbox import SqlInbox
from storage.retention import sweep
from storage.tables import inbox

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


async def test_private_words_are_sealed_and_gone_once_done(db: AsyncEngine) -> None:
    cipher = Cipher([Cipher.new_key()])
    one = box(db, "one", cipher)
    entry = await one.accept("slack", "Ev1", "my secret setback", NOW)
    assert entry is not None
    async with db.connect() as connection:
        stored = await connection.scalar(select(inbox.c.payload))
    assert stored and "secret" not in stored
    await one.done(entry)
    async with db.connect() as connection:
        assert await connection.scalar(select(inbox.c.payload)) == ""
    removed = await sweep(db, NOW + dt.timedelta(days=2), dt.timedelta(days=365))
    assert removed["inbox"] == 1


async def test_words_it_may_not_keep_are_never_written(db: AsyncEngine) -> None:
    careful = SqlInbox(
        db, Cipher(), instance="one", lease=LEASE, may_keep=lambda payload: "hurt" not in payload
    )
    assert await careful.accept("slack", "Ev1", "I want to hurt myself", NOW) == 0
    assert await careful.accept("slack", "Ev2", "hello", NOW) not in (None, 0)
    async with db.connect() as connection:
        stored = (await connection.execute(select(inbox.c.payload))).scalars().all()
    assert stored == ["hello"]
