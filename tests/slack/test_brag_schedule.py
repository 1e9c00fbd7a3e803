"""The brag thread's schedule on Slack, with two instances on one database (SQLite always,
PostgreSQL when set): signed requests to each instance, the fake Slack recording every call,
and each instance's dispatcher ticked with an explicit time."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from adapters.slack.app import build_app
from adapters.slack.render import render_reply
from bot.dispatcher import Dispatcher
from bot.replies import CHANNEL_MARK, Reply
from bounceback.bootstrap import Services, open_services
from bounceback.cli import slack_config
from bounceback.settings import Settings
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import (
    BOT_TOKEN,
    NOW,
    SIGNING_SECRET,
    FixedClock,
    Harness,
    RecordingSleep,
    served,
)
from tests.slack.test_community import answers, button, in_channel, sections, settings_form

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

# NOW is Tuesday 2026-03-10, 14:30 UTC; the default thread time is Monday 10:00.
NEXT_MONDAY = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)


@dataclass
class Instance:
    """One Bounceback process: its adapter served on loopback, and its services."""

    slack: Harness
    services: Services

    def dispatcher(self) -> Dispatcher:
        return self.services.dispatcher({"slack": self.slack.bot.messenger})


@contextlib.asynccontextmanager
async def instance(url: str, fake_slack: FakeSlack, clock: FixedClock) -> AsyncIterator[Instance]:
    settings = Settings.from_mapping(
        {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "SLACK_ADMINS": "U1",
        }
    )
    async with open_services(settings) as services:
        bot = build_app(
            services.engine,
            slack_config(settings),
            dedupe=services.events,
            clock=clock,
            on_community_removed=services.store.delete_community,
            sleep=RecordingSleep(),
            on_zone_changed=services.engine.follow_zone,
        )
        async with served(bot, clock, fake_slack.response_url()) as harness:
            yield Instance(harness, services)


@pytest.fixture
async def pair(
    database_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> AsyncIterator[tuple[Instance, Instance]]:
    async with (
        instance(database_url, fake_slack, clock) as one,
        instance(database_url, fake_slack, clock) as two,
    ):
        yield one, two


async def tick(pair: tuple[Instance, Instance], now: dt.datetime) -> None:
    for each in pair:
        await each.dispatcher().tick(now)


async def admin(each: Instance, fake_slack: FakeSlack, text: str, channel: str = "C1") -> str:
    """``/bounceback TEXT`` on one instance; the words of its (ephemeral) answer."""
    await each.slack.command("bounceback", text, channel=channel)
    await each.slack.bot.drain()
    answer = answers(fake_slack)[-1]
    assert answer.args["response_type"] == "ephemeral"
    return sections(answer)


async def press(each: Instance, fake_slack: FakeSlack, action: str) -> list[Call]:
    """Press a button of the latest admin view on one instance; the answers it brought."""
    before = len(answers(fake_slack))
    found = button(answers(fake_slack), action)
    await each.slack.press(found["action_id"], found.get("value", ""), channel="C1", ephemeral=True)
    await each.slack.bot.drain()
    return answers(fake_slack)[before:]


async def save(each: Instance, fake_slack: FakeSlack, **typed: str) -> str:
    """Submit the settings form on one instance; the words of the DM that answers."""
    closed = await each.slack.submit("community_settings", settings_form(**typed))
    assert (closed.status, closed.text) == (200, "")
    await each.slack.bot.drain()
    return sections(fake_slack.calls_to("chat.postMessage")[-1])


def headers(fake_slack: FakeSlack, channel: str = "C123") -> list[str]:
    """The header of each thread opened in the channel."""
    return [
        block["text"]["text"]
        for call in in_channel(fake_slack, channel)
        if "thread_ts" not in call.args
        for block in call.args["blocks"]
        if block["type"] == "header"
    ]


async def test_a_time_change_after_the_channel_is_set_moves_the_opening(
    pair: tuple[Instance, Instance], fake_slack: FakeSlack, clock: FixedClock
) -> None:
    one, two = pair
    done = await admin(one, fake_slack, "admin here", channel="C123")
    assert "posted in <#C123>." in done  # a mention, through the renderer
    await save(one, fake_slack, brag_day="1", brag_time="15:41")
    clock.now = NOW + dt.timedelta(minutes=5)
    told = await save(two, fake_slack, brag_day="1", brag_time="15:43")
    assert "Brag channel: <#C123>" in told
    assert "Next brag thread: Tuesday 10 March 2026 at 15:43 (UTC)" in told

    await tick(pair, NOW.replace(hour=15, minute=41))
    assert in_channel(fake_slack, "C123") == []
    await tick(pair, NOW.replace(hour=15, minute=43))
    await tick(pair, NOW.replace(hour=15, minute=44))
    assert headers(fake_slack) == ["Brag thread: week of 9 March 2026"]


async def test_set_up_after_this_weeks_time_waits_for_next_week(
    pair: tuple[Instance, Instance], fake_slack: FakeSlack
) -> None:
    one, _ = pair
    done = await admin(one, fake_slack, "admin here", channel="C123")
    assert "first thread opens Monday 16 March 2026 at 10:00 (UTC)" in done
    assert "first thread is next week's" in done

    for hours in (0, 1, 24, 96):
        await tick(pair, NOW + dt.timedelta(hours=hours))
    assert in_channel(fake_slack, "C123") == []
    await tick(pair, NEXT_MONDAY)
    assert headers(fake_slack) == ["Brag thread: week of 16 March 2026"]


async def test_preview_skip_and_open_now_each_act_once(
    pair: tuple[Instance, Instance], fake_slack: FakeSlack
) -> None:
    one, two = pair
    await admin(one, fake_slack, "admin here", channel="C123")
    view = await admin(two, fake_slack, "admin")
    assert "Next brag thread: Monday 16 March 2026 at 10:00 (UTC)" in view
    assert "posted right after it opens" in view  # what a share before the opening does

    intro, preview = await press(two, fake_slack, "admin.brag_preview")
    assert {c.args["response_type"] for c in (intro, preview)} == {"ephemeral"}
    assert "Only you can see this preview" in sections(intro)
    [header] = [b for b in preview.args["blocks"] if b["type"] == "header"]
    assert header["text"]["text"] == "Brag thread: week of 16 March 2026"
    assert in_channel(fake_slack, "C123") == []

    skipped = [await press(each, fake_slack, "admin.brag_skip") for each in (one, two)]
    said = [sections(call) for calls in skipped for call in calls]
    assert sum("Skipped: no brag thread for the week of 16 March 2026" in s for s in said) == 1
    assert sum("Nothing to skip" in s for s in said) == 1

    await admin(one, fake_slack, "admin")
    opened = [await press(each, fake_slack, "admin.brag_open") for each in (two, one)]
    said = [sections(call) for calls in opened for call in calls]
    assert sum("Opening this week's brag thread in <#C123> now." in s for s in said) == 1
    assert sum("already open or opening" in s for s in said) == 1

    for minutes in (0, 1):
        await tick(pair, NOW + dt.timedelta(minutes=minutes))
    await tick(pair, NEXT_MONDAY)  # skipped
    assert headers(fake_slack) == ["Brag thread: week of 9 March 2026"]


async def test_a_share_before_the_opening_is_posted_right_after_it(
    pair: tuple[Instance, Instance], fake_slack: FakeSlack
) -> None:
    one, two = pair
    await admin(one, fake_slack, "admin here", channel="C123")
    await save(one, fake_slack, brag_day="4", brag_time="10:00")  # Friday
    await two.slack.command("brag", "Booked a mock interview", channel="C1")
    await two.slack.bot.drain()
    share = button(answers(fake_slack), "community.share")
    await one.slack.press(share["action_id"], share["value"], channel="C1", ephemeral=True)
    await one.slack.bot.drain()
    told = sections(answers(fake_slack)[-1])
    assert "The thread opens Friday 13 March 2026 at 10:00 (UTC); your post goes in" in told

    await tick(pair, NOW + dt.timedelta(minutes=1))
    assert in_channel(fake_slack, "C123") == []  # a share never opens the thread early
    await tick(pair, dt.datetime(2026, 3, 13, 10, 0, tzinfo=dt.UTC))
    parent, shared = in_channel(fake_slack, "C123")
    assert "thread_ts" not in parent.args
    assert shared.args.get("thread_ts")  # in the thread just opened
    assert "Booked a mock interview" in sections(shared)


@pytest.mark.parametrize(
    ("channel", "shown"), [("C123", "in <#C123>."), ("<!here>", "in &lt;!here&gt;.")]
)
def test_a_channel_mark_is_a_mention_only_for_a_well_formed_id(channel: str, shown: str) -> None:
    [message] = render_reply(Reply(text=f"in {CHANNEL_MARK}.", channel=channel))
    assert message.blocks[0]["text"]["text"] == shown
