"""Real interaction payloads through discord.py's command tree, views and modals, answered
against the fake Discord API; the engine is a scripted fake here (see test_engine_e2e.py for
the real one)."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import pytest

from adapters.discord.render import CONTENT_LIMIT, escape
from adapters.discord.texts import texts
from adapters.discord.translate import parse_form_id
from bot import rejection
from bot.content import Content
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.forms import refused
from bot.replies import Button, Reply
from bounceback.cli import discord_config
from bounceback.settings import Settings
from tests.discord.conftest import (
    Client,
    FakeHandler,
    MakeClient,
    drain,
    interact,
    message_in_dm,
)
from tests.discord.fake_discord import APP_ID, BOT_USER, CHANNEL_ID, GUILD_ID, USER_ID, FakeDiscord
from tests.discord.payloads import dm_message, press, slash, submit
from tests.fakes import MemoryStore

TEXTS = texts()
EPHEMERAL, SUPPRESS_EMBEDS = 64, 4
NO_PINGS: dict[str, list[str]] = {"parse": []}
ADA = Sender("discord", str(GUILD_ID), str(USER_ID), "Ada")
# Commands carry the person's Discord locale (the payloads say en-US): a hint for their zone.
ASKING = Sender("discord", str(GUILD_ID), str(USER_ID), "Ada", locale="en-US")


def buttons(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a message payload, row by row."""
    return [item for row in body.get("components", []) for item in row["components"]]


def plan_replies() -> list[Reply]:
    """Replies with something to act on later: they belong in the person's DMs."""
    return [
        Reply(heading="I'm sorry, Ada.", text="Reaching the interview beats most applicants."),
        Reply(
            text="Want a note?", buttons=(Button("Draft my feedback note", "feedback.note", "7"),)
        ),
    ]


async def test_commands_are_published_for_servers_and_dms(
    client: Client, fake: FakeDiscord
) -> None:
    [sync] = fake.find("PUT", rf"/applications/{APP_ID}/commands")
    published = {command["name"]: command for command in sync.body}
    assert set(published) == {
        "rejected",
        "applied",
        "feedback",
        "brag",
        "progress",
        "checkin",
        "hired",
        "practice",
        "mydata",
        "bounceback",
        "help",
        "home",
    }
    for command in published.values():
        assert command["contexts"] == [0, 1]  # servers and DMs with the bot
        assert command["integration_types"] == [0]  # installed to servers
    options = {o["name"]: o for o in published["rejected"]["options"]}
    assert [c["value"] for c in options["stage"]["choices"]] == [
        "application", "phone_screen", "interview", "final_round", "offer_withdrawn",
    ]  # fmt: skip
    assert options["stage"]["required"] and options["feeling"]["required"]
    assert not options["company"]["required"]
    assert options["company"]["max_length"] == 100
    assert [o["name"] for o in published["brag"]["options"]] == ["text"]
    assert [o["name"] for o in published["applied"]["options"]] == ["text"]
    assert published["home"]["options"] == []
    assert [o["name"] for o in published["progress"]["options"]] == ["text"]  # "chart"


