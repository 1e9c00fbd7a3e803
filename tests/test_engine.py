"""The engine's flows, on the in-memory store."""

from __future__ import annotations

import datetime as dt

from bot.engine import Engine
from bot.events import Choice, Command, FormSubmission, Message, Sender
from bot.model import Answer, Stage, WinKind
from bot.replies import FieldKind, Reply
from tests.fakes import MemoryStore
from tests.forms import REJECTION, checkin_settings, fields_of

SAM = Sender("console", "console", "sam", "Sam")
ALEX = Sender("console", "console", "alex", "Alex")


async def submit_rejection(
    engine: Engine, now: dt.datetime, sender: Sender = SAM, **changes: str
) -> list[Reply]:
    values = {**REJECTION, **changes}
    return await engine.handle(FormSubmission(sender, "rejection", values), now)


def question_of(replies: list[Reply]) -> Reply:
    return next(r for r in replies if any(b.action == "reflect" for b in r.buttons))


def all_text(replies: list[Reply]) -> str:
    return "\n".join(f"{r.heading}\n{r.text}\n{r.quote}" for r in replies)


async def test_rejected_opens_a_form_prefilled_with_the_company(
    engine: Engine, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Command(SAM, "rejected", "Acme Corp"), now)

    fields = fields_of(reply)
    assert fields["company"].initial == "Acme Corp"
    assert fields["company"].required
    assert fields["stage"].kind is FieldKind.CHOICE
    assert [o.value for o in fields["stage"].options] == [s.value for s in Stage]
    assert [o.value for o in fields["feeling"].options] == ["1", "2", "3", "4", "5"]
    assert not fields["interviewer"].required


