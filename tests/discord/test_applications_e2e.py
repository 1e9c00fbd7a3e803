"""``/applied`` on Discord, around the real engine and SQL store, against the fake Discord API:
the modal, one tap to a new stage, a rejection prefilled from the application, the CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.events import Sender
from bot.model import ApplicationStage
from bounceback.bootstrap import Services
from tests.application_journey import assert_rejection_settles_it
from tests.discord.conftest import NOW, Client, interact, started
from tests.discord.fake_discord import GUILD_ID, USER_ID, FakeDiscord
from tests.discord.payloads import press, slash, submit
from tests.discord.test_restarts import posted

ADA = Sender("discord", str(GUILD_ID), str(USER_ID), "Ada")


@pytest.fixture
async def client(services: Services) -> AsyncIterator[Client]:
    async with started(services) as running:
        yield running


def buttons(body: dict[str, Any]) -> dict[str, str]:
    """A message's buttons, label to custom id."""
    return {
        b["label"]: b["custom_id"]
        for row in body.get("components", [])
        for b in row["components"]
        if "custom_id" in b
    }


async def test_an_application_from_the_modal_to_a_rejection_with_nothing_retyped(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    await interact(client, slash("applied", {"text": "Acme <@&1>"}))
    modal = fake.callbacks()[-1]
    assert modal["type"] == 9
    fields = [c["component"]["custom_id"] for c in modal["data"]["components"]]
    assert fields[:5] == ["company", "role", "link", "applied_on", "adjacent"]
    assert modal["data"]["components"][0]["component"]["value"] == "Acme <@&1>"

    # A link that is not a web address: the form comes back to fix, nothing is saved.
    await interact(client, submit(modal["data"], {"role": "Analyst", "link": "javascript:x"}))
    refused = fake.callbacks()[-1]["data"]
    assert "starting with http:// or https://" in refused["content"]
    person = await services.store.person(ADA, "UTC", NOW)
    assert await services.store.applications(person.id) == []
    await interact(client, press(buttons(refused)["Fix it"], posted(refused, "5")))
    again = fake.callbacks()[-1]
    assert again["type"] == 9
    await interact(client, submit(again["data"], {"link": "https://acme.example/1"}))
    [application] = await services.store.applications(person.id)
    assert (application.company, application.role, application.link) == (
        "Acme <@&1>", "Analyst", "https://acme.example/1",
    )  # fmt: skip
    # Words with buttons go to the DM, where they stay private and easy to find.
    dm = fake.dm_channel(USER_ID)
    saved = fake.channel_posts(dm)[-1]
    assert saved["content"].startswith("Logged: Acme \\<\\@&1>")  # the company, inert
    assert saved["allowed_mentions"] == {"parse": []}

    # One tap in the DM: an interview.
    await interact(client, slash("applied", {"text": "list"}))
    row = fake.channel_posts(dm)[-1]
    message = fake.messages[dm][-1]
    assert "1\\. Acme \\<\\@&1>: Analyst · Applied · applied today (2026-03-10)" in row["content"]

    def tap(label: str) -> dict[str, Any]:
        return press(buttons(row)[label], message, guild_id=None, dm_channel=dm)

    await interact(client, tap("Interview"))
    [moved] = await services.store.applications(person.id)
    assert moved.stage is ApplicationStage.INTERVIEW

    # "Rejected": the rejection form with all that is known; one answer starts the plan.
    await interact(client, tap("Rejected"))
    form = fake.callbacks()[-1]
    assert form["type"] == 9
    known = {c["component"]["custom_id"]: c["component"] for c in form["data"]["components"]}
    assert known["company"]["value"] == "Acme <@&1>"
    assert known["role"]["value"] == "Analyst"
    await interact(client, submit(form["data"], {"feeling": "2"}, guild_id=None, dm_channel=dm))
    for _ in range(3):  # a long form comes in pages: each continues with a button
        last = fake.callbacks()[-1]
        if last["type"] == 9:
            await interact(client, submit(last["data"], {"feeling": "2"}, guild_id=None,
                                          dm_channel=dm))  # fmt: skip
        elif "Continue" in " ".join(buttons(last["data"])):
            label = next(k for k in buttons(last["data"]) if "Continue" in k)
            pressed = press(buttons(last["data"])[label], posted(last["data"], "7"),
                            guild_id=None, dm_channel=dm)  # fmt: skip
            await interact(client, pressed)
    await assert_rejection_settles_it(services.store, person.id, "Acme <@&1>")
    assert any("Acme" in p["content"] for p in fake.channel_posts(dm)[-4:])  # the plan


async def test_the_export_is_a_csv_file_in_the_dm(
    client: Client, fake: FakeDiscord, services: Services
) -> None:
    await interact(client, slash("applied", {"text": "Globex"}))
    await interact(client, submit(fake.callbacks()[-1]["data"], {}))
    await interact(client, slash("applied", {"text": "export"}))
    [upload] = [u for call in fake.calls for u in call.files if u.filename.endswith(".csv")]
    assert upload.content.decode("utf-8").splitlines()[1].startswith("1,Globex,")
