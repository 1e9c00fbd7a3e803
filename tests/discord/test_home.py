"""``/home`` on Discord, around the real engine against the fake Discord API: answered privately
in the server with the home as an embed, the chart inside it and the home's buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bounceback.bootstrap import Services
from tests.discord.conftest import Client, interact, started
from tests.discord.fake_discord import CHANNEL_ID, FakeDiscord
from tests.discord.payloads import slash

EPHEMERAL = 64


@pytest.fixture
async def client(services: Services) -> AsyncIterator[Client]:
    """A client around the real engine."""
    async with started(services) as running:
        yield running


def answer(fake: FakeDiscord) -> tuple[dict[str, Any], list[Any]]:
    """The one answer to the last interaction: its message body and its files."""
    [call] = [c for c in fake.calls if c.path.endswith("/callback")][-1:]
    return call.body["data"], call.files


async def test_a_newcomer_gets_the_welcome_privately(client: Client, fake: FakeDiscord) -> None:
    await interact(client, slash("home"))

    data, files = answer(fake)
    assert data["flags"] & EPHEMERAL
    [card] = data["embeds"]
    assert card["title"] == "Welcome to Bounceback"
    assert any(field["name"] == "How to start" for field in card["fields"])
    labels = [b["label"] for row in data["components"] for b in row["components"]]
    assert labels == ["Log a rejection", "Add a win"]
    assert files == []  # nothing to draw yet
    assert fake.channel_posts(CHANNEL_ID) == []


async def test_a_member_gets_their_journey_with_the_chart_in_the_embed(
    client: Client, fake: FakeDiscord
) -> None:
    await interact(client, slash("brag", {"text": "Shipped the release"}))
    await interact(client, slash("checkin", {"text": "4"}))

    await interact(client, slash("home"))

    data, files = answer(fake)
    assert data["flags"] & EPHEMERAL
    [card] = data["embeds"]
    assert card["title"] == "Your journey"
    [glance] = [field for field in card["fields"] if field["name"] == "At a glance"]
    assert "Wins on your bragging list: 1" in glance["value"]
    [picture] = files
    assert picture.content.startswith(b"\x89PNG") and len(picture.content) < 100_000
    assert card["image"]["url"] == f"attachment://{picture.filename}"
    assert card["footer"]["text"].startswith("One mood logged, 4 out of 5")
    custom_ids = [b["custom_id"] for row in data["components"] for b in row["components"]]
    assert "bb:home.do:export" in custom_ids
    assert "bb:home.do:pause" in custom_ids
    assert fake.channel_posts(CHANNEL_ID) == []
