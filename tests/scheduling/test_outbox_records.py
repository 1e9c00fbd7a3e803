"""A group's record on each database (on PostgreSQL one statement of its own): fenced by the
claim's token, a deleted person spoiling nothing, one next check-in per person and kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery_ports import ClaimRequest
from bot.model import Due, Outcome, PlannedState
from bot.schedule import Slot
from storage.outbox import SqlOutbox
from storage.sql import SqlStore
from storage.tables import conversations, planned_messages
from tests.scheduling.harness import pending_row, seed_due

DUE = dt.datetime(2026, 7, 14, 8, 0, tzinfo=dt.UTC)
NEXT = DUE + dt.timedelta(days=7)


@pytest.fixture
async def outbox(db: AsyncEngine) -> AsyncIterator[SqlOutbox]:
    outbox = SqlOutbox(db)
    yield outbox
    await outbox.close()


async def claimed(outbox: SqlOutbox, token: str, count: int) -> list[Due]:
    batch = await outbox.claim(
        ClaimRequest(DUE, ["console"], token, DUE + dt.timedelta(minutes=2), limit=count)
    )
    return list(batch)


def sent(due: Due, topic: str = "checkin", data: str = "") -> Outcome:
    """``due`` sent, its next weekly check-in a week on, the bot waiting on ``topic``."""
    slot = Slot(due=NEXT, local=NEXT.replace(tzinfo=None), zone="UTC")
    return Outcome(
        due.message.id,
        due.person.id,
        due.person.platform,
        PlannedState.SENT,
        platform_message_id=f"msg-{due.message.id}",
        follow_up=("weekly", slot),
        conversation=(topic, data or f"planned:{due.message.id}"),
    )


async def rows(db: AsyncEngine, person_id: int) -> list[tuple[str, str, str, dt.datetime]]:
    """(state, claimed_by, message_id, due) of each planned message of the person."""
    t = planned_messages
    async with db.connect() as connection:
        found = await connection.execute(
            select(t.c.state, t.c.claimed_by, t.c.message_id, t.c.due_at)
            .where(t.c.person_id == person_id)
            .order_by(t.c.id)
        )
        return [(r.state, r.claimed_by, r.message_id, r.due_at) for r in found]


async def talks(db: AsyncEngine) -> dict[int, tuple[str, str]]:
    async with db.connect() as connection:
        found = await connection.execute(select(conversations))
        return {r.person_id: (r.topic, r.data) for r in found}


async def test_a_row_taken_over_by_another_token_is_neither_recorded_nor_planned_again(
    db: AsyncEngine, outbox: SqlOutbox
) -> None:
    await seed_due(db, 3, DUE)
    first, taken, last = await claimed(outbox, "one#1", 3)
    async with db.begin() as connection:  # the lease ran out: another instance has it now
        await connection.execute(
            update(planned_messages)
            .where(planned_messages.c.id == taken.message.id)
            .values(claimed_by="two#1")
        )
    ids = [due.message.id for due in (first, taken, last)]

    assert await outbox.held("one#1", ids, DUE) == {first.message.id, last.message.id}
    recorded = await outbox.record("one#1", [sent(first), sent(taken), sent(last)], DUE)

    assert list(recorded) == [True, False, True]
    assert await rows(db, taken.person.id) == [("claimed", "two#1", "", DUE)]
    for due in (first, last):
        assert await rows(db, due.person.id) == [
            ("sent", "one#1", f"msg-{due.message.id}", DUE),
            ("pending", "", "", NEXT),
        ]
    assert set(await talks(db)) == {first.person.id, last.person.id}


async def test_a_person_deleted_mid_group_leaves_the_rest_of_the_group_recorded(
    db: AsyncEngine, outbox: SqlOutbox
) -> None:
    await seed_due(db, 3, DUE)
    batch = await claimed(outbox, "one#1", 3)
    gone = batch[1]
    await SqlStore(db).delete_person(gone.person.id)

    recorded = await outbox.record("one#1", [sent(due) for due in batch], DUE)

    assert list(recorded) == [True, False, True]
    assert await rows(db, gone.person.id) == []
    for due in (batch[0], batch[2]):
        states = [state for state, *_ in await rows(db, due.person.id)]
        assert states == ["sent", "pending"]
    assert gone.person.id not in await talks(db)


async def test_the_next_check_in_is_planned_once_however_often_it_is_recorded(
    db: AsyncEngine, outbox: SqlOutbox
) -> None:
    await seed_due(db, 2, DUE)
    fresh, replanned = await claimed(outbox, "one#1", 2)
    sooner = DUE + dt.timedelta(days=3)
    async with db.begin() as connection:  # planned anew meanwhile (new settings, say)
        await connection.execute(
            planned_messages.insert(),
            [pending_row(replanned.person.id, "console", "weekly", sooner)],
        )
    group = [sent(fresh), sent(replanned)]

    assert list(await outbox.record("one#1", group, DUE)) == [True, True]
    # Written again (a commit whose acknowledgement was lost): nothing left to change.
    assert list(await outbox.record("one#1", group, DUE)) == [False, False]

    assert [row[::3] for row in await rows(db, fresh.person.id)] == [
        ("sent", DUE),
        ("pending", NEXT),
    ]
    assert [row[::3] for row in await rows(db, replanned.person.id)] == [
        ("sent", DUE),
        ("pending", sooner),
    ]


async def test_two_rows_of_one_person_in_one_group_plan_one_check_in_the_later_talk_wins(
    db: AsyncEngine, outbox: SqlOutbox
) -> None:
    await seed_due(db, 1, DUE)
    async with db.begin() as connection:
        person_id = (await connection.execute(select(planned_messages.c.person_id))).scalar_one()
        await connection.execute(
            planned_messages.insert(), [pending_row(person_id, "console", "day3", DUE)]
        )
    first, second = await claimed(outbox, "one#1", 2)

    recorded = await outbox.record(
        "one#1", [sent(first, data="first"), sent(second, data="second")], DUE
    )

    assert list(recorded) == [True, True]
    assert [row[::3] for row in await rows(db, person_id)] == [
        ("sent", DUE),
        ("sent", DUE),
        ("pending", NEXT),
    ]
    assert (await talks(db))[person_id] == ("checkin", "second")
