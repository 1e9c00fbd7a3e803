"""Delivering check-ins through the real outbox (SQLite and PostgreSQL), clock as a parameter."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.delivery_ports import ClaimRequest
from bot.dispatcher import Dispatcher
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.events import Choice, Command, FormSubmission, Message
from bot.model import CheckinState, PlannedState
from tests.conftest import FIRST_WEEK
from tests.scheduling.harness import seed_due
from tests.scheduling.world import DAY1, REJECTED_AT, SAM, World


async def daily(dispatcher: Dispatcher, days: range) -> None:
    """One tick a day at DAY1's hour, for each of ``days`` after DAY1."""
    for day in days:
        await dispatcher.tick(DAY1 + dt.timedelta(days=day))


async def test_a_check_in_goes_out_once_at_its_local_time(world: World) -> None:
    await world.reject()
    dispatcher = world.dispatcher()

    early = await dispatcher.tick(DAY1 - dt.timedelta(minutes=1))
    on_time = await dispatcher.tick(DAY1)
    again = await dispatcher.tick(DAY1 + dt.timedelta(minutes=1))

    assert (early.claimed, on_time.claimed, again.claimed) == (0, 1, 0)
    [delivery] = world.messenger.sent
    assert delivery.recipient == SAM
    assert delivery.key.startswith("bb-")
    assert "How are you feeling today?" in delivery.replies[0].text
    assert [b.value for b in delivery.replies[0].buttons][:5] == ["1", "2", "3", "4", "5"]
    assert (await world.states())[0] == ("day1_mood", "sent", "")


async def test_the_plan_drips_over_a_week_then_goes_weekly(world: World) -> None:
    await world.reject()
    dispatcher = world.dispatcher()
    day = DAY1
    for _ in range(30):
        await dispatcher.tick(day)
        day += dt.timedelta(days=1)

    kinds = [d.key for d in world.messenger.sent]
    assert len(kinds) == len(set(kinds))
    sent = [kind for kind, state, _ in await world.states() if state == "sent"]
    assert sent == [*FIRST_WEEK, "weekly", "weekly"]
    assert [s for _, s, _ in await world.states()][-1] == "pending"  # the next weekly one


async def test_a_restart_within_the_grace_window_delivers_once(world: World) -> None:
    await world.reject()
    await world.dispatcher("before").tick(DAY1 - dt.timedelta(hours=1))

    restarted = world.dispatcher("after", grace=dt.timedelta(hours=3))
    await restarted.tick(DAY1 + dt.timedelta(hours=2, minutes=59))
    await restarted.tick(DAY1 + dt.timedelta(hours=3, minutes=30))

    assert len(world.messenger.sent) == 1


async def test_past_the_grace_window_a_check_in_is_skipped_not_sent(world: World) -> None:
    await world.reject()
    back = DAY1 + dt.timedelta(days=1, hours=4)  # down for a day: day 1 and day 2 both missed
    report = await world.dispatcher(grace=dt.timedelta(hours=3)).tick(back)

    assert world.messenger.sent == []
    assert report.counts == {"skipped:stale": 2}
    states = await world.states()
    assert [s for _, s, _ in states[:2]] == ["skipped", "skipped"]
    assert states[2] == ("day3_strengths", "pending", "")


async def test_a_killed_process_lease_is_reclaimed_after_it_runs_out(world: World) -> None:
    await world.reject()
    # Instance A claims the check-in and dies before sending or recording anything.
    claimed = await world.outbox.claim(
        ClaimRequest(DAY1, ["console"], "A", DAY1 + dt.timedelta(minutes=5), limit=10)
    )
    assert len(claimed) == 1

    b = world.dispatcher("B", lease=dt.timedelta(minutes=5))
    during = await b.tick(DAY1 + dt.timedelta(minutes=4))
    after = await b.tick(DAY1 + dt.timedelta(minutes=6))

    assert (during.claimed, after.claimed) == (0, 1)
    assert len(world.messenger.sent) == 1
    # A wakes up and reports: its claim is gone, so nothing changes.
    from bot.model import Outcome

    recorded = await world.outbox.record(
        "A",
        [
            Outcome(
                claimed[0].message.id, claimed[0].person.id, "console", PlannedState.FAILED, "late"
            )
        ],
        DAY1,
    )
    assert recorded == [False]
    assert (await world.states())[0] == ("day1_mood", "sent", "")


