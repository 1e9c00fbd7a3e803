"""The adapter around the real engine and SQL store (``open_services`` on a temporary SQLite
file), against the fake Discord API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.discord import DiscordMessenger
from adapters.discord.render import CONTENT_LIMIT
from bot.events import Sender
from bot.reach import Reach
from bot.replies import Button, Reply
from bounceback.bootstrap import Services
from bounceback.cli import discord_config
from tests.discord.conftest import NOW, Client, interact, message_in_dm, start, started
from tests.discord.fake_discord import GUILD_ID, USER_ID, FakeDiscord
from tests.discord.payloads import dm_message, press, slash, submit

ADA = Sender("discord", str(GUILD_ID), str(USER_ID), "Ada")


@pytest.fixture
async def client(services: Services) -> AsyncIterator[Client]:
    """A client around the real engine."""
    async with started(services) as running:
        yield running


def custom_ids(body: dict[str, Any]) -> list[str]:
    return [
        b.get("custom_id", b.get("url", ""))
        for row in body.get("components", [])
        for b in row["components"]
    ]


async def test_the_recovery_plan_from_slash_command_to_dm_and_back(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    # /rejected with the choices picked in the command bar: the modal asks the rest.
    await interact(client, slash("rejected", {"stage": "interview", "feeling": "2"}))
    modal = fake.callbacks()[-1]
    assert modal["type"] == 9
    # The time zone is asked once (Discord never tells it), the community's preselected.
    assert [c["component"]["custom_id"] for c in modal["data"]["components"]] == [
        "company", "role", "rejected_on", "interviewer", "timezone",
    ]  # fmt: skip

    await interact(
        client, submit(modal["data"], {"company": "Acme <@&1>", "interviewer": "Ms. Rivera"})
    )
    [rejection] = await services.store.rejections((await services.store.person(ADA, "UTC", NOW)).id)
    assert (rejection.company, rejection.stage.value, rejection.feeling) == (
        "Acme <@&1>",
        "interview",
        2,
    )

    # The plan has buttons, so it went to the DM; the server got a pointer.
    dm = fake.dm_channel(USER_ID)
    posts = fake.channel_posts(dm)
    # The company is named, and shown inert.
    assert posts[0]["content"].startswith("**I'm sorry about Acme \\<\\@&1>, Ada. That stings.**")
    assert all(len(p["content"]) <= CONTENT_LIMIT for p in posts)
    assert all(p["allowed_mentions"] == {"parse": []} for p in posts)
    everything = [cid for p in posts for cid in custom_ids(p)]
    assert f"bb@{GUILD_ID}:feedback.note:{rejection.id}" in everything
    assert f"bb@{GUILD_ID}:reflect:{rejection.id}:direct:yes" in everything
    assert fake.followups()[-1]["content"].startswith("I've sent my answer")

    # In the DM, after a restart: the note button drafts the notes (copyable quotes).
    await client.close()
    restarted = await start(services)
    try:
        note_post = next(
            p for p in posts if f"bb@{GUILD_ID}:feedback.note:{rejection.id}" in custom_ids(p)
        )
        message = fake.messages[dm][posts.index(note_post)]
        await interact(
            restarted, press(custom_ids(note_post)[0], message, guild_id=None, dm_channel=dm)
        )
        bodies = [fake.callbacks()[-1]["data"], *fake.followups()[-3:]]
        notes = "\n".join(b.get("content", "") for b in bodies)
        assert ">>> Subject: Thank you, and a quick request" in notes
        assert "Dear Ms. Rivera," in notes
        assert "Acme \\<\\@&1>" in notes  # the company, inert
        assert f"bb@{GUILD_ID}:feedback.sent:{rejection.id}" in [
            c for b in bodies for c in custom_ids(b)
        ]

        # A typed answer in the DM lands on the pending reflection question of Ada in the server.
        await message_in_dm(restarted, dm_message("I could have practised more", dm))
        reflections = await services.store.reflections(rejection.person_id)
        assert [(r.question, r.note) for r in reflections] == [
            ("direct", "I could have practised more")
        ]
    finally:
        await restarted.close()


async def test_progress_in_the_server_is_private(client: Client, fake: FakeDiscord) -> None:
    await interact(client, slash("brag", {"text": "Led the @everyone migration"}))
    await interact(client, slash("progress"))
    last = fake.callbacks()[-1]
    assert last["type"] == 4 and last["data"]["flags"] & 64
    assert "Wins on your bragging list: 1" in last["data"]["content"]


async def test_a_bad_date_in_the_command_reopens_the_form_to_fix_it(
    client: Client, fake: FakeDiscord
) -> None:
    options = {"stage": "final_round", "feeling": "3", "company": "Acme", "rejected_on": "someday"}
    await interact(client, slash("rejected", options))
    modal = fake.callbacks()[-1]
    assert modal["type"] == 9
    [field] = modal["data"]["components"]
    assert field["component"]["custom_id"] == "rejected_on"
    assert field["component"]["value"] == "someday"
    assert "YYYY-MM-DD" in field["description"]

    await interact(client, submit(modal["data"], {"rejected_on": "2026-03-01"}))
    assert fake.channel_posts(fake.dm_channel(USER_ID))  # saved: the plan went to the DM


async def test_a_check_in_button_sent_by_the_messenger_reaches_the_engine(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    check_in = [Reply(text="How are you today?", buttons=(Button("4: fine", "checkin.mood", "4"),))]
    async with DiscordMessenger.connect(
        discord_config(services.settings), reach=Reach(services.store), clock=lambda: NOW
    ) as messenger:
        await messenger.deliver(ADA, check_in, "checkin:1")
    dm = fake.dm_channel(USER_ID)
    sent = fake.messages[dm][-1]
    await interact(client, press(custom_ids(sent)[0], sent, guild_id=None, dm_channel=dm))
    person = await services.store.person(ADA, "UTC", NOW)
    assert [m.score for m in await services.store.moods(person.id, 5)] == [4]


async def test_closed_dms_reach_the_database(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    fake.closed_dms.add(USER_ID)
    await interact(
        client, slash("rejected", {"stage": "application", "feeling": "4", "company": "Acme"})
    )
    person = await services.store.person(ADA, "UTC", NOW)
    assert person.unreachable == "dms_closed"
    assert any(
        body["content"].startswith("I can't send you direct messages") for body in fake.followups()
    )


async def test_mydata_export_is_uploaded_to_the_dm_as_json(
    client: Client, fake: FakeDiscord
) -> None:
    await interact(client, slash("brag", {"text": "Shipped <@&1> the @everyone release"}))
    await interact(client, slash("mydata", {"text": "export"}))

    dm = fake.dm_channel(USER_ID)
    [upload] = [call for call in fake.calls if call.files]
    assert (upload.method, upload.path) == ("POST", f"/channels/{dm}/messages")
    assert upload.body["allowed_mentions"] == {"parse": []}
    assert upload.body["content"].startswith("Here is everything Bounceback stores about you")
    [file] = upload.files
    assert file.filename == "bounceback-my-data-2026-03-10.json"
    exported = json.loads(file.content)
    assert "Shipped <@&1> the @everyone release" in json.dumps(exported, ensure_ascii=False)
    # The server got only private answers: the win's, then the pointer to the DM.
    assert all(body["data"].get("flags", 0) & 64 for body in fake.callbacks())
    assert fake.followups()[-1]["content"].startswith("I've sent my answer")
    assert fake.channel_posts() == fake.channel_posts(dm)
