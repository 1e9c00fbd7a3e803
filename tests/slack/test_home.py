"""The Slack Home tab against the fake Slack: published to the member alone, a welcome for a
newcomer, their journey and chart once they have one, refreshed (once per burst) after a
change, and the community's section for admins only."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.background import Background
from adapters.slack.home import MemoryChartFiles, SlackHome
from adapters.slack.outbox import Outbox
from bot.events import Command, Sender
from bot.home_view import HomeSection, HomeView
from bot.replies import Reply
from bounceback.bootstrap import Services
from storage.home_charts import SqlChartFiles
from tests.slack.conftest import real_app
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import BOT_TOKEN, FixedClock, Harness, RecordingSleep, served


@pytest.fixture
def chart_files() -> MemoryChartFiles:
    return MemoryChartFiles()


@pytest.fixture
async def home(
    services: Services,
    fake_slack: FakeSlack,
    clock: FixedClock,
    sleep: RecordingSleep,
    chart_files: MemoryChartFiles,
) -> AsyncIterator[Harness]:
    """The adapter around the real engine, publishing Home tabs (no settle wait)."""
    bot = real_app(services, clock, sleep, home=services.engine.home, chart_files=chart_files)
    async with served(bot, clock, fake_slack.response_url()) as harness:
        yield harness


async def open_home(harness: Harness, user: str = "U1", *, event_id: str = "Eh1") -> None:
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
    await harness.event(event, event_id=event_id)
    await harness.bot.drain()


def texts(view: dict[str, Any]) -> str:
    """Every word of a view, as Slack would show it."""
    found: list[str] = []
    for block in view["blocks"]:
        for part in (block.get("text"), *block.get("elements", ())):
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                found.append(part["text"])
            elif isinstance(part, dict) and isinstance(part.get("text"), dict):
                found.append(part["text"]["text"])
    return "\n".join(found)


async def test_a_newcomer_opening_the_home_gets_the_welcome(
    home: Harness, fake_slack: FakeSlack
) -> None:
    await open_home(home)

    [published] = fake_slack.calls_to("views.publish")
    assert published.args["user_id"] == "U1"
    view = published.args["view"]
    assert view["type"] == "home"
    assert "Welcome to Bounceback" in texts(view)
    assert "Log a rejection" in texts(view)
    assert not fake_slack.calls_to("files.getUploadURLExternal")  # nothing to draw yet


async def test_the_messages_tab_opening_publishes_nothing(
    home: Harness, fake_slack: FakeSlack
) -> None:
    event = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "messages"}
    await home.event(event, event_id="Em1")
    await home.bot.drain()

    assert not fake_slack.calls_to("views.publish")


async def test_a_change_refreshes_the_home_with_the_journey_and_the_chart(
    home: Harness, fake_slack: FakeSlack, chart_files: MemoryChartFiles
) -> None:
    await home.command("brag", "Shipped the release")
    await home.bot.drain()

    [published] = fake_slack.calls_to("views.publish")
    assert published.args["user_id"] == "U1" and set(fake_slack.homes) == {"U1"}
    words = texts(published.args["view"])
    assert "Wins on your bragging list: 1" in words and "At a glance" in words
    [image] = [b for b in published.args["view"]["blocks"] if b["type"] == "image"]
    [completed] = fake_slack.calls_to("files.completeUploadExternal")
    uploaded = completed.args["files"]
    assert image["slack_file"]["id"] in uploaded
    assert completed.args["channel_id"] == "DU1"  # shared into the member's own DM alone
    assert image["alt_text"].startswith("No mood logged")
    [upload] = fake_slack.calls_to("upload")
    assert upload.args["content"].startswith(b"\x89PNG")
    assert chart_files.files[("T1", "U1")][0] == image["slack_file"]["id"]

    await open_home(home)  # the same home, already shown: nothing to send again
    assert len(fake_slack.calls_to("views.publish")) == 2  # an opening without a view: sent


async def test_a_new_chart_replaces_the_old_file_and_deleting_data_deletes_it(
    home: Harness, fake_slack: FakeSlack
) -> None:
    await home.command("checkin", "2")
    await home.bot.drain()
    await home.command("checkin", "4")
    await home.bot.drain()

    first, second = [c.args["files"] for c in fake_slack.calls_to("files.completeUploadExternal")]
    [deleted] = fake_slack.calls_to("files.delete")
    assert deleted.args["file"] in first and deleted.args["file"] not in second

    await home.command("mydata", "delete")
    await home.bot.drain()
    confirm = "bb|0|mydata.delete"
    await home.press(confirm, "confirm")
    await home.bot.drain()

    assert [c.args["file"] for c in fake_slack.calls_to("files.delete")][-1] in second
    assert "Welcome to Bounceback" in texts(fake_slack.homes["U1"])


async def test_an_image_slack_does_not_show_yet_leaves_the_words_and_is_tried_again(
    home: Harness, fake_slack: FakeSlack
) -> None:
    fake_slack.script("views.publish", {"ok": False, "error": "invalid_blocks"})

    await home.command("checkin", "3")
    await home.bot.drain()

    first, fallback, again = fake_slack.calls_to("views.publish")
    assert any(b["type"] == "image" for b in first.args["view"]["blocks"])
    assert not any(b["type"] == "image" for b in fallback.args["view"]["blocks"])
    assert "One mood logged, 3 out of 5" in texts(fallback.args["view"])
    assert any(b["type"] == "image" for b in again.args["view"]["blocks"])


@pytest.mark.parametrize("admins", ["U2"])
async def test_only_admins_see_the_community_section(home: Harness, fake_slack: FakeSlack) -> None:
    await home.command("brag", "A win")
    await home.command("brag", "A win", user="U2")
    await home.bot.drain()

    assert "Your community (admins only)" in texts(fake_slack.homes["U2"])
    assert "Your community" not in texts(fake_slack.homes["U1"])
    assert "too few members yet" in texts(fake_slack.homes["U2"])
    assert "A win" not in texts(fake_slack.homes["U2"]) + texts(fake_slack.homes["U1"])


async def test_a_home_button_runs_the_command_for_the_presser(
    home: Harness, fake_slack: FakeSlack
) -> None:
    await home.command("brag", "A win")
    await home.bot.drain()
    view = fake_slack.homes["U1"]
    pause = next(
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("value") == "pause"
    )

    await home.interaction(
        {
            "type": "block_actions",
            "team": {"id": "T1", "domain": "acme"},
            "user": {"id": "U1", "username": "ana", "name": "ana", "team_id": "T1"},
            "api_app_id": "A1",
            "trigger_id": "trigger-9",
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home"},
            "actions": [{**pause, "block_id": "b1", "action_ts": "1.2"}],
        }
    )
    await home.bot.drain()

    [said] = [c for c in fake_slack.calls_to("chat.postMessage") if "paused" in c.args["text"]]
    assert said.args["channel"] == "DU1"  # pressed in the Home: answered in the DM
    assert "Check-ins are paused until" in texts(fake_slack.homes["U1"])


class Gate:
    """The settle wait, held until the test lets it go."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await self.open.wait()