async def test_a_rate_limit_is_waited_out_and_the_message_still_goes(world: World) -> None:
    await world.reject()
    world.messenger.fail_next(DeliveryError("rate_limited", retry_after=120))
    dispatcher = world.dispatcher()

    first = await dispatcher.tick(DAY1)
    early = await dispatcher.tick(DAY1 + dt.timedelta(seconds=119))
    later = await dispatcher.tick(DAY1 + dt.timedelta(seconds=121))

    assert first.counts == {"pending:retry": 1}
    assert (early.claimed, later.claimed) == (0, 1)
    assert len(world.messenger.sent) == 1


async def test_failures_back_off_then_give_up(world: World) -> None:
    await world.reject()
    world.messenger.fail_next(*[DeliveryError("boom") for _ in range(10)])
    dispatcher = world.dispatcher(max_attempts=3)

    moment = DAY1
    outcomes: list[str] = []
    for _ in range(6):
        report = await dispatcher.tick(moment)
        outcomes.extend(report.counts)
        moment += dt.timedelta(minutes=10)

    assert outcomes == ["pending:retry", "pending:retry", "failed:gave_up"]
    assert (await world.states())[0] == ("day1_mood", "failed", "gave_up")


async def test_a_permanent_failure_stops_that_persons_schedule(world: World) -> None:
    await world.reject()
    world.messenger.fail_next(PermanentDeliveryError("dms_closed"))
    dispatcher = world.dispatcher()

    await dispatcher.tick(DAY1)
    await daily(dispatcher, range(1, 10))

    assert world.messenger.sent == []
    person = await world.store.person(SAM, "UTC", DAY1)
    assert person.unreachable == "dms_closed"
    assert person.checkins is CheckinState.STOPPED
    assert {state for _, state, _ in await world.states()} == {"failed", "skipped"}


async def test_quiet_hours_hold_a_late_retry_until_morning(world: World) -> None:
    await world.reject()
    # The platform is down all day; the bot's next look comes at 22:00, in quiet hours.
    world.messenger.fail_next(DeliveryError("busy", retry_after=3600))
    dispatcher = world.dispatcher(grace=dt.timedelta(hours=24))
    await dispatcher.tick(DAY1)

    night = await dispatcher.tick(DAY1 + dt.timedelta(hours=12))  # 22:00 in Berlin
    dawn = await dispatcher.tick(dt.datetime(2026, 7, 15, 6, 0, tzinfo=dt.UTC))  # 08:00 Berlin
    morning = await dispatcher.tick(dt.datetime(2026, 7, 15, 8, 0, tzinfo=dt.UTC))  # 10:00

    assert night.counts == {"pending:quiet_hours": 1}
    assert dawn.claimed == 0  # held for the person's usual time, not the first allowed minute
    assert morning.counts.get("sent") == 2  # the held one and day 2, both at 10:00
    assert len(world.messenger.sent) == 2


async def test_pause_holds_stop_ends_and_resume_brings_back(world: World) -> None:
    await world.reject()
    dispatcher = world.dispatcher()
    await world.engine.handle(Command(SAM, "checkin", "pause 2"), REJECTED_AT)

    paused = await dispatcher.tick(DAY1)
    assert paused.counts == {"pending:paused": 1}
    assert world.messenger.sent == []

    await world.engine.handle(Command(SAM, "checkin", "stop"), DAY1)
    await daily(dispatcher, range(0, 20))
    assert world.messenger.sent == []

    replies = await world.engine.handle(
        Command(SAM, "checkin", "resume"), DAY1 + dt.timedelta(days=20)
    )
    assert "back on" in replies[0].text
    await dispatcher.tick(DAY1 + dt.timedelta(days=21, hours=1))
    assert len(world.messenger.sent) == 1


# Words that end the plan: STOP, and news of an offer (answered with a celebration).
@pytest.mark.parametrize(
    ("words", "at", "answered"),
    [("STOP", REJECTED_AT, "stopped"), ("I got the job!", DAY1, "congratulations")],
    ids=["stop", "offer"],
)
async def test_words_that_end_the_plan_stop_everything(
    world: World, words: str, at: dt.datetime, answered: str
) -> None:
    await world.reject()
    [reply] = await world.engine.handle(Message(SAM, words), at)
    assert answered in reply.text
    await daily(world.dispatcher(), range(0, 15))
    assert world.messenger.sent == []
    assert {s for _, s, _ in await world.states()} == {"skipped"}


