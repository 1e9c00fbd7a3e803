"""Every button the bot ever sent still works after a restart, the long ones included: a form
too long for one modal, and a refused form to fix, keep their meaning in the database.

The real engine and SQL store, the fake Discord API; each step runs on a freshly started client.
"""

from __future__ import annotations

from typing import Any

from adapters.discord.pending import ChoiceMemo, FormSession, decode, encode
from bot import rejection
from bot.content import Content
from bot.events import Choice, Command, FormSubmission
from bot.replies import Button, Field, FieldKind, Form, Option, Reply
from bounceback.bootstrap import Services
from tests.discord.conftest import NOW, Client, FakeHandler, MakeClient, interact, start
from tests.discord.fake_discord import BOT_USER, GUILD_ID, USER_ID, FakeDiscord
from tests.discord.payloads import press, slash, submit
from tests.discord.test_engine_e2e import ADA
from tests.fakes import MemoryStore

TEXTS_EXPIRED = "expired"  # the words a lost button used to answer with


def posted(data: dict[str, Any], message_id: str) -> dict[str, Any]:
    """A callback's message as Discord would hand it back with a press on it."""
    return {**data, "id": message_id, "channel_id": "1", "author": BOT_USER,
            "timestamp": "2026-03-10T14:30:00+00:00", "type": 0}  # fmt: skip


def long_buttons(data: dict[str, Any]) -> list[str]:
    return [
        button["custom_id"]
        for row in data.get("components", [])
        for button in row["components"]
        if str(button.get("custom_id", "")).startswith("bbx:")
    ]


async def restarted(services: Services, previous: Client) -> Client:
    await previous.close()
    return await start(services)


async def test_a_long_form_and_a_long_choice_survive_restarts(
    make_client: MakeClient,
    fake: FakeDiscord,
    handler: FakeHandler,
    people: MemoryStore,
    content: Content,
) -> None:
    long_value = "x" * 120  # too long for a custom id: the button's meaning is stored
    handler.answer = lambda event: (
        [Reply(form=rejection.form(content))]
        if isinstance(event, Command)
        else [Reply(text="saved", buttons=(Button("Again", "plan.snooze", long_value),))]
        if isinstance(event, FormSubmission)
        else [Reply(text="pressed")]
    )
    # Each step on a new client: nothing but the store outlives a "process".
    client = await make_client(memos=people)
    await interact(client, slash("checkin"))
    first = fake.callbacks()[-1]["data"]
    assert first["custom_id"].startswith("bbf#")

    client = await make_client(memos=people)
    await interact(client, submit(first, {"company": "Acme", "stage": "final_round"}))
    more = fake.callbacks()[-1]["data"]
    assert TEXTS_EXPIRED not in more["content"]
    [go_on] = long_buttons(more)

    client = await make_client(memos=people)
    await interact(client, press(go_on, posted(more, "6")))
    second = fake.callbacks()[-1]
    assert second["type"] == 9  # the second page opens
    assert [c["component"]["custom_id"] for c in second["data"]["components"]] == ["feeling"]

    client = await make_client(memos=people)
    await interact(client, submit(second["data"], {"feeling": "4"}))
    assert handler.events[-1] == FormSubmission(
        ADA, "rejection",
        {"company": "Acme", "role": "", "stage": "final_round", "rejected_on": "",
         "interviewer": "", "feeling": "4"},
    )  # fmt: skip
    # Words with buttons go to the DM, where the long one is pressed, after a restart too.
    dm = fake.dm_channel(USER_ID)
    saved = fake.messages[dm][-1]
    [again] = long_buttons(saved)

    client = await make_client(memos=people)
    await interact(client, press(again, saved, guild_id=None, dm_channel=dm))
    assert handler.events[-1:] == [Choice(ADA, "plan.snooze", long_value)]


async def test_a_refused_form_can_be_fixed_after_a_restart(
    services: Services, fake: FakeDiscord
) -> None:
    client = await start(services)
    try:
        await interact(client, slash("rejected", {"stage": "interview", "feeling": "3"}))
        modal = fake.callbacks()[-1]["data"]
        await interact(client, submit(modal, {"company": "Acme", "rejected_on": "0001-01-01"}))
        refused = fake.callbacks()[-1]["data"]
        assert "check the year" in refused["content"]
        [fix] = long_buttons(refused)

        client = await restarted(services, client)
        await interact(client, press(fix, posted(refused, "7")))
        reopened = fake.callbacks()[-1]
        assert reopened["type"] == 9
        [field] = reopened["data"]["components"]
        assert field["component"]["value"] == "0001-01-01"  # what they typed, kept

        client = await restarted(services, client)
        await interact(client, submit(reopened["data"], {"rejected_on": "2026-03-02"}))
        person = await services.store.person(ADA, "UTC", NOW)
        [rejection] = await services.store.rejections(person.id)
        assert rejection.rejected_on.isoformat() == "2026-03-02"
    finally:
        await client.close()


def test_what_is_stored_reads_back_the_same() -> None:
    form = Form(
        "rejection",
        "Log a rejection",
        (
            Field("company", "Company", required=True, max_length=100, initial="Acme"),
            Field("stage", "Stage", FieldKind.CHOICE, options=(Option("interview", "Interview"),)),
        ),
        context="7",
        errors={"company": "Company is needed."},
    )
    for entry in (
        FormSession(form, {"company": "Ac\u00e9me", "note": "line\nbreak"}, str(GUILD_ID)),
        ChoiceMemo("plan.snooze", "x" * 300, str(GUILD_ID)),
    ):
        assert decode(encode(entry)) == entry
