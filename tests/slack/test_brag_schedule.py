"""The brag thread's schedule on Slack (the story in tests/brag_scenarios.py), with two
instances on one database (SQLite always, PostgreSQL when set): signed requests to each
instance, the fake Slack recording every call."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from adapters.slack.render import render_reply
from bot.replies import CHANNEL_MARK, Reply
from bounceback.bootstrap import Services, open_services
from bounceback.settings import Settings
from tests.brag_scenarios import Pair, two_instances

# The brag schedule's stories, collected here and told with this module's ``brag``.
from tests.brag_scenarios import test_the_brag_schedule as test_the_brag_schedule
from tests.slack.conftest import real_app
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FixedClock,
    Harness,
    RecordingSleep,
    served,
)
from tests.slack.test_community import answers, button, in_channel, sections, settings_form

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

BRAG_CHANNEL = "C123"


@dataclass
class Instance:
    """One Bounceback process: its adapter served on loopback, and its services."""

    slack: Harness
    services: Services
    fake_slack: FakeSlack

    async def tick(self, now: dt.datetime) -> None:
        await self.services.dispatcher({"slack": self.slack.bot.messenger}).tick(now)

    async def admin_here(self) -> str:
        return await self.admin("admin here", channel=BRAG_CHANNEL)

    async def admin(self, text: str = "admin", channel: str = "C1") -> str:
        await self.slack.command("bounceback", text, channel=channel)
        await self.slack.bot.drain()
        answer = answers(self.fake_slack)[-1]
        assert answer.args["response_type"] == "ephemeral"
        return sections(answer)

    async def press(self, action: str) -> list[Call]:
        """Press a button shown for ``action``; the answers it brought."""
        before = len(answers(self.fake_slack))
        found = button(answers(self.fake_slack), action)
        await self.slack.press(found["action_id"], found.get("value", ""), channel="C1",
                               ephemeral=True)  # fmt: skip
        await self.slack.bot.drain()
        return answers(self.fake_slack)[before:]

    async def press_admin(self, action: str) -> str:
        return "\n".join(sections(call) for call in await self.press(action))

    async def preview(self) -> tuple[str, str]:
        intro, preview = await self.press("admin.brag_preview")
        assert {c.args["response_type"] for c in (intro, preview)} == {"ephemeral"}
        [header] = [b for b in preview.args["blocks"] if b["type"] == "header"]
        return sections(intro), str(header["text"]["text"])

    async def save(self, **typed: str) -> str:
        """Submit the settings form; the words of the DM that answers."""
        closed = await self.slack.submit("community_settings", settings_form(**typed))
        assert (closed.status, closed.text) == (200, "")
        await self.slack.bot.drain()
        return sections(self.fake_slack.calls_to("chat.postMessage")[-1])

    async def brag(self, text: str) -> None:
        await self.slack.command("brag", text, channel="C1")
        await self.slack.bot.drain()

    async def share(self) -> str:
        [told] = await self.press("community.share")
        return sections(told)


@dataclass
class OnSlack(Pair[Instance]):
    """The brag story's view of Slack: a message with a header block opens each thread."""

    member: str = "ana"
    channel: str = f"<#{BRAG_CHANNEL}>"

    def heading(self, text: str) -> str:
        return text

    def posted(self) -> list[Call]:
        return in_channel(self.one.fake_slack, BRAG_CHANNEL)

    def posts(self) -> list[object]:
        return list(self.posted())

    def openings(self) -> list[str]:
        return [
            block["text"]["text"]
            for call in self.posted()
            if "thread_ts" not in call.args
            for block in call.args["blocks"]
            if block["type"] == "header"
        ]

    def in_thread(self) -> list[str]:
        parent, *replies = self.posted()
        assert "thread_ts" not in parent.args
        assert all(call.args.get("thread_ts") for call in replies)  # in the thread just opened
        return [sections(call) for call in replies]


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
        bot = real_app(services, clock, RecordingSleep())
        async with served(bot, clock, fake_slack.response_url()) as harness:
            yield Instance(harness, services, fake_slack)


@pytest.fixture
async def brag(
    database_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> AsyncIterator[OnSlack]:
    async with two_instances(lambda: instance(database_url, fake_slack, clock)) as (one, two):
        yield OnSlack(one, two, clock)


@pytest.mark.parametrize(
    ("channel", "shown"), [("C123", "in <#C123>."), ("<!here>", "in &lt;!here&gt;.")]
)
def test_a_channel_mark_is_a_mention_only_for_a_well_formed_id(channel: str, shown: str) -> None:
    [message] = render_reply(Reply(text=f"in {CHANNEL_MARK}.", channel=channel))
    assert message.blocks[0]["text"]["text"] == shown
