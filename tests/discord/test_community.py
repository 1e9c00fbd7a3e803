"""The brag thread and community settings on Discord: the messenger as publisher against the
fake API, admin checks from real interaction payloads, and the whole flow with the real
engine, store and dispatcher (``open_services`` on SQLite)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.discord.channels import BRAG_PERMISSIONS
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.practice_threads import INVITE_PERMISSIONS
from adapters.discord.render import CONTENT_LIMIT, escape
from adapters.discord.texts import texts
from adapters.discord.translate import nonce_for
from bot.delivery_ports import Publisher
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.reach import Reach
from bot.replies import Reply
from bounceback.bootstrap import Services
from bounceback.cli import discord_config
from bounceback.settings import Settings
from tests.discord.conftest import NOW, Client, interact, started
from tests.discord.fake_discord import (
    BOT_USER,
    CHANNEL_ID,
    GUILD_ID,
    USER_ID,
    FakeDiscord,
)
from tests.discord.payloads import press, slash, submit

GUILD = str(GUILD_ID)
BRAG = str(CHANNEL_ID)
MANAGE_SERVER = discord.Permissions(manage_guild=True).value
EVERYTHING_BUT = discord.Permissions.all_channel().value  # channel powers, no Manage Server
SAM_ID = USER_ID + 1
OPENING = [Reply(heading="Brag thread: week of 09 March 2026", text="It's brag time!")]
NO_PINGS: dict[str, list[str]] = {"parse": []}
SUPPRESS_EMBEDS, EPHEMERAL = 4, 64
TADA = "🎉"
NOT_ADMIN = "Only this community's admins"


@pytest.fixture
async def messenger(fake: FakeDiscord, settings: Settings) -> AsyncIterator[DiscordMessenger]:
    """A messenger with its own REST session, as a second instance would have."""
    async with DiscordMessenger.connect(discord_config(settings), clock=lambda: NOW) as made:
        yield made


@pytest.fixture
async def client(services: Services) -> AsyncIterator[Client]:
    """A client around the real engine."""
    async with started(services) as running:
        yield running


def buttons(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for row in body.get("components", []) for item in row["components"]]


def as_message(body: dict[str, Any], message_id: str = "9") -> dict[str, Any]:
    """An ephemeral answer's body as the message object a button press carries."""
    return {**body, "id": message_id, "channel_id": BRAG, "author": BOT_USER,
            "timestamp": "2026-03-10T14:30:00+00:00", "type": 0, "flags": EPHEMERAL}  # fmt: skip


# The messenger as publisher.


async def test_the_messenger_is_a_publisher(messenger: DiscordMessenger) -> None:
    assert isinstance(messenger, Publisher)


