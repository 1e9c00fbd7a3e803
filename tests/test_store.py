"""The Store contract, role by role (people, journal, conversations, plans, communities,
privacy), held by the in-memory fakes and by the SQL store on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from bot.model import (
    Answer,
    CheckinState,
    Community,
    PlannedState,
    PostKind,
    Reflection,
    RejectionDraft,
    Stage,
    WinKind,
    ZoneSource,
)
from bot.ports import (
    Communities,
    Conversations,
    Journal,
    People,
    Plans,
    Practice,
    Privacy,
    Store,
)
from bot.practice_model import Met, PracticeChoices, PracticeState
from bot.schedule import Preferences
from bot.writes import NewPlanned, RecoveryPlan, Share
from storage.communities import SqlCommunities
from storage.conversations import SqlConversations
from storage.event_log import EventLog
from storage.journal import SqlJournal
from storage.people import SqlPeople
from storage.plans import SqlPlans
from storage.practice import SqlPractice
from storage.privacy import SqlPrivacy
from storage.sql import SqlStore
from tests.fakes import (
    MemoryCommunities,
    MemoryConversations,
    MemoryJournal,
    MemoryPeople,
    MemoryPlans,
    MemoryPractice,
    MemoryPrivacy,
)
from tests.store_contract import SAM, sam_and_alex, slot

DRAFT = RejectionDraft("Acme", "Analyst", Stage.INTERVIEW, dt.date(2026, 3, 9), "Jane", 2)
ROLES = (People, Journal, Conversations, Plans, Communities, Privacy, Practice)


def test_each_role_has_a_fake_and_a_part_of_the_sql_store(db: AsyncEngine) -> None:
    fakes: tuple[People, Journal, Conversations, Plans, Communities, Privacy, Practice] = (
        MemoryPeople(),
        MemoryJournal(),
        MemoryConversations(),
        MemoryPlans(),
        MemoryCommunities(),
        MemoryPrivacy(),
        MemoryPractice(),
    )
    parts: tuple[People, Journal, Conversations, Plans, Communities, Privacy, Practice] = (
        SqlPeople(db),
        SqlJournal(db),
        SqlConversations(db),
        SqlPlans(db),
        SqlCommunities(db),
        SqlPrivacy(db),
        SqlPractice(db),
    )
    for role, fake, part in zip(ROLES, fakes, parts, strict=True):
        members = {name for name in vars(role) if not name.startswith("_")}
        assert members and members <= set(dir(fake)) & set(dir(part))


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


async def test_a_newcomer_starts_in_the_zone_their_platform_gave(
    store: Store, now: dt.datetime
) -> None:
    await store.community("slack", "T1", "Europe/Paris", now)
    await store.update_community("slack", "T1", checkin_time=dt.time(8, 0))
    newcomer = await store.person(SAM, "UTC", now, platform_zone="Asia/Tokyo")
    known = await store.person(SAM, "UTC", now, platform_zone="America/Chicago")

    assert (newcomer.timezone, newcomer.timezone_source) == ("Asia/Tokyo", ZoneSource.PLATFORM)
    assert newcomer.checkin_time == dt.time(8, 0)  # the community's still
    assert known == newcomer  # someone known keeps their zone: following it is the engine's
    other = await store.person(Sender("slack", "T1", "U2"), "UTC", now)
    assert (other.timezone, other.timezone_source) == ("Europe/Paris", ZoneSource.DEFAULT)


async def test_settings_and_reachability(store: Store, now: dt.datetime) -> None:
    person = await store.person(SAM, "UTC", now)
    await store.update_settings(
        person.id,
        Preferences(
            timezone="Asia/Tokyo",
            checkin_time=dt.time(9, 30),
            quiet_start=dt.time(22, 0),
            quiet_end=dt.time(7, 0),
            weekdays_only=True,
        ),
    )
    await store.set_unreachable(person.id, "dms_closed", now)

    reread = await store.person(SAM, "UTC", now)
    assert (reread.timezone, reread.checkin_time, reread.weekdays_only) == (
        "Asia/Tokyo",
        dt.time(9, 30),
        True,
    )
    assert reread.unreachable == "dms_closed"


async def test_checkins_pause_and_resume(store: Store, now: dt.datetime) -> None:
    sam = await store.person(SAM, "UTC", now)
    until = now + dt.timedelta(days=3)

    await store.set_checkins(sam.id, CheckinState.PAUSED, until)
    paused = await store.person(SAM, "UTC", now)
    await store.set_checkins(sam.id, CheckinState.ACTIVE, None)
    resumed = await store.person(SAM, "UTC", now)

    assert (paused.checkins, paused.paused_until) == (CheckinState.PAUSED, until)
    assert (resumed.checkins, resumed.paused_until) == (CheckinState.ACTIVE, None)


async def test_rejections_feedback_and_the_mood_they_bring(store: Store, now: dt.datetime) -> None:
    sam, alex = await sam_and_alex(store, now)
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
    sam, alex = await sam_and_alex(store, now)
    rejection = await store.add_rejection(sam.id, DRAFT, now)

    def answer(question: str, given: Answer, note: str = "") -> Reflection:
        return Reflection(rejection.id, question, given, note, now)

    assert await store.save_reflection(sam.id, answer("direct", Answer.NO))
    assert await store.save_reflection(sam.id, answer("research", Answer.YES))
    assert await store.save_reflection(sam.id, answer("direct", Answer.NOTE, "rambled"))
    assert not await store.save_reflection(alex.id, answer("direct", Answer.NO))

    answers = [(r.question, r.answer, r.note) for r in await store.reflections(sam.id)]
    assert answers == [("direct", Answer.NOTE, "rambled"), ("research", Answer.YES, "")]
    assert await store.reflections(alex.id) == []


async def test_wins_belong_to_their_owner(store: Store, now: dt.datetime) -> None:
    sam, alex = await sam_and_alex(store, now)
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


async def test_checkin_answers_come_back_oldest_first(store: Store, now: dt.datetime) -> None:
    sam, alex = await sam_and_alex(store, now)
    await store.add_answer(sam.id, "applications", "3", now)
    await store.add_answer(sam.id, "lesson", "Ask about the team", now + dt.timedelta(days=1))

    answers = [(a.kind, a.value) for a in await store.answers(sam.id)]
    assert answers == [("applications", "3"), ("lesson", "Ask about the team")]
    assert await store.answers(alex.id) == []


async def test_conversation_state_survives_and_clears(store: Store, now: dt.datetime) -> None:
    sam = await store.person(SAM, "UTC", now)
    assert await store.conversation(sam.id) is None

    await store.set_conversation(sam.id, "reflection", "1:direct", now)
    await store.set_conversation(sam.id, "reflection", "1:research", now)
    pending = await store.conversation(sam.id)
    await store.clear_conversation(sam.id)

    assert pending is not None and (pending.topic, pending.data) == ("reflection", "1:research")
    assert await store.conversation(sam.id) is None


async def test_a_new_plan_supersedes_the_last_one_kind_pending_at_a_time(
    store: Store, now: dt.datetime
) -> None:
    sam, alex = await sam_and_alex(store, now)
    rejection = await store.add_rejection(sam.id, DRAFT, now)
    steps = [("day1_checkin", slot(now, 1)), ("day3_checkin", slot(now, 3))]
    await store.replace_plan(RecoveryPlan(sam.id, "slack", rejection.id, steps), now)
    await store.add_planned(NewPlanned(alex.id, "slack", "weekly", slot(now, 2)), now)

    steps = [("day3_checkin", slot(now, 4)), ("day1_checkin", slot(now, 2, "Europe/Paris"))]
    await store.replace_plan(RecoveryPlan(sam.id, "slack", rejection.id, steps), now)
    planned = await store.planned(sam.id)

    assert [(m.kind, m.due, m.zone, m.rejection_id) for m in planned] == [
        ("day1_checkin", now + dt.timedelta(days=2), "Europe/Paris", rejection.id),
        ("day3_checkin", now + dt.timedelta(days=4), "UTC", rejection.id),
    ]
    assert planned[0].local == slot(now, 2).local and planned[0].state is PlannedState.PENDING
    # Asking for a kind that is already pending moves it: one schedule, never two.
    await store.add_planned(NewPlanned(sam.id, "slack", "day1_checkin", slot(now, 5)), now)
    moved = [(m.kind, m.due) for m in await store.planned(sam.id)]
    assert moved == [
        ("day3_checkin", now + dt.timedelta(days=4)),
        ("day1_checkin", now + dt.timedelta(days=5)),
    ]
    assert [m.kind for m in await store.planned(alex.id)] == ["weekly"]


async def test_planned_messages_move_and_cancel_for_their_owner_only(
    store: Store, now: dt.datetime
) -> None:
    sam, alex = await sam_and_alex(store, now)
    steps = [("day1_checkin", slot(now, 1)), ("day2_checkin", slot(now, 2))]
    await store.replace_plan(RecoveryPlan(sam.id, "slack", None, steps), now)
    first, second = await store.planned(sam.id)

    await store.move_planned(alex.id, [(first.id, slot(now, 9))])
    await store.move_planned(sam.id, [(first.id, slot(now, 3, "Asia/Tokyo"))])

    assert [(m.id, m.due, m.zone) for m in await store.planned(sam.id)] == [
        (second.id, now + dt.timedelta(days=2), "UTC"),
        (first.id, now + dt.timedelta(days=3), "Asia/Tokyo"),
    ]
    assert await store.cancel_planned(alex.id, "stopped") == 0
    assert await store.cancel_planned(sam.id, "stopped") == 2
    assert await store.planned(sam.id) == []


async def test_a_community_starts_with_defaults_and_changes_only_what_is_given(
    store: Store, now: dt.datetime
) -> None:
    first = await store.community("slack", "T1", "Europe/Paris", now)
    again = await store.community("slack", "T1", "UTC", now)
    assert first == again == Community("slack", "T1", "Europe/Paris")

    changed = await store.update_community(
        "slack", "T1", brag_channel="C1", brag_time=dt.time(9, 30), pulse=False
    )
    await store.update_community("slack", "T1", checkin_time=dt.time(8, 0))
    newcomer = await store.person(SAM, "UTC", now)

    assert changed == Community(
        "slack", "T1", "Europe/Paris", brag_channel="C1", brag_time=dt.time(9, 30), pulse=False
    )
    assert (await store.community("slack", "T1", "UTC", now)).checkin_time == dt.time(8, 0)
    assert (newcomer.timezone, newcomer.checkin_time) == ("Europe/Paris", dt.time(8, 0))


async def test_a_win_is_shared_once_until_it_is_taken_down(store: Store, now: dt.datetime) -> None:
    sam = await store.person(SAM, "UTC", now)
    win = await store.add_win(sam.id, "Shipped it", WinKind.ACCOMPLISHMENT, now)
    other = await store.add_win(sam.id, "Kept", WinKind.ACCOMPLISHMENT, now)

    async def share() -> bool:
        return await store.share(sam, Share(PostKind.SHARE_WIN, "2026-W11", "C1", win.id), now)

    assert await share()
    assert not await share()
    assert not await store.unshare_win(sam.id, other.id, now)
    assert await store.unshare_win(sam.id, win.id, now)
    assert await share()
    await store.unshare_all(sam.id, now)
    assert await share()


async def test_export_holds_a_persons_records_and_deletion_erases_them(
    store: Store, now: dt.datetime
) -> None:
    sam, alex = await sam_and_alex(store, now)
    rejection = await store.add_rejection(sam.id, DRAFT, now)
    await store.save_reflection(sam.id, Reflection(rejection.id, "direct", Answer.NO, "", now))
    await store.add_win(sam.id, "Shipped it", WinKind.ACCOMPLISHMENT, now)
    await store.add_answer(sam.id, "lesson", "Breathe", now)
    await store.set_conversation(sam.id, "reflection", "1:direct", now)
    plan = RecoveryPlan(sam.id, "slack", rejection.id, [("day1_checkin", slot(now, 1))])
    await store.replace_plan(plan, now)
    await store.add_win(alex.id, "Theirs", WinKind.ACCOMPLISHMENT, now)

    data = await store.export(sam.id)

    assert data["person"]["display_name"] == "Sam"
    assert [r["company"] for r in data["rejections"]] == ["Acme"]
    assert [r["question"] for r in data["reflections"]] == ["direct"]
    assert [m["score"] for m in data["moods"]] == [2]
    assert [a["value"] for a in data["checkin_answers"]] == ["Breathe"]
    assert [w["text"] for w in data["wins"]] == ["Shipped it"]
    assert len(data["planned_messages"]) == 1

    await store.delete_person(sam.id)

    assert await store.export(sam.id) == {}
    assert await store.known_person(SAM) is None
    assert await store.rejections(sam.id) == [] and await store.wins(sam.id) == []
    assert await store.answers(sam.id) == [] and await store.moods(sam.id, 5) == []
    assert await store.conversation(sam.id) is None and await store.planned(sam.id) == []
    assert [w.text for w in await store.wins(alex.id)] == ["Theirs"]


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


async def test_practice_choices_pause_leave_and_answers(store: Store, now: dt.datetime) -> None:
    sam, alex = await sam_and_alex(store, now)
    assert await store.practice_member(sam.id) is None
    assert await store.set_practice_state(sam.id, PracticeState.PAUSED, now) is None

    choices = PracticeChoices(("STAR answers", "Salary <talk>"), "Analyst", "evenings")
    joined = await store.join_practice(sam.id, choices, now)
    assert (joined.state, joined.areas, joined.role_kind, joined.availability) == (
        PracticeState.ACTIVE, ("STAR answers", "Salary <talk>"), "Analyst", "evenings",
    )  # fmt: skip
    assert await store.practice_member(alex.id) is None
    until = now + dt.timedelta(weeks=2)
    paused = await store.set_practice_state(sam.id, PracticeState.PAUSED, until)
    assert paused is not None and (paused.state, paused.paused_until) == (
        PracticeState.PAUSED, until,
    )  # fmt: skip
    again = await store.join_practice(sam.id, PracticeChoices(("Research",), "A", "daytime"), now)
    assert (again.state, again.areas, again.paused_until) == (
        PracticeState.ACTIVE, ("Research",), None,
    )  # fmt: skip
    left = await store.set_practice_state(sam.id, PracticeState.LEFT, None)
    assert left is not None and (left.areas, left.role_kind) == ((), "")

    # Never introduced: nothing to answer.
    assert await store.latest_practice(sam.id) is None
    assert not await store.record_practice(sam.id, "2026-W11", Met.YES, now)


async def test_a_new_plan_leaves_practice_partners_messages_alone(
    store: Store, now: dt.datetime
) -> None:
    sam = await store.person(SAM, "UTC", now)
    await store.add_planned(NewPlanned(sam.id, "slack", "practice_check", slot(now, 3)), now)
    plan = RecoveryPlan(sam.id, "slack", None, [("day1_mood", slot(now, 1))])
    await store.replace_plan(plan, now)
    assert [m.kind for m in await store.planned(sam.id)] == ["day1_mood", "practice_check"]
