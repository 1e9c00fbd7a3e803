"""Fixtures for the Slack adapter: a fake Slack on loopback and the adapter served beside it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.hosting import Shared
from adapters.slack.app import build_app
from bounceback.bootstrap import Services, open_services
from bounceback.cli import slack_config
from bounceback.settings import Settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import (
    BOT_TOKEN,
    CLIENT_ID,
    SIGNING_SECRET,
    FakeDedupe,
    FakeHandler,
    FixedClock,
    Harness,
    RecordingRemoval,
    RecordingSleep,
    served,
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


MakeSlack = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_slack(
    fake_slack: FakeSlack,
    settings: Settings,
    handler: FakeHandler,
    dedupe: FakeDedupe,
    removal: RecordingRemoval,
    sleep: RecordingSleep,
    clock: FixedClock,
    answer_budget: float,
) -> AsyncIterator[MakeSlack]:
    """Serves the adapter around the fake handler on loopback; keyword arguments override
    ``build_app``'s (``config`` replaces the single-workspace one). All stop at the end."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(**overrides: Any) -> Harness:
            options: dict[str, Any] = {
                "config": slack_config(settings), "sleep": sleep, "answer_budget": answer_budget,
                "shared": Shared(dedupe=dedupe, on_community_removed=removal, clock=clock),
            } | overrides  # fmt: skip
            bot = build_app(handler, options.pop("config"), **options)
            return await stack.enter_async_context(served(bot, clock, fake_slack.response_url()))

        yield make


@pytest.fixture
async def slack(make_slack: MakeSlack) -> Harness:
    """The adapter around the fake handler, served on loopback."""
    return await make_slack()


@pytest.fixture
def oauth_settings(fake_slack: FakeSlack) -> Settings:
    """Settings for many workspaces through the OAuth flow."""
    return Settings.from_mapping(
        {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": "client-secret-value",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
        }
    )


@pytest.fixture
def admins() -> str:
    """``SLACK_ADMINS`` for the test (parametrize to change it)."""
    return ""


@pytest.fixture
async def services(tmp_path: Path, fake_slack: FakeSlack, admins: str) -> AsyncIterator[Services]:
    """The real composition root on a fresh SQLite file, its Slack pointed at the fake."""
    settings = Settings.from_mapping(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "SLACK_ADMINS": admins,
        }
    )
    async with open_services(settings) as opened:
        yield opened


@pytest.fixture
async def real(
    services: Services,
    fake_slack: FakeSlack,
    clock: FixedClock,
    sleep: RecordingSleep,
    answer_budget: float,
) -> AsyncIterator[Harness]:
    """The adapter around the real engine and store, served on loopback."""
    bot = real_app(services, clock, sleep, answer_budget=answer_budget)
    async with served(bot, clock, fake_slack.response_url()) as harness:
        yield harness


def real_app(services: Services, clock: FixedClock, sleep: RecordingSleep, **options: Any) -> Any:
    """The adapter around the real engine and store; ``options`` add to ``build_app``'s."""
    return build_app(
        services.engine,
        slack_config(services.settings),
        shared=Shared(
            dedupe=services.events,
            on_community_removed=services.store.delete_community,
            clock=clock,
        ),
        sleep=sleep,
        on_zone_changed=services.engine.follow_zone,
        **options,
    )