async def test_opening_posts_in_the_channel_and_starts_a_thread_from_it(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    thread = await messenger.open_thread(GUILD, BRAG, OPENING, "bb-post-1")

    [opening] = fake.find("POST", rf"/channels/{BRAG}/messages")
    assert opening.body["content"] == "**Brag thread: week of 09 March 2026**\nIt's brag time!"
    assert opening.body["allowed_mentions"] == NO_PINGS
    assert opening.body["flags"] == SUPPRESS_EMBEDS
    assert opening.body["nonce"] == nonce_for("bb-post-1", 0)
    assert opening.body["enforce_nonce"] is True
    assert "components" not in opening.body or opening.body["components"] == []
    message_id = fake.messages[CHANNEL_ID][0]["id"]
    [started] = fake.find("POST", rf"/channels/{BRAG}/messages/{message_id}/threads")
    assert started.body["name"] == "Brag thread: week of 09 March 2026"
    assert started.body["auto_archive_duration"] == 10080  # open all week
    assert thread == message_id  # Discord gives the thread its opening's id
    assert fake.threads[int(thread)]["parent_id"] == BRAG


async def test_a_retried_opening_posts_once_and_finds_its_thread(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    first = await messenger.open_thread(GUILD, BRAG, OPENING, "bb-post-1")
    again = await messenger.open_thread(GUILD, BRAG, OPENING, "bb-post-1")
    assert first == again
    assert len(fake.messages[CHANNEL_ID]) == 1
    assert len(fake.threads) == 1


async def test_a_long_heading_is_trimmed_to_a_thread_name(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    heading = "Brag thread " + "x" * 150
    await messenger.open_thread(GUILD, BRAG, [Reply(heading=heading, text="Hi")], "k")
    [started] = fake.find("POST", r"/channels/\d+/messages/\d+/threads")
    name = started.body["name"]
    assert len(name) == 100 and name.endswith(texts().ellipsis)


async def test_a_post_goes_into_the_thread_gets_a_tada_and_can_be_taken_down(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    thread = await messenger.open_thread(GUILD, BRAG, OPENING, "bb-post-1")
    win = [Reply(text="Ada shared a win: @everyone <@123> [bank](https://evil.example)")]

    posted = await messenger.post(GUILD, BRAG, thread, win, "bb-post-2")
    await messenger.react(GUILD, BRAG, thread, posted, "tada")

    [body] = fake.channel_posts(int(thread))
    assert body["content"] == (
        "Ada shared a win: \\@everyone \\<\\@123> \\[bank\\](https://evil.example)"
    )
    assert body["allowed_mentions"] == NO_PINGS
    assert body["flags"] == SUPPRESS_EMBEDS  # no preview of the link
    assert fake.reactions == [(int(thread), int(posted), TADA)]

    await messenger.delete(GUILD, BRAG, thread, posted)
    await messenger.delete(GUILD, BRAG, thread, posted)  # already gone: fine
    assert fake.deleted == [(int(thread), int(posted))]
    assert fake.messages[int(thread)] == []


async def test_a_post_in_a_deleted_thread_is_gone_already(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    fake.fail("DELETE", r"/channels/\d+/messages/\d+", 404, {"message": "x", "code": 10003})
    await messenger.delete(GUILD, BRAG, "1500000000000000099", "1500000000000000100")


async def test_a_long_post_is_one_message_within_discords_limit(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    thread = await messenger.open_thread(GUILD, BRAG, OPENING, "k1")
    await messenger.post(GUILD, BRAG, thread, [Reply(text="word <@1> " * 400)], "k2")
    [body] = fake.channel_posts(int(thread))
    assert len(body["content"]) <= CONTENT_LIMIT
    assert body["content"].endswith(texts().ellipsis)


async def test_an_archived_thread_is_reopened_to_react_and_delete(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    thread = await messenger.open_thread(GUILD, BRAG, OPENING, "k1")
    posted = await messenger.post(GUILD, BRAG, thread, [Reply(text="A win")], "k2")
    fake.archive(int(thread))

    await messenger.react(GUILD, BRAG, thread, posted, "tada")
    fake.archive(int(thread))
    await messenger.delete(GUILD, BRAG, thread, posted)

    unarchived = fake.find("PATCH", rf"/channels/{thread}")
    assert [call.body for call in unarchived] == [{"archived": False}] * 2
    assert fake.reactions == [(int(thread), int(posted), TADA)]
    assert fake.deleted == [(int(thread), int(posted))]


async def test_an_unknown_emoji_name_adds_nothing(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    thread = await messenger.open_thread(GUILD, BRAG, OPENING, "k1")
    posted = await messenger.post(GUILD, BRAG, thread, [Reply(text="A win")], "k2")
    await messenger.react(GUILD, BRAG, thread, posted, "no-such-emoji")
    assert fake.reactions == []


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        (403, 50001, "missing_access"),
        (403, 50013, "missing_permissions"),
        (404, 10003, "unknown_channel"),
        (400, 50024, "wrong_channel_type"),
    ],
)
async def test_refusals_no_retry_can_fix_are_permanent(
    messenger: DiscordMessenger, fake: FakeDiscord, status: int, code: int, reason: str
) -> None:
    fake.fail(
        "POST", r"/channels/\d+/messages/\d+/threads", status, {"message": "no", "code": code}
    )
    with pytest.raises(PermanentDeliveryError) as caught:
        await messenger.open_thread(GUILD, BRAG, OPENING, "k")
    assert str(caught.value).split()[0] == reason  # the code the dispatcher records


async def test_server_errors_and_long_rate_limits_are_retried_later(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    thread = await messenger.open_thread(GUILD, BRAG, OPENING, "k1")
    fake.fail("POST", rf"/channels/{thread}/messages", 503, {"message": "down", "code": 0})
    with pytest.raises(DeliveryError) as failed:
        await messenger.post(GUILD, BRAG, thread, [Reply(text="A win")], "k2")
    assert not isinstance(failed.value, PermanentDeliveryError)

    fake.rate_limit("PUT", r"/channels/\d+/messages/\d+/reactions/.+/@me", retry_after=120.0)
    posted = await messenger.post(GUILD, BRAG, thread, [Reply(text="A win")], "k2")
    with pytest.raises(DeliveryError) as limited:
        await messenger.react(GUILD, BRAG, thread, posted, "tada")
    assert limited.value.retry_after == 120.0


async def test_a_malformed_channel_is_permanent(messenger: DiscordMessenger) -> None:
    with pytest.raises(PermanentDeliveryError):
        await messenger.open_thread(GUILD, "C-not-discord", OPENING, "k")


def test_the_documented_invite_asks_for_exactly_the_brag_and_practice_permissions() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "discord.md").read_text("utf-8")
    [invite] = re.findall(r"authorize\?\S*permissions=(\d+)", guide)
    assert int(invite) == INVITE_PERMISSIONS.value == 377957190720
    assert INVITE_PERMISSIONS.value & BRAG_PERMISSIONS.value == BRAG_PERMISSIONS.value
    assert INVITE_PERMISSIONS.create_private_threads and not INVITE_PERMISSIONS.manage_threads


# Admin settings from real interactions, with the real engine.


async def test_only_members_with_manage_server_see_and_change_the_settings(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    # Lots of channel powers, but not Manage Server: refused.
    await interact(client, slash("bounceback", {"text": "admin"}, permissions=EVERYTHING_BUT))
    refused = fake.callbacks()[-1]["data"]
    assert refused["content"].startswith(NOT_ADMIN) and refused["flags"] & EPHEMERAL

    await interact(client, slash("bounceback", {"text": "admin"}, permissions=MANAGE_SERVER))
    shown = fake.callbacks()[-1]["data"]
    assert shown["flags"] & EPHEMERAL
    assert shown["content"].startswith("**Bounceback settings for this community**")
    # The settings stay in the server: a press in a DM could not show the permission.
    assert fake.channel_posts() == []
    change, *_ = buttons(shown)
    assert change["custom_id"] == "bb:admin.settings:"

    # The button, pressed by someone without the permission: refused again.
    await interact(client, press(change["custom_id"], as_message(shown), user_id=SAM_ID))
    assert fake.callbacks()[-1]["data"]["content"].startswith(NOT_ADMIN)

    # By the admin: the form, two pages of it, and the change is saved.
    await interact(client, press(change["custom_id"], as_message(shown), permissions=MANAGE_SERVER))
    page_one = fake.callbacks()[-1]
    assert page_one["type"] == 9
    await interact(
        client, submit(page_one["data"], {"brag_time": "09:30"}, permissions=MANAGE_SERVER)
    )
    more = fake.callbacks()[-1]["data"]
    [next_page] = buttons(more)
    await interact(
        client, press(next_page["custom_id"], as_message(more, "10"), permissions=MANAGE_SERVER)
    )
    page_two = fake.callbacks()[-1]
    assert page_two["type"] == 9
    await interact(client, submit(page_two["data"], {}, permissions=MANAGE_SERVER))
    assert fake.callbacks()[-1]["data"]["content"].startswith("Saved.")
    community = await services.store.community("discord", GUILD, "UTC", NOW)
    assert community.brag_time == dt.time(9, 30)


async def test_a_form_submitted_without_the_permission_is_refused(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    settings = {"content": "Settings", "components": [{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "Change settings", "custom_id": "bb:admin.settings:"},
    ]}]}  # fmt: skip
    await interact(client, press("bb:admin.settings:", as_message(settings),
                                 permissions=MANAGE_SERVER))  # fmt: skip
    page_one = fake.callbacks()[-1]["data"]
    await interact(client, submit(page_one, {"brag_time": "07:00"}, permissions=MANAGE_SERVER))
    [next_page] = buttons(fake.callbacks()[-1]["data"])
    more = as_message(fake.callbacks()[-1]["data"], "10")
    await interact(client, press(next_page["custom_id"], more, permissions=MANAGE_SERVER))
    page_two = fake.callbacks()[-1]["data"]

    # The permission was taken away before the form came back: the engine checks again.
    await interact(client, submit(page_two, {}))
    assert fake.callbacks()[-1]["data"]["content"].startswith(NOT_ADMIN)
    community = await services.store.community("discord", GUILD, "UTC", NOW)
    assert community.brag_time == dt.time(10, 0)


async def test_admin_here_sets_the_brag_channel_to_where_it_was_typed(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    await interact(client, slash("bounceback", {"text": "admin here"}))  # no permission
    assert fake.callbacks()[-1]["data"]["content"].startswith(NOT_ADMIN)
    community = await services.store.community("discord", GUILD, "UTC", NOW)
    assert community.brag_channel == ""

    await interact(client, slash("bounceback", {"text": "admin here"}, permissions=MANAGE_SERVER))
    assert fake.callbacks()[-1]["data"]["content"].startswith("Done: the weekly brag thread")
    community = await services.store.community("discord", GUILD, "UTC", NOW)
    assert community.brag_channel == BRAG

    # Typed in a thread: the thread's channel (a thread cannot hold the weekly threads).
    other = CHANNEL_ID + 5
    await interact(
        client,
        slash("bounceback", {"text": "admin here"}, permissions=MANAGE_SERVER, thread_of=other),
    )
    community = await services.store.community("discord", GUILD, "UTC", NOW)
    assert community.brag_channel == str(other)


async def test_no_one_is_an_admin_in_a_dm(client: Client, fake: FakeDiscord) -> None:
    dm = fake.dm_channel(USER_ID)
    await interact(client, slash("bounceback", {"text": "admin here"}, guild_id=None,
                                 dm_channel=dm, permissions=MANAGE_SERVER))  # fmt: skip
    assert fake.callbacks()[-1]["data"]["content"].startswith(NOT_ADMIN)


# The whole flow: real engine, store, outbox and dispatcher.


def share_button(fake: FakeDiscord) -> tuple[str, dict[str, Any]]:
    """The latest "Share it" button in the person's DM, and its message."""
    dm = fake.dm_channel(USER_ID)
    for message in reversed(fake.messages[dm]):
        for button in buttons(message):
            if ":community.share:" in button.get("custom_id", ""):
                return button["custom_id"], message
    raise AssertionError("no Share it button in the DM")


async def test_the_weekly_thread_and_shared_wins_from_interactions_to_discord(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    await interact(client, slash("bounceback", {"text": "admin here"}, permissions=MANAGE_SERVER))
    # Set up on a Tuesday, the first thread is next Monday's: the admin opens this week's now.
    await interact(client, slash("bounceback", {"text": "admin"}, permissions=MANAGE_SERVER))
    shown = fake.callbacks()[-1]["data"]
    [now] = [b["custom_id"] for b in buttons(shown) if ":admin.brag_open:" in b["custom_id"]]
    await interact(client, press(now, as_message(shown), permissions=MANAGE_SERVER))
    async with DiscordMessenger.connect(
        discord_config(services.settings), reach=Reach(services.store), clock=lambda: NOW
    ) as elsewhere:
        # Two instances: one on the gateway client's REST session, one on its own.
        here = services.dispatcher({"discord": client.messenger(Reach(services.store))})
        there = services.dispatcher({"discord": elsewhere})

        def at(minutes: int) -> dt.datetime:
            return NOW + dt.timedelta(minutes=minutes)

        await here.tick(at(0))
        await there.tick(at(1))
        await here.tick(at(2))
        [thread_id] = fake.threads
        assert len(fake.find("POST", r"/channels/\d+/messages/\d+/threads")) == 1
        [opening] = fake.channel_posts(CHANNEL_ID)
        assert opening["content"].startswith("**Brag thread: week of 9 March 2026**")
        assert opening["allowed_mentions"] == NO_PINGS

        # A win is asked about in the DM, and stays private until the yes.
        await interact(client, slash("brag", {"text": "Got a callback from Acme"}))
        custom_id, asked = share_button(fake)
        await there.tick(at(3))
        assert fake.channel_posts(thread_id) == []

        dm = fake.dm_channel(USER_ID)
        await interact(client, press(custom_id, asked, guild_id=None, dm_channel=dm))
        await there.tick(at(4))
        [shared] = fake.channel_posts(thread_id)
        assert shared["content"] == "Ada shared a win: Got a callback from Acme"
        posted = int(fake.messages[thread_id][0]["id"])
        assert fake.reactions == [(thread_id, posted, TADA)]

        # Removing the win takes the post down on the next tick.
        await interact(client, slash("brag", {"text": "remove 1"}))
        await here.tick(at(5))
        assert fake.deleted == [(thread_id, posted)]
        assert fake.find("DELETE", rf"/channels/{thread_id}/messages/{posted}")

        # Whatever a win says, it is posted inert.
        evil = "@everyone <@123> [bank](https://evil.example)"
        await interact(client, slash("brag", {"text": evil}))
        custom_id, asked = share_button(fake)
        await interact(client, press(custom_id, asked, guild_id=None, dm_channel=dm))
        await here.tick(at(6))
        inert = fake.channel_posts(thread_id)[-1]
        assert inert["content"] == "Ada shared a win: " + escape(evil)
        assert inert["content"] == (
            "Ada shared a win: \\@everyone \\<\\@123> \\[bank\\](https://evil.example)"
        )
        assert inert["allowed_mentions"] == NO_PINGS
        assert inert["flags"] == SUPPRESS_EMBEDS
        assert "components" not in inert or inert["components"] == []
        assert len(fake.threads) == 1  # still one thread for the week
