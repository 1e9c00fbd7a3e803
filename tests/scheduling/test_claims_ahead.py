"""The next batch claimed while one is sent, and records written in padded groups: the oldest
due still go first, a stop hands the batch claimed ahead back at once, and each record
changes exactly its own rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery_ports import ClaimRequest
from bot.events import Sender
from bot.model import Outcome, PlannedState
from bot.schedule import Preferences, Slot, weekly_after
from storage import records
from storage.outbox import SqlOutbox
from storage.tables import people, planned_messages
from tests.scheduling.harness import seed_due
from tests.scheduling.test_delivery import DUE, HookedMessenger, dispatcher, states


async def test_batches_claimed_ahead_still_go_out_oldest_due_first(db: AsyncEngine) -> None:
    # Due a minute apart, the latest first in the table; three preferred times among them.
    dues = [DUE - dt.timedelta(minutes=n) for n in range(30)]
    await seed_due(db, 30, DUE, dues=dues)
    async with db.begin() as connection:
        for n in range(30):
            await connection.execute(
                people.update()
                .where(people.c.user_id == f"user-{n}")
                .values(checkin_time=dt.time(9 + n % 3, 30))
            )
    messenger = HookedMessenger()
    report = await dispatcher(db, messenger, batch_size=10, concurrency=1).tick(DUE)

    assert report.claimed == 30 and report.count(PlannedState.SENT) == 30
    assert messenger.users == [f"user-{n}" for n in reversed(range(30))]
    assert await states(db) == {"sent": 30, "pending": 30}
    # Each one's next weekly check-in at its own preferred time, a week on (records write
    # the next slots of many people together).
    async with db.connect() as connection:
        rows = await connection.execute(
            select(planned_messages.c.due_at).where(planned_messages.c.state == "pending")
        )
        planned = sorted(row.due_at for row in rows)
    expected = [
        weekly_after(
            Slot(due, due.replace(tzinfo=None), "UTC"), Preferences("UTC", dt.time(9 + n % 3, 30))
        ).due
        for n, due in enumerate(dues)
    ]
    assert planned == sorted(expected)
    assert len(set(planned)) == 3


async def test_a_stop_hands_back_the_batch_claimed_ahead_at_once(db: AsyncEngine) -> None:
    await seed_due(db, 30, DUE)
    first = HookedMessenger()
    one = dispatcher(db, first, batch_size=10, concurrency=1)

    async def stop_after_three(sent: int, _: Sender) -> None:
        if sent == 2:
            one.stop()  # SIGTERM while the first batch is being sent

    first.hook = stop_after_three
    report = await one.tick(DUE)

    # The first batch's rest and the whole batch claimed ahead went back, not left to a lease.
    assert len(first.keys) == 3
    assert (report.claimed, report.counts["handed_back"]) == (20, 17)
    assert await states(db) == {"sent": 3, "pending": 30}
    second = HookedMessenger()
    again = await dispatcher(db, second, instance="two").tick(DUE)
    assert again.claimed == 27 and not set(second.keys) & set(first.keys)


@pytest.mark.parametrize("padded_up_to", [records.PADDED_UP_TO, 2])
async def test_records_of_any_group_size_change_exactly_their_own_rows(
    db: AsyncEngine, monkeypatch: pytest.MonkeyPatch, padded_up_to: int
) -> None:
    monkeypatch.setattr(records, "PADDED_UP_TO", padded_up_to)
    await seed_due(db, 12, DUE)
    outbox = SqlOutbox(db)
    try:
        batch = await outbox.claim(
            ClaimRequest(DUE, ["console"], "one", DUE + dt.timedelta(minutes=2), limit=12)
        )
        outcomes = [
            Outcome(
                due.message.id,
                due.person.id,
                "console",
                PlannedState.SENT if n % 2 else PlannedState.SKIPPED,
                "" if n % 2 else "stopped",
                platform_message_id=f"m{n}",
            )
            for n, due in enumerate(batch)
        ]
        written: list[bool] = []
        for group in (outcomes[:1], outcomes[1:4], outcomes[4:9]):  # padded to 1, 4 and 8
            written += await outbox.record("one", group, DUE)
        elsewhere = await outbox.record("two", outcomes[9:], DUE)  # not this claim's rows
    finally:
        await outbox.close()

    assert written == [True] * 9 and elsewhere == [False] * 3
    async with db.connect() as connection:
        rows = await connection.execute(
            select(planned_messages.c.id, planned_messages.c.state, planned_messages.c.message_id)
        )
        found = {row.id: (row.state, row.message_id) for row in rows}
    for n, outcome in enumerate(outcomes):
        if n < 9:
            assert found[outcome.planned_id] == (outcome.state.value, f"m{n}" if n % 2 else "")
        else:
            assert found[outcome.planned_id] == ("claimed", "")
