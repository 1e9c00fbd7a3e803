"""``DiscordMessenger``: scheduled DMs over REST only, idempotent, and honest about failures."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from adapters.discord.messenger import DiscordMessenger
from adapters.discord.translate import nonce_for
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.events import Sender
from bot.reach import Reach
from bot.replies import Button, Field, Form, Reply
from bounceback.cli import discord_config
from bounceback.settings import Settings
from tests.discord.conftest import NOW
from tests.discord.fake_discord import GUILD_ID, USER_ID, FakeDiscord
from tests.fakes import MemoryStore

ADA = Sender("discord", str(GUILD_ID), str(USER_ID), "Ada")
CHECK_IN = [
    Reply(text="How are you today?", buttons=(Button("1: awful", "checkin.mood", "1"),
                                              Button("5: good", "checkin.mood", "5"))),
]  # fmt: skip
POSTS = r"/channels/\d+/messages"


@pytest.fixture
async def messenger(
    fake: FakeDiscord, settings: Settings, people: MemoryStore
) -> AsyncIterator[DiscordMessenger]:
    """A messenger with its own REST session: no gateway anywhere."""
    async with DiscordMessenger.connect(
        discord_config(settings), reach=Reach(people), clock=lambda: NOW
    ) as made:
        yield made


async def test_a_check_in_arrives_as_a_dm_with_buttons_for_the_server(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    message_id = await messenger.deliver(ADA, CHECK_IN, "checkin:42:2026-03-10")
    dm = fake.dm_channel(USER_ID)
    [post] = fake.channel_posts(dm)
    assert message_id == fake.messages[dm][-1]["id"]
    assert post["content"] == "How are you today?"
    assert post["nonce"] == nonce_for("checkin:42:2026-03-10", 0)
    assert post["enforce_nonce"] is True
    assert post["allowed_mentions"] == {"parse": []}
    custom_ids = [b["custom_id"] for row in post["components"] for b in row["components"]]
    assert custom_ids == [f"bb@{GUILD_ID}:checkin.mood:1", f"bb@{GUILD_ID}:checkin.mood:5"]
    assert not fake.find("GET", "/gateway/bot")  # REST only


async def test_a_retried_delivery_posts_once(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    first = await messenger.deliver(ADA, CHECK_IN, "checkin:42:2026-03-10")
    again = await messenger.deliver(ADA, CHECK_IN, "checkin:42:2026-03-10")
    assert first == again
    assert len(fake.channel_posts()) == 2  # asked twice,
    assert len(fake.messages[fake.dm_channel(USER_ID)]) == 1  # created once
    await messenger.deliver(ADA, CHECK_IN, "checkin:42:2026-03-11")
    assert len(fake.messages[fake.dm_channel(USER_ID)]) == 2


async def test_a_429_is_waited_out_and_the_message_still_goes(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    fake.rate_limit("POST", POSTS, retry_after=0.0)
    message_id = await messenger.deliver(ADA, CHECK_IN, "k")
    assert len(fake.find("POST", POSTS)) == 2
    [stored] = fake.messages[fake.dm_channel(USER_ID)]
    assert stored["id"] == message_id


async def test_a_long_rate_limit_goes_back_to_the_scheduler(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    fake.rate_limit("POST", POSTS, retry_after=120.0)
    with pytest.raises(DeliveryError) as caught:
        await messenger.deliver(ADA, CHECK_IN, "k")
    assert caught.value.retry_after == 120.0
    assert not isinstance(caught.value, PermanentDeliveryError)


async def test_closed_dms_are_permanent_recorded_and_not_tried_again(
    messenger: DiscordMessenger, fake: FakeDiscord, people: MemoryStore
) -> None:
    fake.closed_dms.add(USER_ID)
    with pytest.raises(PermanentDeliveryError) as caught:
        await messenger.deliver(ADA, CHECK_IN, "k")
    assert str(caught.value).split()[0] == "dms_closed"  # the code the dispatcher records
    person = await people.person(ADA, "UTC", NOW)
    assert person.unreachable == "dms_closed"
    tries = len(fake.find("POST", POSTS))
    with pytest.raises(PermanentDeliveryError):
        await messenger.deliver(ADA, CHECK_IN, "k2")
    assert len(fake.find("POST", POSTS)) == tries


async def test_a_server_error_is_worth_retrying(
    messenger: DiscordMessenger, fake: FakeDiscord
) -> None:
    fake.fail("POST", POSTS, 503, {"message": "upstream unavailable", "code": 0})
    with pytest.raises(DeliveryError) as caught:
        await messenger.deliver(ADA, CHECK_IN, "k")
    assert not isinstance(caught.value, PermanentDeliveryError)
    assert "503" in str(caught.value)


async def test_a_form_in_a_scheduled_reply_is_left_out_but_its_words_go(
    messenger: DiscordMessenger, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    form = Form("checkin", "Check in", (Field("mood", "Mood"),))
    with caplog.at_level(logging.WARNING):
        await messenger.deliver(ADA, [Reply(text="Time to check in", form=form)], "k")
    assert [p["content"] for p in fake.channel_posts()] == ["Time to check in"]
    assert "form was left out" in caplog.text


async def test_only_discord_people(messenger: DiscordMessenger) -> None:
    with pytest.raises(ValueError, match="slack"):
        await messenger.deliver(Sender("slack", "T1", "U1"), CHECK_IN, "k")
