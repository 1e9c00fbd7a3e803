"""The brag thread's schedule on Discord, with two instances on one database (SQLite always,
PostgreSQL when set): interactions fed as the gateway feeds them, the fake Discord recording
every call, and each instance's dispatcher ticked with an explicit time."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.discord.client import build_client
from adapters.discord.render import escape, with_channel
from bot.dispatcher import Dispatcher
from bot.reach import Reach
from bot.replies import CHANNEL_MARK
from bounceback.bootstrap import Services, open_services
from bounceback.cli import discord_config
from bounceback.settings import Settings
from tests.discord.conftest import NOW, TOKEN, Client, interact, logged_in
from tests.discord.fake_discord import CHANNEL_ID, USER_ID, FakeDiscord
from tests.discord.payloads import press, slash, submit
from tests.discord.test_community import MANAGE_SERVER, as_message, buttons, share_button

# NOW is Tuesday 2026-03-10, 14:30 UTC; the default thread time is Monday 10:00.
NEXT_MONDAY = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    now: dt.datetime = NOW


@dataclass
class Instance:
    """One Bounceback process: its gateway client and its services."""

    client: Client
    services: Services

    def dispatcher(self) -> Dispatcher:
        return self.services.dispatcher(
            {"discord": self.client.messenger(Reach(self.services.store))}
        )


@contextlib.asynccontextmanager
async def instance(url: str, fake: FakeDiscord, clock: Clock) -> AsyncIterator[Instance]:
    settings = Settings.from_mapping(
        {"DATABASE_URL": url, "DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": fake.base_url,
         "BOUNCEBACK_TIMEZONE": "UTC"}
    )  # fmt: skip
    async with open_services(settings) as services:
        client = build_client(
            handler=services.engine,
            reach=Reach(services.store, services.settings.timezone),
            config=discord_config(settings),
            clock=lambda: clock.now,
            dedupe=services.events,
            ack_budget=5.0,
            memos=services.store,
        )
        await logged_in(client)
        try:
            yield Instance(client, services)
        finally:
            await client.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def pair(
    database_url: str, fake: FakeDiscord, clock: Clock
) -> AsyncIterator[tuple[Instance, Instance]]:
    async with (
        instance(database_url, fake, clock) as one,
        instance(database_url, fake, clock) as two,
    ):
        yield one, two


async def tick(pair: tuple[Instance, Instance], now: dt.datetime) -> None:
    for each in pair:
        await each.dispatcher().tick(now)


async def admin(each: Instance, fake: FakeDiscord, text: str = "admin") -> dict[str, Any]:
    """``/bounceback TEXT`` from someone with Manage Server; the (ephemeral) answer."""
    await interact(each.client, slash("bounceback", {"text": text}, permissions=MANAGE_SERVER))
    answer: dict[str, Any] = fake.callbacks()[-1]["data"]
    return answer


async def press_admin(each: Instance, fake: FakeDiscord, shown: dict[str, Any], action: str) -> str:
    """Press one of the admin view's buttons; every word that answered."""
    [custom_id] = [b["custom_id"] for b in buttons(shown) if f":{action}:" in b["custom_id"]]
    before = len(fake.followups())
    await interact(each.client, press(custom_id, as_message(shown), permissions=MANAGE_SERVER))
    words = [fake.callbacks()[-1].get("data", {}).get("content", "")]
    words += [f.get("content", "") for f in fake.followups()[before:]]
    return "\n".join(words)


async def save(each: Instance, fake: FakeDiscord, **values: str) -> str:
    """The settings form, both pages, filled with ``values``; the words that answered."""
    shown = await admin(each, fake)
    change = as_message(shown)
    await interact(each.client, press("bb:admin.settings:", change, permissions=MANAGE_SERVER))
    page_one = fake.callbacks()[-1]["data"]
    await interact(each.client, submit(page_one, values, permissions=MANAGE_SERVER))
    more = fake.callbacks()[-1]["data"]
    [next_page] = buttons(more)
    await interact(
        each.client,
        press(next_page["custom_id"], as_message(more, "10"), permissions=MANAGE_SERVER),
    )
    page_two = fake.callbacks()[-1]["data"]
    await interact(each.client, submit(page_two, {}, permissions=MANAGE_SERVER))
    return str(fake.callbacks()[-1]["data"]["content"])


