"""Work acknowledged to Slack survives the process that acknowledged it: redone once, by one
instance, after a crash (its lease runs out) or a stop (handed back at once)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.hosting import Shared
from adapters.slack.app import SlackBot, build_app
from bounceback.cli import slack_config
from bounceback.settings import Settings
from storage.crypto import Cipher
from storage.inbox import SqlInbox
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import NOW, FakeDedupe, FakeHandler, FixedClock, Harness, RecordingRemoval

LEASE = dt.timedelta(seconds=60)


MakeBot = Callable[[str, FakeHandler], SlackBot]


@pytest.fixture
def make_bot(db: AsyncEngine, settings: Settings, clock: FixedClock) -> MakeBot:
    """Builds one instance of the app, named ``name``, around ``handler``; every instance keeps
    its inbox in the one database."""

    def make(name: str, handler: FakeHandler) -> SlackBot:
        return build_app(
            handler,
            slack_config(settings),
            shared=Shared(
                dedupe=FakeDedupe(),
                on_community_removed=RecordingRemoval(),
                inbox=SqlInbox(db, Cipher(), instance=name, lease=LEASE),
                clock=clock,
            ),
        )

    return make


@pytest.fixture
async def first(
    make_bot: MakeBot, fake_slack: FakeSlack, clock: FixedClock
) -> AsyncIterator[Harness]:
    handler = FakeHandler()
    handler.gate = asyncio.Event()  # the engine is busy: the work is acknowledged, not done
    harness = Harness(make_bot("first", handler), clock, fake_slack.response_url())
    await harness.start()
    yield harness
    handler.gate.set()
    await harness.stop()


def replies(fake_slack: FakeSlack) -> list[str]:
    return [str(call.args.get("text", "")) for call in fake_slack.calls_to("response_url")]


async def test_work_of_a_process_that_died_is_redone_once_elsewhere(
    first: Harness, make_bot: MakeBot, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    answer = await first.command("brag", "shipped the release")
    assert answer.status == 200  # acknowledged: Slack will never send it again
    # The process dies with the work in hand: no hand-back, no record of it being done.
    await first.bot._background.close(0)

    handler = FakeHandler()
    second = make_bot("second", handler)
    assert await second.redo_unfinished() == 0  # its holder's lease is still running
    clock.now = NOW + LEASE + dt.timedelta(seconds=1)
    third = make_bot("third", FakeHandler())
    assert await second.redo_unfinished() == 1
    assert await third.redo_unfinished() == 0  # one instance takes it, once
    await second.drain()

    [event] = handler.received
    assert getattr(event, "text", "") == "shipped the release"
    assert replies(fake_slack) == ["got /brag shipped the release"]
    assert await second.redo_unfinished() == 0
    await second.aclose(0)
    await third.aclose(0)


async def test_work_held_past_its_lease_by_a_live_process_is_renewed_not_taken_over(
    make_bot: MakeBot, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    busy = FakeHandler()
    busy.gate = asyncio.Event()  # the work is acknowledged and stuck behind a backlog
    first = Harness(make_bot("first", busy), clock, fake_slack.response_url())
    await first.start()
    idle = FakeHandler()
    second = make_bot("second", idle)
    try:
        await first.command("brag", "shipped the release")
        for rounds in range(1, 4):  # the live process's redo rounds, each within a lease
            clock.now = NOW + rounds * LEASE / 2
            assert await first.bot.redo_unfinished() == 0  # renewed, never redone by itself
            clock.now += dt.timedelta(seconds=1)
            assert await second.redo_unfinished() == 0  # never taken over while in hand
        busy.gate.set()
        await first.bot.drain()
        clock.now += 2 * LEASE
        assert await second.redo_unfinished() == 0  # done: nothing is left to redo
    finally:
        busy.gate.set()
        await first.stop()
        await second.aclose(0)
    assert idle.received == []
    assert len(busy.received) == 1
    assert replies(fake_slack) == ["got /brag shipped the release"]


async def test_work_a_stopping_process_could_not_finish_is_handed_back_at_once(
    first: Harness, make_bot: MakeBot, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    await first.dm("I got a rejection", event_id="Ev9")
    await first.bot.aclose(0)  # SIGTERM with no time left: stop, hand back what is unfinished

    handler = FakeHandler()
    second = make_bot("second", handler)
    assert await second.redo_unfinished() == 1  # at once, not after the lease
    await second.drain()
    assert len(handler.received) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    await second.aclose(0)


async def test_a_retried_event_is_handled_once_and_finished_work_is_never_redone(
    make_bot: MakeBot, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    handler = FakeHandler()
    harness = Harness(make_bot("first", handler), clock, fake_slack.response_url())
    await harness.start()
    try:
        await harness.dm("hello", event_id="Ev7")
        await harness.dm("hello", event_id="Ev7", headers={"X-Slack-Retry-Num": "1"})
        await harness.bot.drain()
        assert len(handler.received) == 1
        clock.now = NOW + dt.timedelta(hours=1)
        assert await harness.bot.redo_unfinished() == 0
    finally:
        await harness.stop()