class CountingSource:
    """A home that says how many times it was built."""

    def __init__(self) -> None:
        self.built = 0

    async def __call__(self, sender: Sender, now: dt.datetime) -> HomeView:
        self.built += 1
        return HomeView("Home", f"built {self.built}", (HomeSection("s", ("line",)),))


async def test_a_burst_of_changes_is_one_publish(fake_slack: FakeSlack, clock: FixedClock) -> None:
    gate, source, work = Gate(), CountingSource(), Background(2)

    async def plain(sender: Sender, client: AsyncWebClient) -> Sender:
        return sender

    dms = Outbox(session=None, retry_handlers=[])
    publisher = SlackHome(
        source, clock=clock, mark=plain, submit=work.submit, start=work.spawn,
        open_dm=dms.open_dm, sleep=gate, settle=2.0,
    )  # fmt: skip
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)

    for _ in range(5):
        publisher.changed("T1", "U1", client)
    publisher.changed("T1", "U2", client)
    gate.open.set()
    await work.drain()

    published = fake_slack.calls_to("views.publish")
    assert sorted(call.args["user_id"] for call in published) == ["U1", "U2"]
    assert gate.waits == [2.0, 2.0] and source.built == 2

    publisher.changed("T1", "U1", client)  # a later change is a refresh of its own
    await work.drain()
    assert len(fake_slack.calls_to("views.publish")) == 3
    await work.close(1.0)


async def test_a_chart_remembered_before_a_restart_is_replaced(
    services: Services, fake_slack: FakeSlack, clock: FixedClock, sleep: RecordingSleep
) -> None:
    files = SqlChartFiles(services.db)
    await files.remember_chart("T1", "U1", "FBEFORE", "an older picture", clock())
    bot = real_app(services, clock, sleep, home=services.engine.home, chart_files=files)
    async with served(bot, clock, fake_slack.response_url()) as harness:
        await harness.command("checkin", "4")
        await harness.bot.drain()

    [deleted] = fake_slack.calls_to("files.delete")
    assert deleted.args["file"] == "FBEFORE"
    kept = await files.chart_file("T1", "U1")
    assert (
        kept is not None
        and kept[0] in fake_slack.calls_to("files.completeUploadExternal")[0].args["files"]
    )


async def test_a_delivered_checkin_refreshes_the_home(
    home: Harness, fake_slack: FakeSlack, services: Services, clock: FixedClock
) -> None:
    await home.command("brag", "A win")
    await home.bot.drain()
    ana = Sender("slack", "T1", "U1")
    await services.engine.handle(Command(ana, "brag", "Another win"), clock())  # not via Slack

    await home.bot.messenger.deliver(ana, [Reply(text="How are you today?")], "bb-1")
    await home.bot.drain()

    assert "Wins on your bragging list: 2" in texts(fake_slack.homes["U1"])
