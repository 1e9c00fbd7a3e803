"""Practice rounds on the real outbox (SQLite, and PostgreSQL when set): paired once whatever
the number of instances, never with someone who left, stopped, deleted their data or closed
DMs; whoever loses a partner is re-paired or told; "Did you meet?" comes privately."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import brag_thread
from bot.content import Content
from bot.dispatcher import Dispatcher
from bot.engine import Engine
from bot.errors import DeliveryError
from bot.events import Choice, Command, FormSubmission, Sender
from bot.practice_model import PracticeChoices
from bot.practice_ports import Introduction, Meeting
from bot.replies import Reply
from storage.community_posts import SqlCommunityPosts
from storage.crypto import Cipher
from storage.outbox import SqlOutbox
from storage.practice_rounds import SqlPracticeRounds
from storage.retention import sweep
from storage.sql import SqlStore
from storage.tables import practice_members
from tests.test_community import FakeChannels

ADMIN = Sender("slack", "T1", "UADMIN", "Ada", is_admin=True)
MONDAY = dt.datetime(2026, 7, 13, 8, 0, tzinfo=dt.UTC)
# The default pairing time: Tuesday 10:00 in the community's zone (UTC here).
TUESDAY = dt.datetime(2026, 7, 14, 10, 0, tzinfo=dt.UTC)
SETTINGS = {"practice": "yes", "practice_day": "1", "practice_time": "10:00",
            "practice_every": "1"}  # fmt: skip


def member(n: int) -> Sender:
    return Sender("slack", "T1", f"U{n}", f"Member {n}")


@dataclass
class FakeIntroducer(FakeChannels):
    """A platform that opens group conversations; some people it cannot reach."""

    needs_channel: bool = False
    introduced: list[tuple[str, list[str], list[Reply]]] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    failing: bool = False  # every introduction fails for now (an outage)

    async def introduce(self, meeting: Meeting) -> Introduction:
        if self.failing:
            raise DeliveryError("outage")
        people, replies, key = meeting.people, meeting.replies, meeting.key
        gone = tuple(p for p in people if p in self.refused)
        reached = [p for p in people if p not in gone]
        if len(reached) < 2:
            return Introduction("", gone)
        self.introduced.append((key, reached, list(replies)))
        return Introduction(f"G{len(self.introduced)}", gone)

    @property
    def groups(self) -> list[frozenset[str]]:
        return [frozenset(people) for _, people, _ in self.introduced]


@dataclass
class Community:
    db: AsyncEngine
    engine: Engine
    store: SqlStore
    platform: FakeIntroducer

    def dispatcher(self, name: str) -> Dispatcher:
        return Dispatcher(SqlOutbox(self.db), Content.load(), {"slack": self.platform}, name,
                          publishers={"slack": self.platform},
                          posts=SqlCommunityPosts(self.db),
                          practice=SqlPracticeRounds(self.db))  # fmt: skip

    async def join(self, *numbers: int) -> None:
        form = {"areas": "Lead with the answer, then back it with a concrete example",
                "role_kind": "Analyst", "availability": "daytime"}  # fmt: skip
        for n in numbers:
            await self.engine.handle(FormSubmission(member(n), "practice_join", form), MONDAY)

    async def tick(self, now: dt.datetime, names: Sequence[str] = ("one",)) -> None:
        for name in names:
            await self.dispatcher(name).tick(now)

    def asked(self) -> list[str]:
        """Who got "Did you meet?", privately."""
        return [d.recipient.user_id for d in self.platform.inner.sent
                if "Did you meet" in d.replies[0].text]  # fmt: skip

    def told(self) -> list[str]:
        return [d.recipient.user_id for d in self.platform.inner.sent
                if "couldn't find you a practice partner" in d.replies[0].text]  # fmt: skip


@pytest.fixture
async def place(db: AsyncEngine) -> Community:
    store = SqlStore(db)
    engine = Engine(store, Content.load(), brag_schedule=store)
    community = Community(db, engine, store, FakeIntroducer())
    await engine.handle(FormSubmission(ADMIN, "practice_settings", SETTINGS), MONDAY)
    return community


async def test_nothing_is_paired_until_an_admin_turns_practice_on(db: AsyncEngine) -> None:
    store = SqlStore(db)
    off = Community(db, Engine(store, Content.load()), store, FakeIntroducer())
    await off.join(1, 2)
    await off.tick(TUESDAY)
    assert off.platform.introduced == []


async def test_a_round_pairs_once_whatever_the_instances_and_only_who_can_take_part(
    place: Community,
) -> None:
    await place.join(1, 2, 3, 4, 5, 6, 7, 8)
    await place.engine.handle(Command(member(5), "checkin", "stop"), MONDAY)
    await place.engine.handle(Command(member(6), "practice", "leave"), MONDAY)
    await place.engine.handle(Command(member(7), "mydata", "delete"), MONDAY)
    await place.engine.handle(Choice(member(7), "mydata.delete", "confirm"), MONDAY)
    four = await place.store.person(member(4), "UTC", MONDAY)
    await place.store.set_unreachable(four.id, "dms_closed", MONDAY)
    await place.tick(TUESDAY - dt.timedelta(minutes=1), ("one", "two"))
    assert place.platform.introduced == []

    for minutes in (0, 1, 30):
        await place.tick(TUESDAY + dt.timedelta(minutes=minutes), ("one", "two", "restarted"))

    introduced = sorted(p for _, people, _ in place.platform.introduced for p in people)
    assert introduced == ["U1", "U2", "U3", "U8"]  # each once; nobody who could not take part
    assert sorted(len(g) for g in place.platform.groups) == [2, 2]
    _, people, replies = place.platform.introduced[0]
    assert replies[0].heading == "Practice partners: week of 13 July 2026"
    kits = "\n".join(r.text for r in replies)
    assert all(f"Member {p[1:]}'s kit (Analyst)" in kits for p in people)
    assert "Answer first in one sentence" in kits

    # "Did you meet?" a few days later, to each of them privately, once.
    await place.tick(TUESDAY + dt.timedelta(days=3), ("one", "two"))
    assert sorted(place.asked()) == ["U1", "U2", "U3", "U8"]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_instances_ticking_together_pair_a_round_once(place: Community) -> None:
    await place.join(1, 2, 3, 4, 5, 6)
    for minutes in (0, 1):
        at = TUESDAY + dt.timedelta(minutes=minutes)
        await asyncio.gather(*(place.dispatcher(name).tick(at) for name in ("one", "two")))
    introduced = sorted(p for g in place.platform.groups for p in g)
    assert introduced == ["U1", "U2", "U3", "U4", "U5", "U6"]


async def test_a_new_day_moves_the_planned_round_and_every_two_weeks_skips_a_week(
    place: Community,
) -> None:
    await place.join(1, 2)
    await place.tick(MONDAY)  # plans Tuesday's round
    thursday = {**SETTINGS, "practice_day": "3"}
    await place.engine.handle(FormSubmission(ADMIN, "practice_settings", thursday), MONDAY)
    await place.tick(TUESDAY)
    assert place.platform.introduced == []
    await place.tick(TUESDAY + dt.timedelta(days=2))  # Thursday 10:00
    assert len(place.platform.groups) == 1

    fortnightly = {**thursday, "practice_every": "2"}
    await place.engine.handle(FormSubmission(ADMIN, "practice_settings", fortnightly), TUESDAY)
    for weeks in (1, 2, 3, 4):
        await place.tick(TUESDAY + dt.timedelta(days=2, weeks=weeks))
    assert len(place.platform.groups) == 3  # two more rounds in four weeks


async def test_an_odd_count_makes_one_trio_and_pairs_do_not_repeat(place: Community) -> None:
    await place.join(1, 2, 3, 4, 5)
    await place.tick(TUESDAY)
    assert sorted(len(g) for g in place.platform.groups) == [2, 3]
    await place.engine.handle(Command(member(5), "practice", "leave"), MONDAY)
    await place.tick(TUESDAY + dt.timedelta(days=7))
    first, second = place.platform.groups[:2], place.platform.groups[2:]
    met = {frozenset(pair) for g in first for pair in itertools.combinations(sorted(g), 2)}
    again = {frozenset(pair) for g in second for pair in itertools.combinations(sorted(g), 2)}
    assert len(second) == 2 and not met & again


async def test_whoever_loses_a_partner_is_paired_again_with_another(place: Community) -> None:
    await place.join(1, 2, 3, 4, 5, 6)
    # Everyone is free at once and new, so the pairs go by joining order: 1-2, 3-4, 5-6.
    place.platform.refused = {"U1", "U3"}  # the platform cannot reach them any more
    await place.tick(TUESDAY)
    await place.tick(TUESDAY + dt.timedelta(minutes=1), ("two",))

    assert sorted(map(sorted, place.platform.groups)) == [["U2", "U4"], ["U5", "U6"]]
    await place.tick(TUESDAY + dt.timedelta(days=3))
    assert place.told() == []
    assert sorted(place.asked()) == ["U2", "U4", "U5", "U6"]

    # Those the platform refused are recorded as unreachable and not paired again.
    place.platform.refused = set()
    await place.tick(TUESDAY + dt.timedelta(days=7))
    assert {p for g in place.platform.groups[2:] for p in g} == {"U2", "U4", "U5", "U6"}


async def test_whoever_is_left_without_a_partner_is_told_privately(place: Community) -> None:
    await place.join(1, 2)
    place.platform.refused = {"U1"}
    await place.tick(TUESDAY)
    await place.tick(TUESDAY + dt.timedelta(minutes=1), ("two",))

    assert place.platform.introduced == []
    assert place.told() == ["U2"]
    [told] = [d for d in place.platform.inner.sent if d.recipient.user_id == "U2"]
    assert told.replies[0].private


async def test_an_outage_is_tried_again_and_then_everyone_waiting_is_told(
    place: Community,
) -> None:
    await place.join(1, 2, 3, 4)
    place.platform.failing = True
    await place.tick(TUESDAY)
    await place.tick(TUESDAY + dt.timedelta(seconds=10))  # planning leaves the retry alone
    assert place.told() == []  # tried again later: not told yet
    place.platform.failing = False
    await place.tick(TUESDAY + dt.timedelta(minutes=1))
    assert len(place.platform.groups) == 2 and place.told() == []

    await place.join(5, 6)
    place.platform.failing = True
    for hours in range(8):  # the round's tries run out
        await place.tick(TUESDAY + dt.timedelta(days=7, hours=hours))
    assert sorted(place.told()) == ["U1", "U2", "U3", "U4", "U5", "U6"]


async def test_turned_off_after_pairing_tells_whoever_still_waits(place: Community) -> None:
    await place.join(1, 2, 3, 4)
    place.platform.failing = True
    await place.tick(TUESDAY)  # paired, not introduced: tried again later
    off = {**SETTINGS, "practice": "no"}
    await place.engine.handle(FormSubmission(ADMIN, "practice_settings", off), TUESDAY)
    await place.tick(TUESDAY + dt.timedelta(hours=1))
    assert sorted(place.told()) == ["U1", "U2", "U3", "U4"]
    assert place.platform.introduced == []


async def test_the_pulse_counts_sessions_held_from_three(place: Community) -> None:
    await place.join(1, 2, 3, 4, 5, 6)
    await place.tick(TUESDAY)  # pairs 1-2, 3-4, 5-6
    later = TUESDAY + dt.timedelta(days=3)
    content = Content.load()
    for n in (1, 2, 3):  # two sessions, said yes to by three people
        await place.engine.handle(Choice(member(n), "practice.met", "yes"), later)
    two = await place.store.brag_pulse("slack", "T1", later)
    assert two.practice == 2 and "practice" not in brag_thread.pulse_line(content, two)

    await place.engine.handle(Choice(member(6), "practice.met", "yes"), later)
    three = await place.store.brag_pulse("slack", "T1", later)
    assert three.practice == 3
    assert "3 practice sessions were held" in brag_thread.pulse_line(content, three)


async def test_practice_data_is_exported_and_deleted_with_the_person(place: Community) -> None:
    await place.join(1, 2)
    await place.tick(TUESDAY)
    one = await place.store.person(member(1), "UTC", MONDAY)
    exported = await place.store.export(one.id)
    [choices] = exported["practice_partners"]
    assert choices["areas"] == "Lead with the answer, then back it with a concrete example"
    assert [r["state"] for r in exported["practice_rounds"]] == ["introduced"]

    await place.store.delete_person(one.id)
    assert await place.store.practice_member(one.id) is None
    assert await place.store.latest_practice(one.id) is None


async def test_practice_history_is_swept_after_the_retention_period(place: Community) -> None:
    await place.join(1, 2)
    await place.tick(TUESDAY)
    removed = await sweep(place.db, TUESDAY + dt.timedelta(days=366), dt.timedelta(days=365))
    assert removed["practice_pairs"] == 2


async def test_practice_choices_are_sealed_at_rest_and_resealed_by_rotate_key(
    db: AsyncEngine,
) -> None:
    old, new = Cipher.new_key(), Cipher.new_key()
    sealed = SqlStore(db, Cipher([old]))
    person = await sealed.person(member(1), "UTC", MONDAY)
    choices = PracticeChoices(("Salary talk",), "Nurse", "evenings")
    await sealed.join_practice(person.id, choices, MONDAY)

    async def raw() -> list[str]:
        async with db.connect() as connection:
            row = (await connection.execute(select(practice_members))).one()
        return [row.areas, row.role_kind]

    assert all(v.startswith("fernet:") and "Nurse" not in v for v in await raw())
    before = await raw()
    await SqlStore(db, Cipher([new, old])).reseal()
    assert all(a != b for a, b in zip(await raw(), before, strict=True))
    found = await SqlStore(db, Cipher([new])).practice_member(person.id)
    assert found is not None and (found.areas, found.role_kind) == (("Salary talk",), "Nurse")
