"""SQLite's few-step claim, last look and record (``storage.outbox_sqlite``) leave the tables
exactly as the general plans of ``storage.records`` do, on the same claimed rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery_ports import ClaimRequest
from bot.model import Due, Outcome, PlannedState
from bot.schedule import Slot
from storage import outbox_sqlite, records
from storage.database import create_engine
from storage.outbox import SqlOutbox
from storage.tables import conversations, people, planned_messages
from tests.conftest import prepare
from tests.scheduling.harness import seed_due

DUE = dt.datetime(2026, 7, 14, 8, 0, tzinfo=dt.UTC)
NEXT = Slot(due=DUE + dt.timedelta(days=7), local=dt.datetime(2026, 7, 21, 10), zone="UTC")
RECORDED_AT = DUE + dt.timedelta(seconds=5)


def outcomes_for(batch: list[Due]) -> list[Outcome]:
    """A mixed group: sent (talk and a next one), skipped too late (a next one, no talk),
    given up, one taken over, and the first row again, as a group written twice would carry
    it (its later talk wins)."""
    sent, stale, gave_up, taken, *_ = batch

    def of(due: Due, state: PlannedState, code: str = "", **extra: Any) -> Outcome:
        return Outcome(due.message.id, due.person.id, due.person.platform, state, code, **extra)

    return [
        of(
            sent,
            PlannedState.SENT,
            platform_message_id="m-1",
            follow_up=("weekly", NEXT),
            conversation=("checkin", "first"),
        ),
        of(stale, PlannedState.SKIPPED, "stale", follow_up=("weekly", NEXT)),
        of(gave_up, PlannedState.FAILED, "gave_up"),
        of(taken, PlannedState.SENT, platform_message_id="m-4", follow_up=("weekly", NEXT)),
        of(sent, PlannedState.SENT, platform_message_id="m-1", conversation=("checkin", "again")),
    ]


async def recorded_with(
    tmp_path: Path, name: str, plan: Callable[[list[Outcome]], records.Plan[list[bool]]]
) -> tuple[list[bool], list[Any], list[Any], list[Due]]:
    """Seed, claim, let another token take the fourth row, record the mixed group with
    ``plan``: its answer, every planned row, every conversation, and the claimed batch."""
    db = create_engine(await prepare(f"sqlite:///{tmp_path}/{name}.db"))
    outbox = SqlOutbox(db)
    try:
        await seed_due(db, 5, DUE)
        lease = DUE + dt.timedelta(minutes=2)
        batch = list(await outbox.claim(ClaimRequest(DUE, ["console"], "one#1", lease, 5)))
        async with db.begin() as connection:
            await connection.execute(
                update(planned_messages)
                .where(planned_messages.c.id == batch[3].message.id)
                .values(claimed_by="two#1")
            )
            answer = await records.run_async(connection, plan(outcomes_for(batch)))
        return answer, await table(db, planned_messages), await table(db, conversations), batch
    finally:
        await outbox.close()
        await db.dispose()


async def table(db: AsyncEngine, which: Any) -> list[Any]:
    async with db.connect() as connection:
        return [
            tuple(row)
            for row in await connection.execute(select(which).order_by(*which.primary_key))
        ]


async def test_the_few_step_record_leaves_what_the_general_plan_leaves(tmp_path: Path) -> None:
    def general(outcomes: list[Outcome]) -> records.Plan[list[bool]]:
        return records.record("sqlite", "one#1", outcomes, RECORDED_AT)

    def few_steps(outcomes: list[Outcome]) -> records.Plan[list[bool]]:
        assert outbox_sqlite.common(outcomes)
        return outbox_sqlite.record("one#1", outcomes, RECORDED_AT)

    expected = await recorded_with(tmp_path, "general", general)
    found = await recorded_with(tmp_path, "few", few_steps)
    assert found[:3] == expected[:3]
    answer, planned, talk, batch = found
    assert answer == [True, True, True, False, True]  # the fourth was taken over
    states = {row[0]: row[8] for row in planned}
    assert [states[due.message.id] for due in batch] == [
        "sent",
        "skipped",
        "failed",
        "claimed",
        "claimed",  # not in the group
    ]
    assert len(planned) == 7  # one next check-in each for the first two, none for the rest
    assert [row[2] for row in talk] == ["again"]  # of two outcomes for one person, the later


async def test_a_claim_and_a_last_look_take_what_the_general_ones_take(tmp_path: Path) -> None:
    """Lease ran out first, then due ones oldest first; the last look skips a stopped
    person and a row another token holds."""
    db = create_engine(await prepare(f"sqlite:///{tmp_path}/claim.db"))
    outbox = SqlOutbox(db)
    try:
        dues = [DUE - dt.timedelta(minutes=n) for n in (1, 5, 3, 0)]
        await seed_due(db, 4, DUE, dues=[*dues])
        request = ClaimRequest(DUE, ["console"], "one#1", DUE + dt.timedelta(minutes=2), 2)
        first = await outbox.claim(request)
        assert [d.message.due for d in first] == [dues[1], dues[2]]
        assert {d.message.state for d in first} == {PlannedState.CLAIMED}
        assert {d.message.attempts for d in first} == {1}
        later = DUE + dt.timedelta(minutes=3)  # the first claim's lease ran out
        again = await outbox.claim(
            ClaimRequest(later, ["console"], "two#1", later + dt.timedelta(minutes=2), 3)
        )
        assert [d.message.due for d in again] == [dues[1], dues[2], dues[0]]
        assert [d.message.attempts for d in again] == [2, 2, 1]
        async with db.begin() as connection:
            await connection.execute(
                update(people).where(people.c.id == again[0].person.id).values(checkins="stopped")
            )
        ids = [d.message.id for d in again]
        assert await outbox.held("two#1", ids, later) == set(ids[1:])
        assert await outbox.held("one#1", ids, later) == set()
    finally:
        await outbox.close()
        await db.dispose()
