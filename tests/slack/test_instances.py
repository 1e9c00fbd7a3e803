"""Several instances on one database behave as one bot (SQLite always, PostgreSQL when set)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from adapters.hosting import Shared
from adapters.slack.app import build_app
from adapters.slack.oauth import oauth_stores
from bot.events import Sender
from bot.replies import Field, Form, Reply
from bounceback.bootstrap import open_services
from bounceback.cli import slack_config
from bounceback.settings import Settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeHandler,
    FixedClock,
    Harness,
    RecordingRemoval,
    RecordingSleep,
)
from tests.slack.test_oauth import install

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@contextlib.asynccontextmanager
async def instance(
    url: str, fake_slack: FakeSlack, clock: FixedClock, *, multi: bool = False
) -> AsyncIterator[Harness]:
    """One Bounceback process: its own engine, pool and adapter, on the shared database."""
    values = {
        "DATABASE_URL": url,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
    }
    if multi:
        values |= {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "s"}
    else:
        values["SLACK_BOT_TOKEN"] = BOT_TOKEN
    settings = Settings.from_mapping(values)
    async with open_services(settings) as services:
        installations = states = None
        if multi:
            installations, states = await oauth_stores(services.db, "111.222")
        handler = FakeHandler(lambda event: [Reply(form=Form("f", "F", (Field("a", "A"),)))])
        bot = build_app(
            handler if multi else services.engine,
            slack_config(settings),
            shared=Shared(
                dedupe=services.events, on_community_removed=RecordingRemoval(), clock=clock
            ),
            installation_store=installations,
            state_store=states,
            sleep=RecordingSleep(),
        )
        harness = Harness(bot, clock, fake_slack.response_url())
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()


async def test_a_retry_landing_on_another_instance_is_not_handled_again(
    database_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    async with (
        instance(database_url, fake_slack, clock) as one,
        instance(database_url, fake_slack, clock) as two,
    ):
        await one.dm("hello", event_id="EvShared")
        await one.bot.drain()
        await two.dm("hello", event_id="EvShared")
        await asyncio.gather(*(bot.dm("again", event_id="EvBoth") for bot in (one, two, one)))
        await asyncio.gather(one.bot.drain(), two.bot.drain())
    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # one per distinct event


async def test_a_workspace_installed_through_one_instance_is_served_by_another(
    database_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    async with (
        instance(database_url, fake_slack, clock, multi=True) as one,
        instance(database_url, fake_slack, clock, multi=True) as two,
    ):
        await install(one)
        await two.command("rejected", team="T9")
        await two.bot.drain()
        await two.bot.messenger.deliver(Sender("slack", "T9", "U1"), [Reply(text="hi")], "k")
    [opened] = fake_slack.calls_to("views.open")
    assert opened.token == "xoxb-installed-T9"
    assert fake_slack.calls_to("chat.postMessage")[0].token == "xoxb-installed-T9"
