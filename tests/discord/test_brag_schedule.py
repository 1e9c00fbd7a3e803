"""The brag thread's schedule on Discord (the story in tests/brag_scenarios.py), with two
instances on one database (SQLite always, PostgreSQL when set): interactions fed as the gateway
feeds them, the fake Discord recording every call."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.discord.render import escape, with_channel
from bot.reach import Reach
from bot.replies import CHANNEL_MARK
from bounceback.bootstrap import Services, open_services
from bounceback.settings import Settings
from tests.brag_scenarios import NOW, Pair, two_instances

# The brag schedule's stories, collected here and told with this module's ``brag``.
from tests.brag_scenarios import test_the_brag_schedule as test_the_brag_schedule
from tests.discord.conftest import TOKEN, Client, interact, start
from tests.discord.fake_discord import CHANNEL_ID, USER_ID, FakeDiscord
from tests.discord.payloads import press, slash, submit
from tests.discord.test_community import MANAGE_SERVER, as_message, buttons, share_button


@dataclass
class Clock:
    now: dt.datetime = NOW


@pytest.fixture
def clock() -> Clock:
    return Clock()


@dataclass
class Instance:
    """One Bounceback process: its gateway client and its services, on the shared fake."""

    client: Client
    services: Services
    fake: FakeDiscord

    async def tick(self, now: dt.datetime) -> None:
        messenger = self.client.messenger(Reach(self.services.store))
        await self.services.dispatcher({"discord": messenger}).tick(now)

    async def as_admin(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Deliver ``payload`` from someone with Manage Server; the data of the answer."""
        await interact(self.client, payload)
        answer: dict[str, Any] = self.fake.callbacks()[-1].get("data", {})
        return answer

    async def admin_here(self) -> str:
        return str((await self.admin_view("admin here"))["content"])

    async def admin(self) -> str:
        return str((await self.admin_view("admin"))["content"])

    async def admin_view(self, text: str) -> dict[str, Any]:
        return await self.as_admin(slash("bounceback", {"text": text}, permissions=MANAGE_SERVER))

    async def press_admin(self, action: str) -> str:
        shown = self.latest_admin_view(action)
        [custom_id] = [b["custom_id"] for b in buttons(shown) if f":{action}:" in b["custom_id"]]
        before = len(self.fake.followups())
        pressed = press(custom_id, as_message(shown), permissions=MANAGE_SERVER)
        words = [(await self.as_admin(pressed)).get("content", "")]
        words += [f.get("content", "") for f in self.fake.followups()[before:]]
        return "\n".join(words)

    def latest_admin_view(self, action: str) -> dict[str, Any]:
        """The admin view last shown with a button for ``action``."""
        shown = [body.get("data", {}) for body in self.fake.callbacks()]
        return next(
            data
            for data in reversed(shown)
            if any(f":{action}:" in b["custom_id"] for b in buttons(data))
        )

    async def preview(self) -> tuple[str, str]:
        words = await self.press_admin("admin.brag_preview")
        [heading] = [line for line in words.splitlines() if line.startswith("**")]
        return words, heading

    async def save(self, **values: str) -> str:
        def pressed(custom_id: str, shown: dict[str, Any]) -> dict[str, Any]:
            return press(custom_id, shown, permissions=MANAGE_SERVER)

        change = as_message(await self.admin_view("admin"))
        page_one = await self.as_admin(pressed("bb:admin.settings:", change))
        more = await self.as_admin(submit(page_one, values, permissions=MANAGE_SERVER))
        [next_page] = buttons(more)
        page_two = await self.as_admin(pressed(next_page["custom_id"], as_message(more, "10")))
        done = await self.as_admin(submit(page_two, {}, permissions=MANAGE_SERVER))
        return str(done["content"])

    async def brag(self, text: str) -> None:
        await interact(self.client, slash("brag", {"text": text}))

    async def share(self) -> str:
        custom_id, asked = share_button(self.fake)
        dm = self.fake.dm_channel(USER_ID)
        await interact(self.client, press(custom_id, asked, guild_id=None, dm_channel=dm))
        return str(self.fake.callbacks()[-1].get("data", {}).get("content", ""))


@dataclass
class OnDiscord(Pair[Instance]):
    """The brag story's view of Discord: a post opens each thread, its heading in bold."""

    member: str = "Ada"
    channel: str = f"<#{CHANNEL_ID}>"

    def heading(self, text: str) -> str:
        return f"**{text}**"

    def posts(self) -> list[object]:
        fake = self.one.fake
        return [*fake.channel_posts(CHANNEL_ID), *fake.threads]  # a thread's posts need a thread

    def openings(self) -> list[str]:
        return [body["content"].split("\n")[0] for body in self.one.fake.channel_posts(CHANNEL_ID)]

    def in_thread(self) -> list[str]:
        [thread_id] = self.one.fake.threads
        return [body["content"] for body in self.one.fake.channel_posts(thread_id)]


@contextlib.asynccontextmanager
async def instance(url: str, fake: FakeDiscord, clock: Clock) -> AsyncIterator[Instance]:
    settings = Settings.from_mapping(
        {"DATABASE_URL": url, "DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": fake.base_url,
         "BOUNCEBACK_TIMEZONE": "UTC"}
    )  # fmt: skip
    async with open_services(settings) as services:
        client = await start(services, lambda: clock.now)
        try:
            yield Instance(client, services, fake)
        finally:
            await client.close()


@pytest.fixture
async def brag(database_url: str, fake: FakeDiscord, clock: Clock) -> AsyncIterator[OnDiscord]:
    async with two_instances(lambda: instance(database_url, fake, clock)) as (one, two):
        yield OnDiscord(one, two, clock)


@pytest.mark.parametrize(
    ("channel", "shown"), [("1300000000000000001", "in <#1300000000000000001>."),
                           ("@everyone", "in \\@everyone.")]
)  # fmt: skip
def test_a_channel_mark_is_a_mention_only_for_a_snowflake(channel: str, shown: str) -> None:
    text = f"in {CHANNEL_MARK}."
    assert with_channel(escape(text), channel) == shown
