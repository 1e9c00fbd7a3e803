"""Words that fit the moment: the stage, the feeling, the count, and what was really said."""

from __future__ import annotations

import datetime as dt

from bot.engine import Engine
from bot.events import Choice, Command, FormSubmission, Message, Sender
from bot.model import CheckinState, Stage
from bot.replies import Reply
from tests.fakes import MemoryStore

SAM = Sender("console", "console", "sam", "Sam")


async def reject(engine: Engine, now: dt.datetime, **values: str) -> list[Reply]:
    base = {"company": "Acme", "role": "Analyst", "stage": "interview", "feeling": "3"}
    return await engine.handle(FormSubmission(SAM, "rejection", {**base, **values}), now)


def text_of(replies: list[Reply]) -> str:
    return "\n".join(f"{r.heading}\n{r.text}\n{r.quote}" for r in replies)


async def notes(engine: Engine, now: dt.datetime) -> str:
    return text_of(await engine.handle(Command(SAM, "feedback"), now))


async def test_a_note_without_an_interviewer_greets_without_a_name(
    engine: Engine, now: dt.datetime
) -> None:
    await reject(engine, now, interviewer="")
    written = await notes(engine, now)

    assert "Hello," in written and "Hi," in written
    assert "Dear Hello" not in written and "Hi Hello" not in written


async def test_each_stage_gets_its_own_note(engine: Engine, now: dt.datetime) -> None:
    await reject(engine, now, stage="application", interviewer="Ms. Rivera")
    application = await notes(engine, now)
    await reject(engine, now, stage="phone_screen")
    phone = await notes(engine, now)
    await reject(engine, now, stage="offer_withdrawn")
    withdrawn = await notes(engine, now)

    assert "Dear Ms. Rivera," in application
    assert "interview" not in application and "conversation" not in application
    assert "considering my application" in application
    assert "phone call" in phone
    assert "more competitive" not in withdrawn  # the company's side: not their performance
    assert "offer" in withdrawn and "future roles" in withdrawn


async def test_a_withdrawn_offer_is_not_asked_about_its_interview(
    engine: Engine, now: dt.datetime
) -> None:
    replies = await reject(engine, now, stage="offer_withdrawn")
    question = next(r for r in replies if any(b.action == "reflect" for b in r.buttons))

    assert "company's side" in text_of(replies)
    assert "other companies" in question.text
    for interview_words in ("direct", "presented", "researched"):
        assert interview_words not in question.text


async def test_the_recovery_reply_names_the_company_and_fits_the_feeling(
    engine: Engine, now: dt.datetime
) -> None:
    [low, *_] = await reject(engine, now, company="Globex", feeling="1")
    [good, *_] = await reject(engine, now, company="Initech", feeling="5")

    assert "Globex" in low.heading and "stings" in low.heading
    assert "Initech" in good.heading and "stings" not in good.heading


async def test_progress_frames_the_count_against_the_24_figure(
    engine: Engine, now: dt.datetime
) -> None:
    for _ in range(5):
        await reject(engine, now)
    [five] = await engine.handle(Command(SAM, "progress"), now)
    for _ in range(20):
        await reject(engine, now)
    [many] = await engine.handle(Command(SAM, "progress"), now)

    assert "24" in five.text and "when the yes arrives" not in five.text
    assert "more than the 24" in many.text


async def test_progress_after_hired_celebrates_instead_of_keep_going(
    engine: Engine, now: dt.datetime
) -> None:
    for _ in range(6):
        await reject(engine, now)
    later = now + dt.timedelta(days=3)
    await engine.handle(Command(SAM, "hired"), later)

    [progress] = await engine.handle(Command(SAM, "progress"), later)

    assert "Keep going" not in progress.text and "congratulations" in progress.text


async def test_keeping_hired_news_private_does_not_mention_a_list(
    engine: Engine, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Choice(SAM, "community.hired_keep"), now)
    assert "list" not in reply.text


async def test_what_you_would_do_differently_becomes_an_area_to_work_on(
    engine: Engine, now: dt.datetime
) -> None:
    await reject(engine, now)
    await engine.handle(Command(SAM, "feedback", "reply They wanted more SQL"), now)

    [saved] = await engine.handle(Message(SAM, "Practice SQL interviews weekly"), now)
    [progress] = await engine.handle(Command(SAM, "progress"), now)

    assert "areas to work on" in saved.text
    assert "Practice SQL interviews weekly" in progress.text


async def test_please_stop_messaging_me_stops(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await reject(engine, now)
    [reply] = await engine.handle(Message(SAM, "please stop messaging me, thanks"), now)

    assert "stopped" in reply.text
    [person] = memory_store.people.values()
    assert person.checkins is CheckinState.STOPPED
    assert await memory_store.planned(person.id) == []


async def test_brag_numbers_stay_put_and_in_order(engine: Engine, now: dt.datetime) -> None:
    for win in ("skill: SQL", "Led the launch", "soft: Calm under pressure", "Mentored two"):
        await engine.handle(Command(SAM, "brag", win), now)

    [removed] = await engine.handle(Command(SAM, "brag", "remove 2"), now)
    [listing] = await engine.handle(Command(SAM, "brag", "list"), now)

    assert "2" in removed.text
    lines = [line for line in listing.text.splitlines() if line[:1].isdigit()]
    assert lines == [
        "1. SQL (Technical skill)",
        "3. Calm under pressure (Soft skill)",
        "4. Mentored two (Accomplishment)",
    ]
    [again] = await engine.handle(Command(SAM, "brag", "remove 3"), now)
    [after] = await engine.handle(Command(SAM, "brag", "list"), now)
    assert "Calm under pressure" not in after.text and "4. Mentored two" in after.text
    assert "3" in again.text


async def test_brag_remove_with_a_bad_number_saves_nothing(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    for attempt in ("remove -1", "remove x", "remove 0", "remove"):
        [reply] = await engine.handle(Command(SAM, "brag", attempt), now)
        assert "Which one?" in reply.text
    assert not memory_store.wins_by_id
    # A win that merely starts with the word is still a win.
    await engine.handle(Command(SAM, "brag", "remove the flaky tests from CI"), now)
    assert len(memory_store.wins_by_id) == 1


async def test_checkin_with_an_out_of_range_mood_says_why(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    for score in ("0", "7", "-2"):
        [reply] = await engine.handle(Command(SAM, "checkin", score), now)
        assert "1 (awful) to 5 (good)" in reply.text and score in reply.text
        assert reply.form is not None
    assert not memory_store.moods_by_person


async def test_an_ancient_rejection_date_is_refused_clearly(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [reply] = await reject(engine, now, rejected_on="0001-01-01")

    assert reply.form is not None
    assert "0001-01-01" in reply.text and "check the year" in reply.text
    assert not memory_store.rejections_by_id
    await reject(engine, now, rejected_on="2025-11-02")
    [kept] = memory_store.rejections_by_id.values()
    assert (kept.rejected_on, kept.stage) == (dt.date(2025, 11, 2), Stage.INTERVIEW)
