"""Privacy and safety end to end: ``serve`` with the real engine and SQL store (``open_services``
on a temporary SQLite file), driven through the fake Discord's gateway and REST API."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from sqlalchemy import func, select

from bounceback.bootstrap import Services
from storage.tables import PersonRow, RejectionRow, WinRow
from tests import kept_nowhere
from tests.discord.conftest import running
from tests.discord.fake_discord import CHANNEL_ID, GUILD_ID, OTHER_GUILD_ID, USER_ID, FakeDiscord
from tests.discord.payloads import dm_message, guild_create, guild_delete, slash

EPHEMERAL = 64
NO_PINGS: dict[str, list[str]] = {"parse": []}
CARE_OPENING = "I'm really sorry you're feeling this way."


@pytest.fixture(autouse=True)
def _gateway_is_the_fake(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py connects to ``DEFAULT_GATEWAY`` (Discord's): point it at the fake."""
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.ws_url))


def watch_every_log(caplog: pytest.LogCaptureFixture) -> None:
    """Everything at DEBUG, discord.py's too. ``serve`` still keeps discord.py's own DEBUG lines
    (raw gateway events, so people's words) out, by design."""
    kept_nowhere.watch_every_log(caplog, "discord")


async def count(services: Services, table: Any) -> int:
    async with services.db.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


def assert_kept_nowhere(
    words: str, fake: FakeDiscord, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Not in any request the adapter made (files too), not in the logs, not in the database."""
    sent: list[tuple[str, object]] = []
    for call in fake.calls:
        sent += [(call.path, call.body), *((call.path, file.content) for file in call.files)]
    kept_nowhere.assert_kept_nowhere(words, sent, caplog, tmp_path)


@pytest.mark.parametrize(
    ("command", "options", "words"),
    [
        ("brag", {"text": "I want to die"}, "I want to die"),
        # Every required option given: a form submission, checked field by field.
        ("rejected", {"stage": "interview", "feeling": "1", "company": "I can't go on"},
         "I can't go on"),
    ],
)  # fmt: skip
async def test_crisis_words_in_a_server_get_a_caring_answer_only_they_see(
    services: Services,
    fake: FakeDiscord,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    command: str,
    options: dict[str, str],
    words: str,
) -> None:
    watch_every_log(caplog)
    async with running(services, fake):
        await fake.dispatch("INTERACTION_CREATE", slash(command, options))
        await fake.wait_for(lambda f: bool(f.followups()))
    assert logging.getLogger("discord").getEffectiveLevel() >= logging.INFO

    # The answer carries one-tap buttons (keep what was typed, carry on), so like every answer
    # with buttons it goes to their DMs; the server shows only them a pointer to it.
    [deferred] = fake.callbacks()
    assert deferred["type"] == 5
    assert deferred["data"]["flags"] & EPHEMERAL
    [answer] = fake.channel_posts()
    assert answer == fake.channel_posts(fake.dm_channel(USER_ID))[0]
    assert answer["allowed_mentions"] == NO_PINGS
    assert answer["content"].startswith(CARE_OPENING)
    assert "https://findahelpline.com" in answer["content"]
    assert answer["components"]
    [pointer] = fake.followups()
    assert CARE_OPENING not in pointer["content"]
    assert_kept_nowhere(words, fake, caplog, tmp_path)
    assert await count(services, WinRow) == 0
    assert await count(services, RejectionRow) == 0


async def test_crisis_words_in_a_dm_are_answered_in_that_dm_only(
    services: Services, fake: FakeDiscord, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    dm = fake.dm_channel(USER_ID)
    watch_every_log(caplog)
    async with running(services, fake):
        await fake.dispatch("MESSAGE_CREATE", dm_message("I feel suicidal", dm))
        await fake.wait_for(lambda f: bool(f.channel_posts(dm)))

    [answer] = fake.channel_posts()
    assert answer == fake.channel_posts(dm)[0]
    assert answer["content"].startswith(CARE_OPENING)
    assert answer["allowed_mentions"] == NO_PINGS
    assert fake.callbacks() == []
    assert fake.followups() == []
    assert_kept_nowhere("suicidal", fake, caplog, tmp_path)
    assert await count(services, WinRow) == 0


async def test_a_server_removing_the_bot_takes_its_peoples_data_an_outage_does_not(
    services: Services, fake: FakeDiscord
) -> None:
    async with running(services, fake):
        for guild_id in (GUILD_ID, OTHER_GUILD_ID):
            await fake.dispatch("GUILD_CREATE", guild_create(guild_id))
            brag = slash("brag", {"text": "shipped"}, guild_id=guild_id)
            await fake.dispatch("INTERACTION_CREATE", brag)
        # Someone who only ever talked to the bot in a DM belongs to no server.
        loner = USER_ID + 1
        in_dm = slash("progress", guild_id=None, user_id=loner, dm_channel=fake.dm_channel(loner))
        await fake.dispatch("INTERACTION_CREATE", in_dm)
        await fake.wait_for(lambda f: len(f.callbacks()) == 3)
        assert await count(services, PersonRow) == 3
        assert await count(services, WinRow) == 2

        await fake.dispatch("GUILD_DELETE", guild_delete(OTHER_GUILD_ID, outage=True))
        await fake.dispatch("GUILD_DELETE", guild_delete(GUILD_ID))
        # Gateway events are handled in order: once this is answered, both deletes were seen;
        # leaving ``running`` then waits for their handlers to finish.
        await fake.dispatch("INTERACTION_CREATE", slash("help", guild_id=OTHER_GUILD_ID))
        await fake.wait_for(lambda f: len(f.callbacks()) == 4)

    async with services.db.connect() as connection:
        left = (await connection.execute(select(PersonRow.community))).scalars().all()
    assert sorted(left) == sorted([str(OTHER_GUILD_ID), "dm"])
    assert await count(services, WinRow) == 1
    assert fake.channel_posts(CHANNEL_ID) == []