async def test_commands_go_to_one_server_when_asked(
    make_client: MakeClient, fake: FakeDiscord, settings: Settings
) -> None:
    one_guild = settings.model_copy(update={"discord_guild_id": GUILD_ID})
    client = await make_client(config=discord_config(one_guild))
    assert fake.find("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    assert not fake.find("PUT", rf"/applications/{APP_ID}/commands")
    await interact(client, slash("progress", command_guild=GUILD_ID))
    assert len(fake.callbacks()) == 1


async def test_a_command_in_a_server_is_answered_privately(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    handler.answer = lambda event: [Reply(heading="Your journey", text="Rejections logged: 2")]
    await interact(client, slash("progress"))
    assert handler.events == [Command(ASKING, "progress", "", channel=str(CHANNEL_ID))]
    assert fake.callbacks() == [
        {
            "type": 4,
            "data": {
                "tts": False,
                "content": "**Your journey**\nRejections logged: 2",
                "flags": EPHEMERAL | SUPPRESS_EMBEDS,
                "allowed_mentions": NO_PINGS,
            },
        }
    ]


async def test_what_a_person_typed_comes_back_inert(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    typed = "@everyone shipped it <@123456789012345678> [bank](https://evil.example) **big**"
    handler.answer = lambda event: [Reply(text=f"Added: {event.text}")]  # type: ignore[union-attr]
    await interact(client, slash("brag", {"text": typed}))
    assert handler.events == [Command(ASKING, "brag", typed, channel=str(CHANNEL_ID))]
    [callback] = fake.callbacks()
    assert callback["data"]["content"] == (
        "Added: \\@everyone shipped it \\<\\@123456789012345678> "
        "\\[bank\\](https://evil.example) \\*\\*big\\*\\*"
    )
    assert callback["data"]["allowed_mentions"] == NO_PINGS


async def test_every_required_option_makes_a_submission(
    client: Client, handler: FakeHandler
) -> None:
    options = {"stage": "interview", "feeling": "2", "company": "Acme", "role": "Designer"}
    await interact(client, slash("rejected", options))
    assert handler.events == [FormSubmission(ADA, "rejection", options)]


async def test_missing_options_are_asked_in_a_modal_with_the_rest_carried(
    client: Client, fake: FakeDiscord, handler: FakeHandler, content: Content
) -> None:
    def answer(event: Event) -> list[Reply]:
        if isinstance(event, Command):
            return [Reply(form=rejection.form(content, event.text))]
        return [Reply(text="saved")]

    handler.answer = answer
    await interact(client, slash("rejected", {"stage": "interview", "feeling": "2"}))
    assert handler.events == [Command(ASKING, "rejected", "", channel=str(CHANNEL_ID))]
    [callback] = fake.callbacks()
    assert callback["type"] == 9
    modal = callback["data"]
    assert modal["title"] == "Log a rejection"
    labels = [
        (c["label"], c["component"]["custom_id"], c["component"]["type"])
        for c in modal["components"]
    ]
    assert labels == [
        ("Company", "company", 4),
        ("Role", "role", 4),
        ("Date (YYYY-MM-DD)", "rejected_on", 4),
        ("Interviewer's name", "interviewer", 4),
    ]
    assert modal["components"][0]["component"]["required"] is True
    carried = parse_form_id(modal["custom_id"])
    assert carried is not None and carried.known == {"stage": "interview", "feeling": "2"}

    await interact(client, submit(modal, {"company": "Acme"}))
    assert handler.events[-1] == FormSubmission(
        ADA,
        "rejection",
        {"stage": "interview", "feeling": "2", "company": "Acme", "role": "",
         "rejected_on": "", "interviewer": ""},
    )  # fmt: skip
    assert fake.callbacks()[-1]["data"]["content"] == "saved"


async def test_answers_to_act_on_later_go_to_dms(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    handler.answer = lambda event: plan_replies()
    await interact(
        client, slash("rejected", {"stage": "interview", "feeling": "2", "company": "Acme"})
    )

    dm = fake.dm_channel(USER_ID)
    [opened] = fake.find("POST", "/users/@me/channels")
    assert opened.body == {"recipient_id": USER_ID}
    [post] = fake.channel_posts(dm)
    assert post["content"] == (
        "**I'm sorry, Ada.**\nReaching the interview beats most applicants.\n\nWant a note?"
    )
    assert post["allowed_mentions"] == NO_PINGS
    assert post["flags"] == SUPPRESS_EMBEDS
    assert post["enforce_nonce"] is True and re.fullmatch(r"[0-9a-f]{24}", post["nonce"])
    # The server travels in the custom id: a press in the DM reaches the server's person.
    assert buttons(post) == [
        {"type": 2, "style": 2, "label": "Draft my feedback note", "disabled": False,
         "custom_id": f"bb@{GUILD_ID}:feedback.note:7"},
    ]  # fmt: skip

    # In the server: a deferred private answer, then a pointer to the DM.
    [deferred] = fake.callbacks()
    assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}
    [pointer] = fake.followups()
    assert pointer["content"] == escape(TEXTS.sent_to_dms)
    [link] = buttons(pointer)
    message_id = fake.messages[dm][-1]["id"]
    assert link["url"] == f"https://discord.com/channels/@me/{dm}/{message_id}"


async def test_a_button_in_a_dm_still_works_after_a_restart(
    make_client: MakeClient, fake: FakeDiscord, handler: FakeHandler
) -> None:
    first = await make_client()
    handler.answer = lambda event: plan_replies()
    await interact(first, slash("brag", {"text": "list"}))
    dm = fake.dm_channel(USER_ID)
    sent = fake.messages[dm][-1]
    await first.close()

    restarted = await make_client()
    handler.answer = lambda event: [Reply(text="Here are three notes.")]
    custom_id = buttons(sent)[0]["custom_id"]
    await interact(restarted, press(custom_id, sent, guild_id=None, dm_channel=dm))
    assert handler.events[-1] == Choice(ADA, "feedback.note", "7")
    # In a DM the answer is an ordinary message (nothing to hide from anyone).
    callback = fake.callbacks()[-1]
    assert callback["type"] == 4
    assert callback["data"]["flags"] == SUPPRESS_EMBEDS


async def test_closed_dms_are_recorded_and_explained_in_the_server(
    client: Client, fake: FakeDiscord, handler: FakeHandler, people: MemoryStore
) -> None:
    fake.closed_dms.add(USER_ID)
    handler.answer = lambda event: plan_replies()
    await interact(client, slash("brag", {"text": "list"}))

    person = next(iter(people.people.values()))
    assert person.unreachable == "dms_closed"
    first, hint = fake.followups()
    assert first["content"].startswith("**I'm sorry, Ada.**")  # the answer, privately
    assert hint["content"] == escape(TEXTS.dms_closed)
    assert hint["flags"] & EPHEMERAL
    [check] = buttons(hint)
    assert check["custom_id"] == "bb!dms"

    # Next time: no DM attempt at all, the answer and the hint right away.
    posts_before = len(fake.channel_posts())
    await interact(client, slash("brag", {"text": "list"}))
    assert len(fake.channel_posts()) == posts_before
    assert fake.callbacks()[-1] == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert fake.followups()[-2]["content"].startswith("**I'm sorry, Ada.**")
    assert fake.followups()[-1]["content"] == escape(TEXTS.dms_closed)

    # They open their DMs and press the button: a hello in the DM, and the mark is gone.
    fake.closed_dms.clear()
    hint_message = {**hint, "id": "1", "channel_id": "1", "author": BOT_USER,
                    "timestamp": "2026-03-10T14:30:00+00:00", "type": 0, "flags": 64}  # fmt: skip
    await interact(client, press("bb!dms", hint_message))
    assert fake.channel_posts(fake.dm_channel(USER_ID))[-1]["content"] == escape(TEXTS.dms_hello)
    assert next(iter(people.people.values())).unreachable == ""
    assert fake.followups()[-1]["content"] == escape(TEXTS.dms_working)


async def test_a_slow_engine_is_deferred_then_followed_up(
    make_client: MakeClient, fake: FakeDiscord, handler: FakeHandler
) -> None:
    client = await make_client(ack_budget=0.0)
    handler.gate = asyncio.Event()
    client._connection.parse_interaction_create(slash("progress"))  # type: ignore[arg-type]
    await fake.wait_for(lambda f: bool(f.callbacks()))
    assert fake.callbacks() == [{"type": 5, "data": {"flags": EPHEMERAL}}]
    assert handler.events  # the engine is still working on it
    handler.gate.set()
    await drain()
    [original] = fake.find("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")
    assert original.body["content"] == "ok"
    assert original.body["allowed_mentions"] == NO_PINGS


async def test_a_refused_submission_can_be_fixed(
    client: Client, fake: FakeDiscord, handler: FakeHandler, content: Content
) -> None:
    typed = {"company": "Acme", "role": "", "stage": "interview", "rejected_on": "yesterday",
             "interviewer": "", "feeling": "2"}  # fmt: skip
    error = "Date (YYYY-MM-DD): please write the date as YYYY-MM-DD, e.g. 2026-03-10."

    def answer(event: Event) -> list[Reply]:
        assert isinstance(event, FormSubmission)
        if event.values.get("rejected_on") == "yesterday":
            form = refused(rejection.form(content), typed, {"rejected_on": error})
            return [Reply(text=error, form=form)]
        return [Reply(text="saved")]

    handler.answer = answer
    carried = "bbf:f=rejection&v.stage=interview&v.feeling=2"
    modal = {"custom_id": carried, "components": [
        {"type": 18, "component": {"type": 4, "custom_id": name}}
        for name in ("company", "role", "rejected_on", "interviewer")
    ]}  # fmt: skip
    await interact(client, submit(modal, {"company": "Acme", "rejected_on": "yesterday"}))

    # A modal cannot answer a modal: the error, and a button that reopens the form.
    [callback] = fake.callbacks()
    assert callback["data"]["content"] == escape(error)
    [fix] = buttons(callback["data"])
    assert fix["label"] == TEXTS.form_fix and fix["custom_id"].startswith("bbx:")
    message = {**callback["data"], "id": "5", "channel_id": "1", "author": BOT_USER,
               "timestamp": "2026-03-10T14:30:00+00:00", "type": 0}  # fmt: skip
    await interact(client, press(fix["custom_id"], message))
    reopened = fake.callbacks()[-1]
    assert reopened["type"] == 9
    [field] = reopened["data"]["components"]
    assert field["description"] == error  # modal text is not markdown: shown as is
    assert field["component"]["custom_id"] == "rejected_on"
    assert field["component"]["value"] == "yesterday"

    await interact(client, submit(reopened["data"], {"rejected_on": "2026-03-09"}))
    assert handler.events[-1] == FormSubmission(
        ADA, "rejection", {**typed, "rejected_on": "2026-03-09"}
    )
    assert fake.callbacks()[-1]["data"]["content"] == "saved"


async def test_a_long_form_continues_on_a_second_page(
    client: Client, fake: FakeDiscord, handler: FakeHandler, content: Content
) -> None:
    handler.answer = lambda event: (
        [Reply(form=rejection.form(content))]
        if isinstance(event, Command)
        else [Reply(text="saved")]
    )
    await interact(client, slash("checkin"))
    first = fake.callbacks()[-1]["data"]
    assert first["custom_id"].startswith("bbf#")
    names = [c["component"]["custom_id"] for c in first["components"]]
    assert names == ["company", "role", "stage", "rejected_on", "interviewer"]
    stage = first["components"][2]["component"]
    assert stage["type"] == 3 and [o["value"] for o in stage["options"]][:2] == [
        "application",
        "phone_screen",
    ]

    page_one = {"company": "Acme", "stage": "final_round"}
    await interact(client, submit(first, page_one))
    more = fake.callbacks()[-1]["data"]
    assert more["content"] == escape(TEXTS.form_more)
    [next_page] = buttons(more)
    message = {**more, "id": "6", "channel_id": "1", "author": BOT_USER,
               "timestamp": "2026-03-10T14:30:00+00:00", "type": 0}  # fmt: skip
    await interact(client, press(next_page["custom_id"], message))
    second = fake.callbacks()[-1]["data"]
    assert [c["component"]["custom_id"] for c in second["components"]] == ["feeling"]

    await interact(client, submit(second, {"feeling": "4"}))
    assert handler.events[-1] == FormSubmission(
        ADA, "rejection",
        {"company": "Acme", "role": "", "stage": "final_round", "rejected_on": "",
         "interviewer": "", "feeling": "4"},
    )  # fmt: skip


async def test_a_repeated_interaction_is_handled_once(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    payload = slash("help")
    await interact(client, payload)
    await interact(client, payload)
    assert len(handler.events) == 1
    assert len(fake.callbacks()) == 1


async def test_words_in_a_dm_belong_to_the_server_of_the_conversation(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    dm = fake.dm_channel(USER_ID)
    yes = f"bb@{GUILD_ID}:reflect:3:research:yes"
    fake.add_message(dm, BOT_USER, "Did you research the company?", button=yes)
    handler.answer = lambda event: [Reply(text="Thanks, I saved that in your own words.")]
    await message_in_dm(client, dm_message("I skimmed their site", dm))

    assert handler.events == [Message(ADA, "I skimmed their site")]
    [history] = fake.find("GET", rf"/channels/{dm}/messages")
    assert history.query["limit"] == "25"
    [answer] = fake.channel_posts(dm)
    assert answer["content"] == "Thanks, I saved that in your own words."
    assert answer["enforce_nonce"] is True
    assert answer["allowed_mentions"] == NO_PINGS


async def test_dm_words_with_no_server_behind_them_are_the_dm_persons(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    dm = fake.dm_channel(USER_ID)
    await message_in_dm(client, dm_message("hello?", dm))
    assert handler.events == [Message(Sender("discord", "dm", str(USER_ID), "Ada"), "hello?")]


async def test_long_answers_are_split_into_messages_that_fit(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    wins = "\n".join(f"{n}. Shipped feature number {n} on time" for n in range(200))
    handler.answer = lambda event: [Reply(heading="Your bragging list", text=wins)]
    await interact(client, slash("brag", {"text": "list"}))
    bodies = [fake.callbacks()[0]["data"], *fake.followups()]
    assert len(bodies) > 3
    assert all(len(body["content"]) <= CONTENT_LIMIT for body in bodies)
    assert all(body["flags"] & EPHEMERAL for body in bodies)
    assert bodies[0]["content"].startswith("**Your bragging list**\n0\\. Shipped")


async def test_an_engine_failure_is_a_clear_message_and_keeps_words_out_of_logs(
    client: Client, fake: FakeDiscord, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(event: Event) -> list[Reply]:
        raise RuntimeError("boom")

    handler.answer = explode
    with caplog.at_level(logging.DEBUG, logger="adapters"):
        await interact(client, slash("brag", {"text": "my secret salary story"}))
    assert fake.callbacks()[0]["data"]["content"] == escape(TEXTS.generic_error)
    assert "my secret salary story" not in caplog.text
    assert "Command" in caplog.text


async def test_nothing_to_say_is_still_an_answer(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    handler.answer = lambda event: []
    await interact(client, slash("help"))
    assert fake.callbacks()[0]["data"]["content"] == escape(TEXTS.done)


async def test_a_public_reply_is_shown_in_the_channel(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    handler.answer = lambda event: [Reply(text="Congratulations, Ada!", private=False)]
    await interact(client, slash("help"))
    assert fake.callbacks()[0]["data"]["flags"] == SUPPRESS_EMBEDS


async def test_a_command_in_the_dm_belongs_to_the_server_of_the_conversation(
    client: Client, fake: FakeDiscord, handler: FakeHandler
) -> None:
    dm = fake.dm_channel(USER_ID)
    fake.add_message(dm, BOT_USER, "How are you today?", button=f"bb@{GUILD_ID}:checkin.mood:3")
    await interact(client, slash("progress", guild_id=None, dm_channel=dm))
    assert handler.events == [Command(ASKING, "progress", "")]
    assert fake.callbacks()[0]["data"]["flags"] == SUPPRESS_EMBEDS  # a DM: nothing to hide
