"""Practice partners on Discord, against the fake API with the real engine, store and
dispatcher: each group meets in a private thread of the practice channel (a bot cannot open
a group DM on Discord); "Did you meet?" comes in each one's own DM."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import discord
import pytest

from adapters.discord.messenger import DiscordMessenger
from bot.events import FormSubmission, Sender
from bot.practice_ports import Introducer
from bounceback.bootstrap import Services
from bounceback.cli import discord_config
from bounceback.settings import Settings
from tests.discord.conftest import NOW, Client, interact, started
from tests.discord.fake_discord import APP_ID, BOT_ID, CHANNEL_ID, GUILD_ID, USER_ID, FakeDiscord
from tests.discord.payloads import slash

GUILD = str(GUILD_ID)
SAM_ID = USER_ID + 1
MANAGE_SERVER = discord.Permissions(manage_guild=True).value
# NOW is Tuesday 2026-03-10, 14:30 UTC; the default pairing is Tuesday 10:00, so next week's.
ROUND = dt.datetime(2026, 3, 17, 10, 0, tzinfo=dt.UTC)
JOIN = {"areas": "Research the company and role before each interview",
        "role_kind": "Designer", "availability": "afternoons"}  # fmt: skip


@pytest.fixture
async def client(services: Services) -> AsyncIterator[Client]:
    async with started(services) as running:
        yield running


@pytest.fixture
async def messenger(fake: FakeDiscord, settings: Settings) -> AsyncIterator[DiscordMessenger]:
    async with DiscordMessenger.connect(discord_config(settings), clock=lambda: NOW) as made:
        yield made


async def set_up(client: Client, services: Services) -> None:
    """The admin picks the practice channel and turns practice on; two members join."""
    await interact(client, slash("bounceback", {"text": "admin practice here"},
                                 permissions=MANAGE_SERVER))  # fmt: skip
    await services.store.update_community("discord", GUILD, practice=True)
    for user, name in ((USER_ID, "Ada"), (SAM_ID, "Sam")):
        sender = Sender("discord", GUILD, str(user), name)
        await services.engine.handle(FormSubmission(sender, "practice_join", JOIN), NOW)


def said_in(fake: FakeDiscord, channel: int) -> list[str]:
    return [body["content"] for body in fake.channel_posts(channel)]


async def test_practice_is_a_slash_command(client: Client, fake: FakeDiscord) -> None:
    [published] = fake.find("PUT", rf"/applications/{APP_ID}(/guilds/\d+)?/commands")
    assert "practice" in [command["name"] for command in published.body]


async def test_partners_meet_in_a_private_thread_and_are_asked_privately_later(
    client: Client, fake: FakeDiscord, services: Services, messenger: DiscordMessenger
) -> None:
    await set_up(client, services)
    introducer: Introducer = messenger  # the messenger introduces (checked by mypy)
    assert isinstance(introducer, Introducer) and introducer.needs_channel
    assert fake.callbacks()[-1]["data"]["content"].startswith("Done: practice partners")
    community = await services.store.community("discord", GUILD, "UTC", NOW)
    assert community.practice_channel == str(CHANNEL_ID)

    for _ in range(2):  # two instances: one thread
        await services.dispatcher({"discord": messenger}).tick(ROUND)
    [opened] = fake.find("POST", rf"/channels/{CHANNEL_ID}/threads")
    assert opened.body["type"] == 12 and opened.body["invitable"] is False
    assert opened.body["name"] == "Practice partners: week of 16 March 2026"
    [thread] = [t for t in fake.threads if fake.threads[t]["type"] == 12]
    assert fake.thread_members[thread] == {BOT_ID, USER_ID, SAM_ID}
    words = "\n".join(said_in(fake, thread))
    assert "Ada's kit (Designer)" in words and "Sam's kit (Designer)" in words
    assert "Name one specific thing about the company" in words
    assert all(body["allowed_mentions"] == {"parse": []} for body in fake.channel_posts(thread))
    assert said_in(fake, CHANNEL_ID) == []  # nothing in the channel itself

    await services.dispatcher({"discord": messenger}).tick(ROUND + dt.timedelta(days=3))
    for user in (USER_ID, SAM_ID):
        [asked] = fake.channel_posts(fake.dm_channel(user))
        assert asked["content"].startswith("Did you meet your practice partner")
        labels = [b["label"] for row in asked["components"] for b in row["components"]]
        assert labels == ["Yes, we met", "Not yet", "Skip this week"]


async def test_a_member_who_left_the_server_is_left_out_and_the_other_told(
    client: Client, fake: FakeDiscord, services: Services, messenger: DiscordMessenger
) -> None:
    await set_up(client, services)
    fake.left_server.add(SAM_ID)
    await services.dispatcher({"discord": messenger}).tick(ROUND)

    assert fake.find("POST", rf"/channels/{CHANNEL_ID}/threads") == []
    [told] = fake.channel_posts(fake.dm_channel(USER_ID))
    assert "couldn't find you a practice partner" in told["content"]
    gone = await services.store.known_person(Sender("discord", GUILD, str(SAM_ID)))
    assert gone is not None and gone.unreachable == "practice_refused"


async def test_no_pairing_without_a_practice_channel(
    client: Client, fake: FakeDiscord, services: Services, messenger: DiscordMessenger
) -> None:
    await services.store.community("discord", GUILD, "UTC", NOW)
    await services.store.update_community("discord", GUILD, practice=True)
    sender = Sender("discord", GUILD, str(USER_ID), "Ada")
    await services.engine.handle(FormSubmission(sender, "practice_join", JOIN), NOW)
    [status] = await services.engine.handle(
        FormSubmission(Sender("discord", GUILD, str(SAM_ID), "Sam"), "practice_join", JOIN), NOW
    )
    assert "aren't switched on in this community yet" in status.text
    await services.dispatcher({"discord": messenger}).tick(ROUND)
    assert fake.find("POST", r"/channels/\d+/threads") == []