def openings(fake: FakeDiscord) -> list[str]:
    """The first line of each message posted in the brag channel (each opens a thread)."""
    return [body["content"].split("\n")[0] for body in fake.channel_posts(CHANNEL_ID)]


async def test_a_time_change_after_the_channel_is_set_moves_the_opening(
    pair: tuple[Instance, Instance], fake: FakeDiscord, clock: Clock
) -> None:
    one, two = pair
    done = await admin(one, fake, "admin here")
    assert f"posted in <#{CHANNEL_ID}>." in done["content"]  # a mention, not the raw id
    await save(one, fake, brag_day="1", brag_time="15:41")
    clock.now = NOW + dt.timedelta(minutes=5)
    told = await save(two, fake, brag_day="1", brag_time="15:43")
    assert f"Brag channel: <#{CHANNEL_ID}>" in told
    assert "Next brag thread: Tuesday 10 March 2026 at 15:43 (UTC)" in told

    await tick(pair, NOW.replace(hour=15, minute=41))
    assert openings(fake) == []
    await tick(pair, NOW.replace(hour=15, minute=43))
    await tick(pair, NOW.replace(hour=15, minute=44))
    assert openings(fake) == ["**Brag thread: week of 9 March 2026**"]


async def test_set_up_after_this_weeks_time_waits_for_next_week(
    pair: tuple[Instance, Instance], fake: FakeDiscord
) -> None:
    one, _ = pair
    done = await admin(one, fake, "admin here")
    assert "first thread opens Monday 16 March 2026 at 10:00 (UTC)" in done["content"]
    for hours in (0, 1, 24, 96):
        await tick(pair, NOW + dt.timedelta(hours=hours))
    assert openings(fake) == []
    await tick(pair, NEXT_MONDAY)
    assert openings(fake) == ["**Brag thread: week of 16 March 2026**"]


async def test_preview_skip_and_open_now_each_act_once(
    pair: tuple[Instance, Instance], fake: FakeDiscord
) -> None:
    one, two = pair
    await admin(one, fake, "admin here")
    shown = await admin(two, fake)
    assert "Next brag thread: Monday 16 March 2026 at 10:00 (UTC)" in shown["content"]

    preview = await press_admin(two, fake, shown, "admin.brag_preview")
    assert "Only you can see this preview" in preview
    assert "**Brag thread: week of 16 March 2026**" in preview
    assert openings(fake) == []

    said = [await press_admin(each, fake, shown, "admin.brag_skip") for each in (one, two)]
    assert sum("Skipped: no brag thread for the week of 16 March 2026" in s for s in said) == 1
    assert sum("Nothing to skip" in s for s in said) == 1

    said = [await press_admin(each, fake, shown, "admin.brag_open") for each in (two, one)]
    assert sum(f"Opening this week's brag thread in <#{CHANNEL_ID}> now." in s for s in said) == 1
    assert sum("already open or opening" in s for s in said) == 1

    await tick(pair, NOW)
    await tick(pair, NEXT_MONDAY)  # skipped
    assert openings(fake) == ["**Brag thread: week of 9 March 2026**"]


async def test_a_share_before_the_opening_is_posted_right_after_it(
    pair: tuple[Instance, Instance], fake: FakeDiscord
) -> None:
    one, two = pair
    await admin(one, fake, "admin here")
    await save(one, fake, brag_day="4", brag_time="10:00")  # Friday
    await interact(two.client, slash("brag", {"text": "Booked a mock interview"}))
    custom_id, asked = share_button(fake)
    dm = fake.dm_channel(USER_ID)
    await interact(one.client, press(custom_id, asked, guild_id=None, dm_channel=dm))

    await tick(pair, NOW + dt.timedelta(minutes=1))
    assert fake.threads == {}  # a share never opens the thread early
    await tick(pair, dt.datetime(2026, 3, 13, 10, 0, tzinfo=dt.UTC))
    [thread_id] = fake.threads
    [shared] = fake.channel_posts(thread_id)
    assert shared["content"] == "Ada shared a win: Booked a mock interview"


@pytest.mark.parametrize(
    ("channel", "shown"), [("1300000000000000001", "in <#1300000000000000001>."),
                           ("@everyone", "in \\@everyone.")]
)  # fmt: skip
def test_a_channel_mark_is_a_mention_only_for_a_snowflake(channel: str, shown: str) -> None:
    text = f"in {CHANNEL_MARK}."
    assert with_channel(escape(text), channel) == shown
