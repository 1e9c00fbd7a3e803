"""/practice on the engine with the in-memory store: joining (areas pre-filled from the
person's own areas to work on), pausing, leaving, the admin settings, and the answers to
"Did you meet?"."""

from __future__ import annotations

import datetime as dt

from bot.content import Content
from bot.engine import Engine
from bot.events import Choice, Command, FormSubmission, Sender
from bot.model import Due, PlannedMessage, PlannedState
from bot.practice_kit import CHECK_KIND, follow_up, introduction, kit, topic_for
from bot.practice_model import Met, PracticeState
from bot.replies import Reply
from tests.fakes import MemoryStore

SAM = Sender("slack", "T1", "USAM", "Sam")
ADMIN = Sender("slack", "T1", "UADMIN", "Ada", is_admin=True)
JOIN = {"areas": "Lead with the answer\nSalary talk", "role_kind": "Analyst",
        "availability": "mornings"}  # fmt: skip


async def one(engine: Engine, event: Command | Choice | FormSubmission, now: dt.datetime) -> Reply:
    [reply] = await engine.handle(event, now)
    return reply


async def test_join_offers_the_persons_own_areas_to_work_on_to_edit(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    form = await one(engine, Command(SAM, "rejected", "Acme"), now)
    assert form.form is not None
    submitted = {"company": "Acme", "role": "Data analyst", "stage": "interview",
                 "rejected_on": "", "interviewer": "", "feeling": "3",
                 "timezone": "Europe/Berlin"}  # fmt: skip
    replies = await engine.handle(FormSubmission(SAM, "rejection", submitted), now)
    ask = next(r for r in replies if any(b.action == "reflect" for b in r.buttons))
    no = next(b for b in ask.buttons if b.label == "No")
    await engine.handle(Choice(SAM, no.action, no.value), now)

    joining = await one(engine, Command(SAM, "practice", "join"), now)
    assert joining.form is not None
    fields = {f.name: f for f in joining.form.fields}
    assert fields["areas"].initial == "Lead with the answer, then back it with a concrete example"
    assert fields["role_kind"].initial == "Data analyst"
    assert "your partner sees" in fields["areas"].label


async def test_join_pause_resume_leave(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    about = await one(engine, Command(SAM, "practice"), now)
    assert "/practice join" in about.text
    refused = await one(engine, Command(SAM, "practice", "pause"), now)
    assert "haven't joined" in refused.text

    joined = await one(engine, FormSubmission(SAM, "practice_join", JOIN), now)
    assert (
        "What your partner sees: Sam, Analyst. Practising: Lead with the answer; Salary talk"
        in (joined.text)
    )
    assert "aren't switched on in this community yet" in joined.text
    sam = await memory_store.person(SAM, "UTC", now)
    member = await memory_store.practice_member(sam.id)
    assert member is not None and member.availability == "mornings"

    paused = await one(engine, Command(SAM, "practice", "pause 2"), now)
    assert "2 week(s)" in paused.text
    member = await memory_store.practice_member(sam.id)
    assert member is not None and member.state is PracticeState.PAUSED
    assert member.paused_until == now + dt.timedelta(weeks=2)
    bad = await one(engine, Command(SAM, "practice", "pause 99"), now)
    assert "up to 8" in bad.text

    await engine.handle(Command(SAM, "practice", "resume"), now)
    left = await one(engine, Command(SAM, "practice", "leave"), now)
    assert "forgotten" in left.text
    member = await memory_store.practice_member(sam.id)
    assert member is not None and member.state is PracticeState.LEFT and member.areas == ()


async def test_practice_here_is_only_for_platforms_with_threads(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [answer] = await engine.handle(
        Command(ADMIN, "bounceback", "admin practice here", channel="C1"), now
    )
    assert "No channel is needed here" in answer.text
    community = await memory_store.community("slack", "T1", "UTC", now)
    assert community.practice_channel == ""


async def test_joining_with_closed_dms_says_so(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    sam = await memory_store.person(SAM, "UTC", now)
    await memory_store.set_unreachable(sam.id, "dms_closed", now)
    joined = await one(engine, FormSubmission(SAM, "practice_join", JOIN), now)
    assert "Open your DMs to the bot" in joined.text


async def test_a_join_with_too_many_areas_comes_back_and_saves_nothing(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    many = {**JOIN, "areas": "\n".join(f"area {n}" for n in range(6))}
    refused = await one(engine, FormSubmission(SAM, "practice_join", many), now)
    assert refused.form is not None and "areas" in refused.form.errors
    sam = await memory_store.person(SAM, "UTC", now)
    assert await memory_store.practice_member(sam.id) is None


async def test_only_admins_change_practice_settings_and_nothing_is_on_until_then(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    shown = await one(engine, Command(ADMIN, "bounceback", "admin"), now)
    assert "Practice partners: off" in shown.text
    assert any(b.action == "admin.practice" for b in shown.buttons)
    settings = {"practice": "yes", "practice_day": "2", "practice_time": "18:00",
                "practice_every": "2"}  # fmt: skip
    refused = await one(engine, FormSubmission(SAM, "practice_settings", settings), now)
    assert "Only this community's admins" in refused.text
    community = await memory_store.community("slack", "T1", "UTC", now)
    assert community.practice is False

    late = {**settings, "practice_time": "25:00"}
    bad = await one(engine, FormSubmission(ADMIN, "practice_settings", late), now)
    assert bad.form is not None and "practice_time" in bad.form.errors
    saved = await one(engine, FormSubmission(ADMIN, "practice_settings", settings), now)
    assert "Practice partners: on, Every two weeks, pairing on Wednesday at 18:00" in saved.text
    community = await memory_store.community("slack", "T1", "UTC", now)
    assert (community.practice, community.practice_weekday, community.practice_every) == (
        True, 2, 2,
    )  # fmt: skip


async def test_discord_needs_a_practice_channel(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    admin = Sender("discord", "9", "1", "Ada", is_admin=True)
    settings = {"practice": "yes", "practice_day": "1", "practice_time": "10:00",
                "practice_every": "1"}  # fmt: skip
    saved = await one(engine, FormSubmission(admin, "practice_settings", settings), now)
    assert "practice here" in saved.text
    here = await one(engine, Command(admin, "bounceback", "admin practice here", channel="77"),
                     now)  # fmt: skip
    assert "private threads" in here.text and here.channel == "77"
    community = await memory_store.community("discord", "9", "UTC", now)
    assert community.practice_channel == "77" and community.brag_channel == ""


async def test_did_you_meet_yes_can_add_to_the_bragging_list(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    sam = await memory_store.person(SAM, "UTC", now)
    none = await one(engine, Choice(SAM, "practice.met", "yes"), now)
    assert "couldn't find a practice round" in none.text
    memory_store.practice_rounds.append(
        {"person_id": sam.id, "week": "2026-W11", "state": "introduced", "met": ""}
    )

    yes = await one(engine, Choice(SAM, "practice.met", "yes"), now)
    assert await memory_store.latest_practice(sam.id) == ("2026-W11", Met.YES)
    keep = next(b for b in yes.buttons if b.value == "brag")
    form = await one(engine, Choice(SAM, keep.action, keep.value), now)
    assert form.form is not None
    done = await one(engine, FormSubmission(SAM, "practice_keep", {"line": "Calm STAR answers"},
                                            context="brag"), now)  # fmt: skip
    assert "bragging list" in done.text
    assert [w.text for w in await memory_store.wins(sam.id)] == ["Calm STAR answers"]

    await engine.handle(FormSubmission(SAM, "practice_keep", {"line": "Shorter intro"},
                                       context="area"), now)  # fmt: skip
    [lesson] = await memory_store.answers(sam.id)
    assert (lesson.kind, lesson.value) == ("lesson", "Shorter intro")
    skip = await one(engine, Choice(SAM, "practice.met", "skip"), now)
    assert "Skipped this week" in skip.text


def test_the_kit_draws_questions_from_the_shared_areas(content: Content, now: dt.datetime) -> None:
    from bot.model import Person
    from bot.practice_model import PracticeMember, PracticeSeat

    person = Person(1, "slack", "T1", "U1", "Sam", "UTC", dt.time(10), dt.time(21), dt.time(8),
                    False, now)  # fmt: skip
    member = PracticeMember(1, PracticeState.ACTIVE,
                            ("Lead with the answer, then back it with a concrete example",
                             "my presentation slides"), "Analyst", "daytime")  # fmt: skip
    text = kit(content, PracticeSeat(person, member))
    assert "Sam's kit (Analyst)" in text
    assert text.count("– ") == 6  # three questions for each of the two areas
    assert "Answer first in one sentence" in text and "Open with the conclusion" in text
    assert topic_for(content, "something else entirely")["id"] == "general"

    replies = introduction(content, [PracticeSeat(person, member)] * 2, dt.date(2026, 7, 13))
    assert replies[0].heading == "Practice partners: week of 13 July 2026"
    assert "30-minute running order" in replies[0].text
    assert "what went well as well as what to improve" in replies[-1].text
    assert not any(r.private for r in replies)

    message = PlannedMessage(9, 1, CHECK_KIND, now, now.replace(tzinfo=None), "UTC",
                             PlannedState.CLAIMED)  # fmt: skip
    [ask], waiting = follow_up(content, Due(message, person))
    assert ask.private and waiting is None
    assert [b.value for b in ask.buttons] == ["yes", "not_yet", "skip"]
