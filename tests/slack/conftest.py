"""Fixtures for the Slack adapter: a fake Slack on loopback and the adapter served beside it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.slack.app import build_app
from bounceback.cli import slack_config
from bounceback.settings import Settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeDedupe,
    FakeHandler,
    FixedClock,
    Harness,
    RecordingRemoval,
    RecordingSleep,
)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """Slack's Web API, response_urls and Socket Mode, faked on 127.0.0.1."""
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def handler() -> FakeHandler:
    return FakeHandler()


@pytest.fixture
def dedupe() -> FakeDedupe:
    return FakeDedupe()


@pytest.fixture
def removal() -> RecordingRemoval:
    return RecordingRemoval()


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def settings(fake_slack: FakeSlack) -> Settings:
    """Single-workspace settings pointing the Web API at the fake."""
    return Settings.from_mapping(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
        }
    )


@pytest.fixture
def answer_budget() -> float:
    """Seconds a modal submission may wait for the engine (tests shrink it)."""
    return 2.5


@pytest.fixture
async def slack(
    fake_slack: FakeSlack,
    settings: Settings,
    handler: FakeHandler,
    dedupe: FakeDedupe,
    removal: RecordingRemoval,
    sleep: RecordingSleep,
    clock: FixedClock,
    answer_budget: float,
) -> AsyncIterator[Harness]:
    """The adapter around the fake handler, served on loopback."""
    bot = build_app(
        handler,
        slack_config(settings),
        dedupe=dedupe,
        clock=clock,
        on_community_removed=removal,
        sleep=sleep,
        answer_budget=answer_budget,
    )
    harness = Harness(bot, clock, fake_slack.response_url())
    await harness.start()
    yield harness
    await harness.stop()