async def test_a_rejection_is_stored_and_answered_with_the_first_steps(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    replies = await submit_rejection(engine, now)

    [rejection] = memory_store.rejections_by_id.values()
    assert (rejection.company, rejection.stage, rejection.feeling) == ("Acme", Stage.INTERVIEW, 2)
    # Today where the person lives (Berlin), since no date was given.
    assert rejection.rejected_on == dt.date(2026, 3, 10)
    text = all_text(replies)
    assert "24" in text  # normalize: about 24 noes before a yes
    assert "interview already beats most applicants" in text
    assert "Go easy on yourself" in text  # feeling 2 is low
    offer = next(r for r in replies if r.buttons and r.buttons[0].action == "feedback.note")
    assert offer.buttons[0].value == str(rejection.id)
    question = question_of(replies)
    assert [b.label for b in question.buttons] == ["Yes", "Partly", "No", "Later"]
    assert "direct" in question.text


async def test_the_first_reply_adapts_to_the_stage(engine: Engine, now: dt.datetime) -> None:
    application = all_text(await submit_rejection(engine, now, stage="application"))
    final = all_text(await submit_rejection(engine, now, stage="final_round", feeling="4"))

    assert "adjacent titles" in application
    assert "CV and cover letter" in application  # an application-stage reflection question
    assert "seriously wanted you" in final
    assert "Go easy" not in final


async def test_a_form_with_problems_comes_back_with_the_reasons_and_nothing_is_stored(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    replies = await submit_rejection(
        engine, now, company="", stage="astronaut", rejected_on="2030-01-01"
    )

    [reply] = replies
    assert reply.form is not None
    assert set(reply.form.errors) == {"company", "stage", "rejected_on"}
    assert "Company is needed" in reply.form.errors["company"]
    assert {f.name: f.initial for f in reply.form.fields}["role"] == "Data analyst"
    assert not memory_store.rejections_by_id


async def test_too_long_input_names_the_limit_and_stores_nothing(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [reply] = await submit_rejection(engine, now, company="A" * 101)
    assert reply.form is not None
    assert "up to 100 characters" in reply.form.errors["company"]
    assert "101" in reply.form.errors["company"]

    [brag] = await engine.handle(Command(SAM, "brag", "x" * 501), now)
    assert "up to 500 characters" in brag.text
    assert not memory_store.rejections_by_id and not memory_store.wins_by_id


async def test_choices_accept_labels_and_numbers(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await submit_rejection(engine, now, stage="Final round", feeling="5")
    await submit_rejection(engine, now, stage="2", feeling="1")

    stages = [r.stage for r in memory_store.rejections_by_id.values()]
    assert stages == [Stage.FINAL_ROUND, Stage.PHONE_SCREEN]


async def test_reflection_buttons_become_areas_to_work_on(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    replies = await submit_rejection(engine, now)
    no = next(b for b in question_of(replies).buttons if b.label == "No")

    answer = await engine.handle(Choice(SAM, no.action, no.value), now)

    assert "something to work on" in answer[0].text
    assert "research" in answer[1].text.lower()  # the next question follows
    [progress] = await engine.handle(Command(SAM, "progress"), now)
    assert "Lead with the answer" in progress.text


async def test_a_typed_answer_lands_on_the_pending_question_even_after_a_restart(
    memory_store: MemoryStore, content: object, now: dt.datetime
) -> None:
    from bot.content import Content

    first = Engine(memory_store, Content.load())
    await submit_rejection(first, now)

    restarted = Engine(memory_store, Content.load())  # same storage, new engine
    replies = await restarted.handle(Message(SAM, "I rambled instead of answering"), now)

    assert "own words" in replies[0].text
    reflections = await memory_store.reflections(1)
    assert reflections[0].answer is Answer.NOTE
    assert reflections[0].note == "I rambled instead of answering"
    yes = await restarted.handle(Message(SAM, "yes"), now)
    assert "strength" in yes[0].text


async def test_later_stops_the_questions(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    replies = await submit_rejection(engine, now)
    later = next(b for b in question_of(replies).buttons if b.label == "Later")

    [reply] = await engine.handle(Choice(SAM, later.action, later.value), now)

    assert "another day" in reply.text
    [pointer] = await engine.handle(Message(SAM, "hello"), now)
    assert "/help" in pointer.text


async def test_feedback_notes_are_filled_from_what_the_person_gave(
    engine: Engine, now: dt.datetime
) -> None:
    await submit_rejection(engine, now)

    replies = await engine.handle(Command(SAM, "feedback"), now)

    notes = [r for r in replies if r.quote]
    assert [r.heading for r in notes] == [
        "Email",
        "Short LinkedIn message",
        "Stay-in-touch note (a few weeks later)",
    ]
    for note in notes:
        assert "Jane Rivera" in note.quote and "Acme" in note.quote and "Data analyst" in note.quote
    email = notes[0].quote
    for point in (
        "Thank you",
        "more competitive",
        "what went well",
        "future roles",
        "stay in touch",
    ):
        assert point in email
    assert "Sam" in email
    assert [b.action for b in notes[-1].buttons] == ["feedback.sent", "feedback.reply"]


async def test_feedback_never_invents_an_interviewer_or_role(
    engine: Engine, now: dt.datetime
) -> None:
    await submit_rejection(engine, now, interviewer="", role="")

    replies = await engine.handle(Command(SAM, "feedback"), now)

    email = next(r.quote for r in replies if r.quote)
    assert email.startswith("Subject:")
    assert "\n\nHello,\n\n" in email and "Hello" not in email.replace("Hello,", "")
    assert "the role" in email


async def test_feedback_sent_and_reply_are_recorded(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await submit_rejection(engine, now)
    await engine.handle(Command(SAM, "feedback", "sent"), now)
    [again] = await engine.handle(Command(SAM, "feedback", "sent"), now)
    assert "already" in again.text

    [form_reply] = await engine.handle(Command(SAM, "feedback", "reply"), now)
    assert form_reply.form is not None
    await engine.handle(
        FormSubmission(
            SAM, form_reply.form.form_id, {"said": "More SQL depth"}, form_reply.form.context
        ),
        now,
    )

    [rejection] = memory_store.rejections_by_id.values()
    assert rejection.note_sent_at == now
    assert rejection.feedback == "More SQL depth"
    [progress] = await engine.handle(Command(SAM, "progress"), now)
    assert "Feedback notes sent: 1" in progress.text and "Feedback received: 1" in progress.text


async def test_feedback_picks_a_rejection_by_number(engine: Engine, now: dt.datetime) -> None:
    await submit_rejection(engine, now, company="First Co")
    await submit_rejection(engine, now, company="Second Co")

    first = await engine.handle(Command(SAM, "feedback", "1"), now)
    missing = await engine.handle(Command(SAM, "feedback", "7"), now)

    assert "First Co" in first[0].text
    assert "couldn't find rejection number 7" in missing[0].text
    assert "2. Second Co" in missing[0].text


async def test_feedback_without_a_rejection_points_to_rejected(
    engine: Engine, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Command(SAM, "feedback"), now)
    assert "/rejected" in reply.text


async def test_brag_adds_lists_refiles_and_removes(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [added] = await engine.handle(Command(SAM, "brag", "Shipped the billing rewrite"), now)
    await engine.handle(Command(SAM, "brag", "soft: Calmed a tense client call"), now)
    await engine.handle(Command(SAM, "brag", "skill: SQL window functions"), now)

    assert "Accomplishment" in added.text
    contribution = next(b for b in added.buttons if b.label == "Contribution")
    await engine.handle(Choice(SAM, contribution.action, contribution.value), now)
    [listing] = await engine.handle(Command(SAM, "brag", "list"), now)
    assert "1. Shipped the billing rewrite (Contribution)" in listing.text
    assert "2. Calmed a tense client call (Soft skill)" in listing.text
    assert "3. SQL window functions (Technical skill)" in listing.text

    [removed] = await engine.handle(Command(SAM, "brag", "remove 2"), now)
    assert "Removed win 2" in removed.text
    kinds = [w.kind for w in await memory_store.wins(1)]
    assert kinds == [WinKind.CONTRIBUTION, WinKind.TECHNICAL_SKILL]
    [missing] = await engine.handle(Command(SAM, "brag", "remove 9"), now)
    assert "no win number 9" in missing.text


async def test_people_never_see_or_touch_each_others_data(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await engine.handle(Command(SAM, "brag", "Sam's private win"), now)
    await submit_rejection(engine, now)
    sams_win = next(iter(memory_store.wins_by_id))

    [alex_list] = await engine.handle(Command(ALEX, "brag", "list"), now)
    [refile] = await engine.handle(Choice(ALEX, "brag.kind", f"{sams_win}:soft_skill"), now)
    [remove] = await engine.handle(Command(ALEX, "brag", "remove 1"), now)
    [feedback] = await engine.handle(Command(ALEX, "feedback"), now)
    sams_rejection = next(iter(memory_store.rejections_by_id))
    [mark] = await engine.handle(Choice(ALEX, "feedback.sent", str(sams_rejection)), now)

    assert "Sam" not in alex_list.text
    assert "no win number" in refile.text and "no win number" in remove.text
    assert "/rejected" in feedback.text and "/rejected" in mark.text
    assert len(memory_store.wins_by_id) == 1
    assert memory_store.rejections_by_id[sams_rejection].note_sent_at is None


async def test_progress_shows_a_mood_trend_and_kind_framing(
    engine: Engine, now: dt.datetime
) -> None:
    [empty] = await engine.handle(Command(SAM, "progress"), now)
    assert "Nothing logged yet" in empty.text

    await submit_rejection(engine, now, feeling="1")
    for day, mood in enumerate(("2", "3", "5"), start=1):
        await engine.handle(
            Command(SAM, "checkin", f"{mood} day {day}"), now + dt.timedelta(days=day)
        )

    [progress] = await engine.handle(Command(SAM, "progress"), now + dt.timedelta(days=4))
    assert "▁▃▅█ (1 → 5)" in progress.text
    assert "24 noes" in progress.text
    assert "Rejections logged: 1" in progress.text


async def test_checkin_form_buttons_and_quick_answer(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [form] = await engine.handle(Command(SAM, "checkin"), now)
    assert form.form is not None and form.form.form_id == "checkin"

    [low] = await engine.handle(
        FormSubmission(SAM, "checkin", {"mood": "1", "note": "rough day"}), now
    )
    [quick] = await engine.handle(Command(SAM, "checkin", "4"), now)
    [button] = await engine.handle(Choice(SAM, "checkin.mood", "3"), now)
    [bad] = await engine.handle(Choice(SAM, "checkin.mood", "9"), now)

    assert "kind to yourself" in low.text
    assert "feeling good" in quick.text
    assert "steady" in button.text
    assert bad.form is not None
    assert [(m.score, m.note) for m in await memory_store.moods(1, 10)] == [
        (1, "rough day"),
        (4, ""),
        (3, ""),
    ]


async def test_checkin_settings_are_validated_and_saved(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [form] = await engine.handle(Command(SAM, "checkin", "settings"), now)
    assert form.form is not None
    assert {f.name: f.initial for f in form.form.fields}["timezone"] == "Europe/Berlin"
    good = checkin_settings(
        "America/New_York", "9:15", quiet_start="22:00", quiet_end="07:30", weekdays_only="yes"
    )

    [bad] = await engine.handle(
        FormSubmission(
            SAM, "checkin_settings", {**good, "timezone": "Mars/Olympus", "checkin_time": "25:00"}
        ),
        now,
    )
    assert bad.form is not None and set(bad.form.errors) == {"timezone", "checkin_time"}
    assert (await memory_store.person(SAM, "UTC", now)).timezone == "Europe/Berlin"

    [saved] = await engine.handle(FormSubmission(SAM, "checkin_settings", good), now)
    person = await memory_store.person(SAM, "UTC", now)
    assert (person.timezone, person.checkin_time, person.weekdays_only) == (
        "America/New_York",
        dt.time(9, 15),
        True,
    )
    assert "09:15" in saved.text and "weekdays only" in saved.text


async def test_help_and_unknown_commands(engine: Engine, now: dt.datetime) -> None:
    [help_reply] = await engine.handle(Command(SAM, "help"), now)
    [unknown] = await engine.handle(Command(SAM, "frobnicate"), now)
    [words] = await engine.handle(Message(SAM, "hi there"), now)

    for name in ("/rejected", "/feedback", "/brag", "/progress", "/checkin", "/help"):
        assert name in help_reply.text
    assert "/frobnicate" in unknown.text and "/help" in unknown.text
    assert "/help" in words.text


async def test_forged_button_values_change_nothing(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    for action, value in [
        ("reflect", "abc:def:ghi"),
        ("reflect", "999:direct:no"),
        ("brag.kind", "1:emperor"),
        ("feedback.note", "-1"),
        ("nonsense", "x"),
    ]:
        replies = await engine.handle(Choice(SAM, action, value), now)
        assert replies and replies[0].text

    assert not memory_store.reflections_by_key and not memory_store.wins_by_id


async def test_engine_requires_an_aware_clock(engine: Engine) -> None:
    import pytest

    with pytest.raises(ValueError, match="timezone-aware"):
        await engine.handle(Command(SAM, "help"), dt.datetime(2026, 1, 1))


async def test_commands_are_described_for_adapters(engine: Engine) -> None:
    names = [c.name for c in engine.commands]
    assert names == [
        "rejected", "applied", "feedback", "brag", "progress", "checkin", "hired", "practice",
        "mydata", "bounceback", "help", "home",
    ]  # fmt: skip
    assert all(c.description and c.usage.startswith("/") for c in engine.commands)
