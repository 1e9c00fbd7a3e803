"""Exactly once inside one tick: records as sends finish, the last look before each send,
leases counted from each claim, records that survive a lost connection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.dispatcher import Dispatcher
from bot.engine import Engine
from bot.events import FormSubmission, Sender
from bot.model import CheckinState, Outcome, PlannedState
from bot.replies import Reply
from storage.crypto import Cipher
from storage.database import create_engine
from storage.outbox import SqlOutbox
from storage.sql import SqlStore
from storage.tables import people, planned_messages
from tests.scheduling.harness import seed_due

DUE = dt.datetime(2026, 7, 14, 8, 0, tzinfo=dt.UTC)
Hook = Callable[[int, Sender], Awaitable[None]]


@dataclass
class HookedMessenger:
    """A platform that counts deliveries and runs ``hook`` before accepting each one."""

    hook: Hook | None = None
    platform: str = "console"
    keys: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        if self.hook is not None:
            await self.hook(len(self.keys), recipient)
        self.keys.append(key)
        self.users.append(recipient.user_id)
        self.texts.append("\n".join(reply.text for reply in replies))
        return f"msg-{len(self.keys)}"


class FakeMonotonic:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def states(db: AsyncEngine) -> dict[str, int]:
    async with db.connect() as connection:
        rows = await connection.execute(
            select(planned_messages.c.state, func.count()).group_by(planned_messages.c.state)
        )
        return {state: count for state, count in rows.all()}


async def person_ids(db: AsyncEngine) -> dict[str, int]:
    async with db.connect() as connection:
        rows = await connection.execute(select(people.c.user_id, people.c.id))
        return {user: id_ for user, id_ in rows.all()}


def dispatcher(db: AsyncEngine, messenger: HookedMessenger, **options: object) -> Dispatcher:
    return Dispatcher(
        outbox=SqlOutbox(db),
        content=Content.load(),
        messengers={"console": messenger},
        instance=str(options.pop("instance", "one")),
        record_backoff=0.0,
        **options,  # type: ignore[arg-type]
    )


async def test_each_send_is_recorded_before_the_in_flight_bound_is_passed(db: AsyncEngine) -> None:
    recorded_when_sending: list[tuple[int, int]] = []

    async def look(sent: int, _: Sender) -> None:
        recorded_when_sending.append((sent, (await states(db)).get("sent", 0)))

    messenger = HookedMessenger(look)
    await seed_due(db, 120, DUE)
    one = dispatcher(db, messenger, concurrency=4)
    report = await one.tick(DUE)

    assert report.claimed == 120 and len(set(messenger.keys)) == 120
    # Never more than in_flight sent and unrecorded, this send's own place among them: not a
    # batch recorded at its end. Each look is held to the count delivered when it started (the
    # four senders' looks run side by side, so the last to answer may be an earlier one's).
    assert all(recorded >= sent + 1 - one.in_flight for sent, recorded in recorded_when_sending)
    assert max(sent for sent, _ in recorded_when_sending) >= 120 - 4
    assert await states(db) == {"sent": 120, "pending": 120}


async def test_a_person_deleted_or_stopped_mid_batch_gets_nothing_and_spoils_nothing(
    db: AsyncEngine,
) -> None:
    await seed_due(db, 60, DUE)
    ids = await person_ids(db)
    store = SqlStore(db)

    async def meanwhile(sent: int, _: Sender) -> None:
        if sent == 0:  # while the batch is being sent
            await store.delete_person(ids["user-40"])
            await store.delete_person(ids["user-41"])
            await store.set_checkins(ids["user-42"], CheckinState.STOPPED, None)
            await store.cancel_planned(ids["user-42"], "stopped")
            await store.set_checkins(
                ids["user-43"], CheckinState.PAUSED, DUE + dt.timedelta(days=3)
            )

    messenger = HookedMessenger(meanwhile)
    report = await dispatcher(db, messenger, concurrency=1).tick(DUE)

    assert not {"user-40", "user-41", "user-42", "user-43"} & set(messenger.users)
    assert len(messenger.users) == 56 == len(set(messenger.users))
    # Every other send recorded, each with its next weekly check-in; the paused one was
    # handed back, and the next tick holds it until the pause ends.
    assert report.count(PlannedState.SENT) == 56
    assert report.counts["handed_back"] == 1
    await dispatcher(db, messenger).tick(DUE + dt.timedelta(minutes=1))
    assert "user-43" not in messenger.users
    async with db.connect() as connection:
        paused = (
            await connection.execute(
                select(planned_messages.c.state, planned_messages.c.due_at).where(
                    planned_messages.c.person_id == ids["user-43"]
                )
            )
        ).all()
    assert [(row.state, row.due_at > DUE + dt.timedelta(days=3)) for row in paused] == [
        ("pending", True)
    ]
    assert await states(db) == {"sent": 56, "pending": 57, "skipped": 1}


async def test_a_lease_counts_from_each_claim_so_a_second_instance_never_sends_twice(
    db: AsyncEngine,
) -> None:
    await seed_due(db, 40, DUE)
    clock = FakeMonotonic()
    other = HookedMessenger()
    second = dispatcher(db, other, instance="two", lease=dt.timedelta(seconds=30))

    async def slow(sent: int, _: Sender) -> None:
        clock.now += 1.0  # each send takes a second: the tick runs for 40
        if sent == 35:  # meanwhile another instance ticks at that moment
            await second.tick(DUE + dt.timedelta(seconds=clock.now))

    first = HookedMessenger(slow)
    one = dispatcher(db, first, lease=dt.timedelta(seconds=30), batch_size=10, monotonic=clock)
    await one.tick(DUE)

    delivered = first.keys + other.keys
    assert len(delivered) == 40 == len(set(delivered))
    assert await states(db) == {"sent": 40, "pending": 40}


async def test_sends_stop_before_the_lease_runs_out_and_the_rest_is_handed_back(
    db: AsyncEngine,
) -> None:
    await seed_due(db, 10, DUE)
    clock = FakeMonotonic()

    async def slow(sent: int, _: Sender) -> None:
        clock.now += 10.0  # a rate-limited platform

    first = HookedMessenger(slow)
    one = dispatcher(db, first, lease=dt.timedelta(seconds=40), concurrency=1, monotonic=clock)
    report = await one.tick(DUE)

    # 10 s a send and a 10 s margin before the 40 s lease: three go, seven come back.
    assert (len(first.keys), report.counts["handed_back"]) == (3, 7)
    assert await states(db) == {"sent": 3, "pending": 10}
    second = HookedMessenger()
    await dispatcher(db, second, instance="two").tick(DUE + dt.timedelta(seconds=31))
    assert len(second.keys) == 7 and not set(second.keys) & set(first.keys)


class FlakyOutbox(SqlOutbox):
    """The real outbox whose connection drops while recording: after the commit (its
    acknowledgement lost) or before it, as ``failures`` says, one record call each."""

    def __init__(self, db: AsyncEngine, failures: list[str]) -> None:
        super().__init__(db)
        self.failures = failures

    async def record(
        self, instance: str, outcomes: Sequence[Outcome], now: dt.datetime
    ) -> Sequence[bool]:
        failure = self.failures.pop(0) if self.failures else ""
        if failure == "before":
            raise ConnectionResetError("connection lost")
        recorded = await super().record(instance, outcomes, now)
        if failure == "after":
            raise ConnectionResetError("connection lost after the commit")
        return recorded


async def test_a_connection_lost_while_recording_records_each_send_once(db: AsyncEngine) -> None:
    await seed_due(db, 50, DUE)
    messenger = HookedMessenger()
    one = Dispatcher(
        outbox=FlakyOutbox(db, ["after", "before", "after"]),
        content=Content.load(),
        messengers={"console": messenger},
        instance="one",
        concurrency=5,
        record_backoff=0.0,
    )
    await one.tick(DUE)
    await one.tick(DUE + dt.timedelta(minutes=1))

    assert len(messenger.keys) == 50 == len(set(messenger.keys))
    # Written again after each loss, never twice: one next weekly check-in each.
    assert await states(db) == {"sent": 50, "pending": 50}


@pytest.mark.parametrize("keyed", [False, True])
async def test_names_and_employers_sealed_at_rest_are_written_in_clear(
    db: AsyncEngine, keyed: bool
) -> None:
    cipher = Cipher([Cipher.new_key()]) if keyed else Cipher()
    engine = Engine(SqlStore(db, cipher), Content.load())
    sam = Sender("console", "local", "sam", "Sam")
    await engine.handle(
        FormSubmission(sam, "rejection", {"company": "Acme", "role": "Designer",
                                          "stage": "interview", "rejected_on": "",
                                          "interviewer": "Jane", "feeling": "3"}),
        DUE - dt.timedelta(days=1),
    )  # fmt: skip
    messenger = HookedMessenger()
    one = Dispatcher(SqlOutbox(db, cipher), Content.load(), {"console": messenger}, "one")
    await one.tick(dt.datetime(2026, 7, 14, 10, 5, tzinfo=dt.UTC))

    assert messenger.texts and "Acme" in messenger.texts[0]
    assert "gAAAA" not in "".join(messenger.texts)


class SeveredOutbox(SqlOutbox):
    """The real outbox on PostgreSQL whose connections the server drops right before the
    first record is written (an operator's restart, a failover, a network blip)."""

    def __init__(self, db: AsyncEngine, admin_url: str) -> None:
        super().__init__(db)
        self._admin_url = admin_url
        self.severed = 0

    async def record(
        self, instance: str, outcomes: Sequence[Outcome], now: dt.datetime
    ) -> Sequence[bool]:
        if not self.severed:
            # Two records may start at once: each adds what it dropped, read after its own
            # await (``self.severed += await ...`` would read the count before it and write
            # back a stale sum over the other's).
            dropped = await terminate_other_backends(self._admin_url)
            self.severed += dropped
        return await super().record(instance, outcomes, now)


SEVERED = "bounceback-severed-test"


async def terminate_other_backends(url: str) -> int:
    """Drop the connections of this test's engine (named ``SEVERED``) to the database at
    ``url``, and none of anyone else's; how many there were."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = $1",
            SEVERED,
        )
    finally:
        await connection.close()
    return len(rows)


@pytest.mark.postgres
async def test_a_postgres_connection_dropped_while_recording_loses_and_repeats_nothing(
    postgres_only_url: str,
) -> None:
    url = postgres_only_url
    db = create_engine(url, connect_args={"server_settings": {"application_name": SEVERED}})
    try:
        await seed_due(db, 60, DUE)
        messenger = HookedMessenger()
        outbox = SeveredOutbox(db, url)
        one = Dispatcher(
            outbox, Content.load(), {"console": messenger}, "one", concurrency=5, record_backoff=0.0
        )
        await one.tick(DUE)
        await one.tick(DUE + dt.timedelta(minutes=1))

        assert outbox.severed >= 1  # the dispatcher's own connections really went
        assert len(messenger.keys) == 60 == len(set(messenger.keys))
        assert await states(db) == {"sent": 60, "pending": 60}
    finally:
        await db.dispose()
