"""A person's file (``/mydata export``) reaches only them: uploaded to their DM, or in the
ephemeral answer when their DMs are closed, never in a channel others see."""

from __future__ import annotations

import json

from adapters.discord import DiscordMessenger
from adapters.discord.render import escape, render
from adapters.discord.texts import texts
from bot.events import Sender
from bot.replies import Attachment, Button, Reply
from bounceback.cli import discord_config
from bounceback.settings import Settings
from tests.discord.conftest import NOW, Client, FakeHandler, interact
from tests.discord.fake_discord import CHANNEL_ID, GUILD_ID, USER_ID, Call, FakeDiscord
from tests.discord.payloads import slash
from tests.fakes import MemoryStore

TEXTS = texts()
EPHEMERAL = 64
NO_PINGS: dict[str, list[str]] = {"parse": []}
EXPORT = Attachment(
    "bounceback-my-data-2026-03-10.json",
    json.dumps({"wins": ["<@&1> @everyone shipped it"]}).encode(),
)


def export_reply(private: bool = True) -> list[Reply]:
    return [Reply(text="Here is everything Bounceback stores about you.", attachment=EXPORT,
                  private=private)]  # fmt: skip


def uploads(fake: FakeDiscord) -> list[Call]:
    """Every request that carried a file, wherever it went."""
    return [call for call in fake.calls if call.files]


def assert_all_answers_private(fake: FakeDiscord) -> None:
    """The interaction was deferred ephemerally (so its original answer is ephemeral too),
    every follow-up is ephemeral, and nothing was posted in the server's channel."""
    assert fake.callbacks() == [{"type": 5, "data": {"flags": EPHEMERAL}}]
    followups = fake.find("POST", r"/webhooks/\d+/[^/]+")
    assert all(call.body["flags"] & EPHEMERAL for call in followups)
    assert fake.channel_posts(CHANNEL_ID) == []


def assert_uploaded_export(call: Call) -> None:
    [upload] = call.files
    assert upload.field == "files[0]"
    assert upload.filename == EXPORT.filename
    assert json.loads(upload.content) == json.loads(EXPORT.content)


def test_a_file_ends_its_message_and_survives_a_cut() -> None:
    messages = render([*export_reply(), Reply(text="after")], TEXTS)
    assert [(m.content, m.files) for m in messages] == [
        ("Here is everything Bounceback stores about you.", (EXPORT,)),
        ("after", ()),
    ]
    very_long = [Reply(text="word " * 10_000), Reply(attachment=EXPORT)]
    cut = render(very_long, TEXTS)
    assert cut[-1].files == (EXPORT,)
    assert cut[-1].content.endswith(escape(TEXTS.shortened))


async def test_an_export_asked_for_in_a_server_is_uploaded_to_the_dm(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    handler.answer = lambda event: export_reply()
    await interact(client, slash("mydata", {"text": "export"}))

    dm = fake.dm_channel(USER_ID)
    [upload] = uploads(fake)
    assert (upload.method, upload.path) == ("POST", f"/channels/{dm}/messages")
    assert upload.multipart
    assert upload.body["content"] == "Here is everything Bounceback stores about you."
    assert upload.body["allowed_mentions"] == NO_PINGS
    assert upload.body["attachments"] == [{"id": 0, "filename": EXPORT.filename}]
    assert_uploaded_export(upload)
    # The server only hears, privately, where the answer went.
    [pointer] = fake.followups()
    assert pointer["content"] == escape(TEXTS.sent_to_dms)
    assert_all_answers_private(fake)


async def test_with_dms_closed_the_file_comes_in_the_ephemeral_answer(
    client: Client, fake: FakeDiscord, handler: FakeHandler, people: MemoryStore
) -> None:
    fake.closed_dms.add(USER_ID)
    handler.answer = lambda event: export_reply()
    await interact(client, slash("mydata", {"text": "export"}))

    refused, answer = uploads(fake)
    assert refused.path == f"/channels/{fake.dm_channel(USER_ID)}/messages"  # tried, refused
    assert (answer.method, answer.path.endswith("/messages/@original")) == ("PATCH", True)
    assert_uploaded_export(answer)
    assert answer.body["allowed_mentions"] == NO_PINGS
    assert fake.followups()[-1]["content"] == escape(TEXTS.dms_closed)
    assert_all_answers_private(fake)
    assert next(iter(people.people.values())).unreachable == "dms_closed"


async def test_an_export_asked_for_in_the_dm_comes_with_the_answer_there(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    dm = fake.dm_channel(USER_ID)
    handler.answer = lambda event: export_reply()
    await interact(client, slash("mydata", {"text": "export"}, guild_id=None, dm_channel=dm))

    [upload] = uploads(fake)
    assert upload.path.endswith("/callback") and upload.multipart
    assert upload.body["type"] == 4
    assert upload.body["data"]["allowed_mentions"] == NO_PINGS
    assert_uploaded_export(upload)
    assert fake.find("POST", "/users/@me/channels") == []


async def test_a_file_goes_to_the_dm_even_in_a_reply_meant_for_the_channel(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    handler.answer = lambda event: [Reply(text="Congratulations!", private=False),
                                    *export_reply(private=False)]  # fmt: skip
    await interact(client, slash("mydata", {"text": "export"}))

    [upload] = uploads(fake)
    assert upload.path == f"/channels/{fake.dm_channel(USER_ID)}/messages"
    assert_all_answers_private(fake)


async def test_a_file_with_buttons_keeps_both_in_the_dm(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    handler.answer = lambda event: [
        Reply(text="Here it is.", attachment=EXPORT, buttons=(Button("Thanks", "ok", "1"),))
    ]
    await interact(client, slash("mydata", {"text": "export"}))
    [upload] = uploads(fake)
    assert_uploaded_export(upload)
    [row] = upload.body["components"]
    assert row["components"][0]["custom_id"] == f"bb@{GUILD_ID}:ok:1"


async def test_the_messenger_uploads_files_to_the_dm(settings: Settings, fake: FakeDiscord) -> None:
    ada = Sender("discord", str(GUILD_ID), str(USER_ID), "Ada")
    async with DiscordMessenger.connect(discord_config(settings), clock=lambda: NOW) as messenger:
        await messenger.deliver(ada, export_reply(), "export:1")
    [upload] = uploads(fake)
    assert upload.path == f"/channels/{fake.dm_channel(USER_ID)}/messages"
    assert upload.body["allowed_mentions"] == NO_PINGS
    assert upload.body["enforce_nonce"] is True
    assert_uploaded_export(upload)
