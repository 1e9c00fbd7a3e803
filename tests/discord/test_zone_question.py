"""Discord never says where a member lives: their first /rejected asks, once, with a few zones
guessed from their Discord locale and the server's own zone preselected.

The real engine and SQL store, the fake Discord API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.model import ZoneSource
from bounceback.bootstrap import Services
from tests.discord.conftest import NOW, Client, interact, started
from tests.discord.fake_discord import FakeDiscord
from tests.discord.payloads import slash, submit
from tests.discord.test_engine_e2e import ADA


@pytest.fixture
async def client(services: Services) -> AsyncIterator[Client]:
    """A client around the real engine."""
    async with started(services) as running:
        yield running


def in_german(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "locale": "de"}


async def test_the_first_rejected_asks_the_zone_once(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    await interact(client, in_german(slash("rejected", {"stage": "interview", "feeling": "3"})))
    modal = fake.callbacks()[-1]["data"]
    [zone] = [
        c["component"] for c in modal["components"] if c["component"]["custom_id"] == "timezone"
    ]
    assert zone["type"] == 3  # a select menu
    options = {option["value"]: option for option in zone["options"]}
    assert options["UTC"].get("default") is True  # the server's zone, preselected
    assert {"Europe/Berlin", "Europe/Vienna", "Europe/Zurich"} <= options.keys()

    await interact(client, submit(modal, {"company": "Acme", "timezone": "Europe/Vienna"}))

    person = await services.store.person(ADA, "UTC", NOW)
    assert (person.timezone, person.timezone_source) == ("Europe/Vienna", ZoneSource.PERSON)
    planned = await services.store.planned(person.id)
    assert planned and {m.zone for m in planned} == {"Europe/Vienna"}

    await interact(client, in_german(slash("rejected", {"stage": "interview", "feeling": "3"})))
    again = fake.callbacks()[-1]["data"]
    assert "timezone" not in [c["component"]["custom_id"] for c in again["components"]]