async def test_remind_me_tomorrow(world: World) -> None:
    await world.reject()
    dispatcher = world.dispatcher()
    await dispatcher.tick(DAY1)
    snooze = world.messenger.sent[0].replies[0].buttons[-1]
    assert snooze.label == "Remind me tomorrow"

    [reply] = await world.engine.handle(
        Choice(SAM, snooze.action, snooze.value), DAY1 + dt.timedelta(minutes=5)
    )
    assert "tomorrow" in reply.text.lower() or "Wednesday" in reply.text
    await dispatcher.tick(DAY1 + dt.timedelta(days=1))

    kinds = [d.replies[0].text for d in world.messenger.sent]
    assert len(kinds) == 2  # day 1, and day 1 again: the later steps made room
    assert sum("How are you feeling today?" in text for text in kinds) == 2
    await dispatcher.tick(DAY1 + dt.timedelta(days=2))
    assert len(world.messenger.sent) == 3  # day 2, a day later than first planned


async def test_answers_steer_what_comes_next(world: World) -> None:
    await world.reject(feeling="1")
    dispatcher = world.dispatcher()
    await dispatcher.tick(DAY1)
    assert "No tasks today" in world.messenger.texts[0]  # low mood: gentle

    await world.engine.handle(Message(SAM, "4"), DAY1 + dt.timedelta(minutes=2))  # a mood by text
    await world.engine.handle(Command(SAM, "feedback", "sent"), DAY1 + dt.timedelta(hours=1))
    await world.engine.handle(
        Command(SAM, "feedback", "reply 1 Wanted more SQL"), DAY1 + dt.timedelta(hours=2)
    )
    await dispatcher.tick(DAY1 + dt.timedelta(days=1))
    assert "logged Acme's feedback" in world.messenger.texts[1]

    await world.engine.handle(
        Message(SAM, "Practice SQL joins"), DAY1 + dt.timedelta(days=1, hours=1)
    )
    await dispatcher.tick(DAY1 + dt.timedelta(days=2))
    assert "one thing you did well" in world.messenger.texts[2]
    await world.engine.handle(
        Message(SAM, "Calmed an angry client"), DAY1 + dt.timedelta(days=2, hours=1)
    )
    wins = await world.store.wins(await world.sam())
    assert [w.text for w in wins] == ["Calmed an angry client"]

    await dispatcher.tick(DAY1 + dt.timedelta(days=4))  # day 5: plan B
    await world.engine.handle(
        Message(SAM, "I applied to 4 jobs"), DAY1 + dt.timedelta(days=4, hours=1)
    )
    answers = [(a.kind, a.value) for a in await world.store.answers(await world.sam())]
    assert answers == [("lesson", "Practice SQL joins"), ("applied", "4")]

    await dispatcher.tick(DAY1 + dt.timedelta(days=6))  # day 7: wrap-up counts the new win
    assert (
        "added 1 win(s) to your bragging list and sent a feedback note" in world.messenger.texts[4]
    )


async def test_a_new_rejection_replaces_the_running_plan(world: World) -> None:
    await world.reject()
    await world.reject(at=REJECTED_AT + dt.timedelta(days=2), company="Beta")
    pending = await world.store.planned(await world.sam())
    assert len(pending) == 6
    await world.dispatcher().tick(DAY1 + dt.timedelta(days=2))
    assert "Beta" in world.messenger.texts[0]


async def test_settings_change_moves_what_is_planned(world: World) -> None:
    await world.reject()
    await world.engine.handle(
        FormSubmission(
            SAM,
            "checkin_settings",
            {
                "timezone": "America/New_York",
                "checkin_time": "09:00",
                "quiet_start": "21:00",
                "quiet_end": "08:00",
                "weekdays_only": "no",
            },
        ),
        REJECTED_AT,
    )
    [first, *_] = await world.store.planned(await world.sam())
    assert first.due == dt.datetime(2026, 7, 14, 13, 0, tzinfo=dt.UTC)  # 09:00 in New York
    assert first.zone == "America/New_York"


async def test_only_the_instances_platforms_are_claimed(world: World) -> None:
    await seed_due(world.db, 3, DAY1, platform="slack")
    report = await world.dispatcher().tick(DAY1)
    assert report.claimed == 0
