"""Reminders about quiet applications go through the same outbox as check-ins (SQLite and
PostgreSQL): once each, at the person's check-in time, never in quiet hours, held by a pause,
ended by a stop; no answer twice files the application under "no answer"."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.delivery_ports import ClaimRequest
from bot.errors import DeliveryError
from bot.events import Choice, Command, FormSubmission
from bot.model import ApplicationStage
from bot.plan import preferences
from bot.replies import Reply
from bot.schedule import Slot
from bot.writes import NewPlanned
from tests.scheduling.world import DAY1, REJECTED_AT, SAM, World

LOGGED_AT = REJECTED_AT  # Monday 2026-07-13, 09:00 in Berlin
# 14 days later at Sam's check-in time: Monday 2026-07-27, 10:00 Berlin (08:00 UTC).
FIRST = dt.datetime(2026, 7, 27, 8, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(days=7)
APPLICATION = {
    "company": "Acme",
    "role": "Data analyst",
    "link": "https://jobs.example.org/42",
    "applied_on": "2026-07-13",
    "adjacent": "no",
}


async def log_application(world: World, **changes: str) -> int:
    """Sam logs an application; its id."""
    await world.engine.handle(
        FormSubmission(SAM, "application", {**APPLICATION, **changes}), LOGGED_AT
    )
    return (await world.store.applications(await world.sam()))[-1].id


async def reminders(world: World) -> list[tuple[str, str, str]]:
    return [state for state in await world.states() if state[0].startswith("app_")]


async def test_a_ghosted_application_is_asked_about_once(world: World) -> None:
    await log_application(world)
    one, two = world.dispatcher("one"), world.dispatcher("two")

    early = await one.tick(FIRST - dt.timedelta(minutes=1))
    on_time = await one.tick(FIRST)
    again = [await d.tick(FIRST + dt.timedelta(minutes=m)) for m in (1, 2) for d in (one, two)]

    assert early.claimed == 0 and on_time.claimed == 1
    assert all(report.claimed == 0 for report in again)
    [delivery] = world.messenger.sent
    question, note = delivery.replies
    assert question.text.startswith("Any news from Acme?")
    assert [b.action for b in question.buttons] == ["applied.waiting", *["applied.move"] * 3]
    assert [b.value.split(":")[-1] for b in question.buttons[1:]] == [
        "interview", "rejected", "no_answer",
    ]  # fmt: skip
    assert "Data analyst position at Acme on 2026-07-13" in note.quote
    assert "Sam" in note.quote
    assert await reminders(world) == [("app_nudge", "sent", ""), ("app_again", "pending", "")]


async def test_no_answer_twice_files_it_under_no_answer(world: World) -> None:
    application = await log_application(world)
    dispatcher = world.dispatcher()
    for week in range(5):
        await dispatcher.tick(FIRST + week * WEEK)

    texts = world.messenger.texts
    assert len(texts) == 3
    assert texts[0].startswith("Any news from Acme?")
    assert texts[1].startswith("Still nothing from Acme")
    assert 'filed it under "no answer"' in texts[2]
    [found] = await world.store.applications(await world.sam())
    assert (found.id, found.stage) == (application, ApplicationStage.NO_ANSWER)
    progress = await world.engine.handle(Command(SAM, "progress"), FIRST + 5 * WEEK)
    assert "Responses: 0" in progress[0].text
    assert "Most people hear about 24 noes" in progress[0].text  # one no, on the road


async def test_news_cancels_the_reminder_and_starts_the_count_again(world: World) -> None:
    application = await log_application(world)
    dispatcher = world.dispatcher()
    await dispatcher.tick(FIRST)
    pressed = FIRST + dt.timedelta(hours=1)
    [answer] = await world.engine.handle(Choice(SAM, "applied.waiting", str(application)), pressed)

    assert "still waiting on Acme" in answer.text
    assert await reminders(world) == [
        ("app_nudge", "sent", ""),
        ("app_again", "skipped", "news"),
        ("app_nudge", "pending", ""),
    ]
    await dispatcher.tick(FIRST + WEEK)  # the second reminder would have been due
    assert len(world.messenger.sent) == 1
    await dispatcher.tick(FIRST + 2 * WEEK)  # 14 days after "still waiting"
    assert len(world.messenger.sent) == 2


async def test_quiet_hours_and_a_pause_hold_a_reminder_and_a_stop_ends_it(world: World) -> None:
    await log_application(world)
    person = await world.store.person(SAM, "UTC", LOGGED_AT)
    # Quiet from 09:00 to 12:00 in Berlin: 10:00 is quiet now; it waits for 12:00.
    quiet_morning = replace(
        preferences(person), quiet_start=dt.time(9, 0), quiet_end=dt.time(12, 0)
    )
    await world.store.update_settings(person.id, quiet_morning)
    dispatcher = world.dispatcher()
    held = await dispatcher.tick(FIRST)
    assert held.counts == {"pending:quiet_hours": 1} and world.messenger.sent == []
    await dispatcher.tick(FIRST + dt.timedelta(hours=2))
    assert len(world.messenger.sent) == 1

    await world.engine.handle(Command(SAM, "checkin", "pause 10"), FIRST + dt.timedelta(hours=3))
    paused = await dispatcher.tick(FIRST + WEEK + dt.timedelta(hours=2))  # 12:00 in Berlin
    assert paused.counts == {"pending:paused": 1} and len(world.messenger.sent) == 1

    await world.engine.handle(Command(SAM, "checkin", "stop"), FIRST + WEEK)
    for day in range(30):
        await dispatcher.tick(FIRST + WEEK + dt.timedelta(days=day))
    assert len(world.messenger.sent) == 1
    assert [state for state in await reminders(world) if state[1] == "pending"] == []

    await world.engine.handle(Command(SAM, "checkin", "resume"), FIRST + 5 * WEEK)
    assert [kind for kind, state, _ in await reminders(world) if state == "pending"] == [
        "app_nudge"
    ]


async def test_a_rejection_from_a_tracked_application_starts_the_plan(world: World) -> None:
    application = await log_application(world, interviewer="")
    await world.engine.handle(
        FormSubmission(SAM, "application_edit", {**APPLICATION, "interviewer": "Ms. Rivera"},
                       context=str(application)),
        LOGGED_AT,
    )  # fmt: skip
    told = LOGGED_AT + WEEK
    [asked] = await world.engine.handle(
        Choice(SAM, "applied.move", f"{application}:rejected"), told
    )
    assert asked.form is not None
    known = {f.name: f.initial for f in asked.form.fields}
    assert known["company"] == "Acme" and known["role"] == "Data analyst"
    assert known["stage"] == "application" and known["interviewer"] == "Ms. Rivera"
    assert known["rejected_on"] == "2026-07-20"

    filled = {**known, "feeling": "2"}
    replies = await world.engine.handle(
        FormSubmission(SAM, asked.form.form_id, filled, asked.form.context), told
    )
    assert any("Acme" in r.heading for r in replies if isinstance(r, Reply))
    [rejection] = await world.store.rejections(await world.sam())
    assert (rejection.company, rejection.role, rejection.interviewer) == (
        "Acme", "Data analyst", "Ms. Rivera",
    )  # fmt: skip
    [found] = await world.store.applications(await world.sam())
    assert (found.stage, found.rejection_id) == (ApplicationStage.REJECTED, rejection.id)
    states = await world.states()
    assert ("app_nudge", "skipped", "news") in states
    assert ("day1_mood", "pending", "") in states
    await world.dispatcher().tick(FIRST)
    assert not any("Any news" in text for text in world.messenger.texts)


async def test_a_new_rejection_keeps_the_reminders_of_other_applications(world: World) -> None:
    await log_application(world)
    await log_application(world, company="Globex")
    await world.reject(at=LOGGED_AT + dt.timedelta(hours=1))

    pending = [(k, s) for k, s, _ in await world.states() if s == "pending"]
    assert pending.count(("app_nudge", "pending")) == 2
    # Two applications sent the same day are asked about on different days.
    [one, two] = await world.store.reminders(await world.sam())
    assert two.local.date() == one.local.date() + dt.timedelta(days=1)


async def test_a_reminder_retried_keeps_its_place_beside_another_ones(world: World) -> None:
    first = await log_application(world)
    second = await log_application(world, company="Globex")
    await log_application(world, company="Initech")  # its reminder waits, a day later
    sam = await world.store.person(SAM, "UTC", LOGGED_AT)
    slot = (await world.store.reminders(sam.id))[0]
    for application in (first, second):  # both due at once (planned by hand)
        due = Slot(slot.due, slot.local, slot.zone)
        reminder = NewPlanned(sam.id, "console", "app_nudge", due, application_id=application)
        await world.store.plan_reminder(reminder, LOGGED_AT)
    world.messenger.fail_next(DeliveryError("rate_limited", retry_after=60))

    report = await world.dispatcher().tick(FIRST)
    assert report.counts == {"pending:retry": 1, "sent": 1}
    await world.dispatcher().tick(FIRST + dt.timedelta(minutes=2))
    assert sorted(t.split("?")[0] for t in world.messenger.texts) == [
        "Any news from Acme", "Any news from Globex",
    ]  # fmt: skip


async def test_a_reminder_whose_application_moved_after_the_claim_is_not_sent(
    world: World,
) -> None:
    application = await log_application(world)
    [due] = await world.outbox.claim(
        ClaimRequest(FIRST, ["console"], "one#1", FIRST + dt.timedelta(minutes=2), limit=10)
    )
    assert due.application is not None and due.application.company == "Acme"
    moved = replace(due.application, stage=ApplicationStage.OFFER)
    outcome = world.dispatcher().decide(
        replace(due, application=moved), FIRST, preferences(due.person)
    )
    assert outcome is not None and (outcome.state.value, outcome.code) == ("skipped", "settled")
    assert outcome.application_id == application


async def test_the_plan_b_step_counts_the_weeks_applications(world: World) -> None:
    await log_application(world)
    await log_application(world, company="Globex", adjacent="yes")
    await world.reject()
    dispatcher = world.dispatcher()
    for day in range(7):
        await dispatcher.tick(DAY1 + dt.timedelta(days=day))

    [plan_b] = [text for text in world.messenger.texts if text.startswith("Plan B check")]
    assert "you applied to 2 this week, 1 of them adjacent titles" in plan_b
