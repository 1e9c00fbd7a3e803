"""The adapter end to end: signed HTTP requests in, calls to a fake Slack out."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.events import Choice, Command, FormSubmission, Message, Sender
from bot.replies import Attachment, Button, Field, FieldKind, Form, Option, Reply
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeDedupe,
    FakeHandler,
    Harness,
    RecordingRemoval,
    RecordingSleep,
)

ANA = Sender("slack", "T1", "U1", "ana")
REJECTION_FORM = Form(
    form_id="rejection",
    title="Log a rejection",
    submit_label="Save",
    context="ctx-7",
    fields=(
        Field("company", "Company", required=True, max_length=100),
        Field(
            "stage",
            "Stage",
            FieldKind.CHOICE,
            required=True,
            options=(Option("interview", "Interview"), Option("final_round", "Final round")),
        ),
        Field("rejected_on", "When", FieldKind.DATE),
        Field("notes", "Notes", FieldKind.LONG_TEXT, max_length=500),
    ),
)


def texts_of(blocks: list[dict[str, object]]) -> str:
    """All mrkdwn section text of some blocks, joined."""
    parts = []
    for block in blocks:
        text = block.get("text")
        if block.get("type") == "section" and isinstance(text, dict):
            parts.append(str(text["text"]))
    return "\n".join(parts)


# ----- acknowledging and translating -----


async def test_slash_command_is_acked_empty_then_answered_ephemerally(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    answer = await slack.command("progress", "  ")
    assert answer.status == 200
    assert answer.text == ""  # nothing shows in the channel
    await slack.bot.drain()
    assert handler.received == [Command(ANA, "progress", "", channel="C1")]
    assert handler.events[0][1] == slack.clock()
    [reply] = fake_slack.calls_to("response_url")
    assert reply.args["response_type"] == "ephemeral"
    assert texts_of(reply.args["blocks"]) == "got /progress "


async def test_public_reply_goes_in_channel(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    handler.script = lambda event: [Reply(text="Ana shipped!", private=False)]
    await slack.command("brag", "shipped")
    await slack.bot.drain()
    [reply] = fake_slack.calls_to("response_url")
    assert reply.args["response_type"] == "in_channel"


async def test_command_text_arrives_as_plain_text(slack: Harness, handler: FakeHandler) -> None:
    await slack.command("brag", "led &lt;the&gt; <@U2|bo> &amp; <https://x.example|x.example> team")
    await slack.bot.drain()
    assert handler.received == [
        Command(ANA, "brag", "led <the> @bo & x.example team", channel="C1")
    ]


async def test_rejected_opens_a_prefilled_modal_right_after_the_ack(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    handler.script = (
        lambda event: [
            Reply(
                form=Form(
                    REJECTION_FORM.form_id,
                    REJECTION_FORM.title,
                    (
                        Field("company", "Company", required=True, initial=event.text),  # type: ignore[union-attr]
                        *REJECTION_FORM.fields[1:],
                    ),
                    context="ctx-7",
                )
            )
        ]
    )
    answer = await slack.command("rejected", "Acme & Co")
    assert answer.status == 200
    await slack.bot.drain()
    [opened] = fake_slack.calls_to("views.open")
    assert opened.token == BOT_TOKEN
    assert opened.args["trigger_id"] == "trigger-1"
    view = opened.args["view"]
    assert view["callback_id"] == "rejection"
    assert view["private_metadata"] == "ctx-7"
    company = view["blocks"][0]
    assert company["block_id"] == "company"
    assert company["optional"] is False
    assert company["element"]["initial_value"] == "Acme & Co"  # plain_text input: not escaped
    stage = view["blocks"][1]["element"]
    assert stage["type"] == "static_select"
    assert [option["value"] for option in stage["options"]] == ["interview", "final_round"]
    assert view["blocks"][2]["element"]["type"] == "datepicker"
    assert view["blocks"][3]["element"]["multiline"] is True
    assert fake_slack.calls_to("response_url") == []  # a bare form says nothing else


async def test_expired_trigger_falls_back_to_a_button_that_opens_the_form(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    handler.script = lambda event: [Reply(form=REJECTION_FORM)]
    fake_slack.script("views.open", {"ok": False, "error": "expired_trigger_id"})
    await slack.command("rejected")
    await slack.bot.drain()
    [fallback] = fake_slack.calls_to("response_url")
    [actions] = [block for block in fallback.args["blocks"] if block["type"] == "actions"]
    [button] = actions["elements"]
    assert button["action_id"].startswith("bbform|")

    await slack.press(button["action_id"], button["value"], channel="C1", ephemeral=True)
    await slack.bot.drain()
    reopened = fake_slack.calls_to("views.open")[-1]
    assert reopened.args["trigger_id"] == "trigger-2"
    assert reopened.args["view"]["callback_id"] == "rejection"
    assert reopened.args["view"]["private_metadata"] == "ctx-7"
    assert len(handler.received) == 1  # opening the form needed no engine call


async def test_button_in_the_dm_becomes_a_choice_answered_in_the_dm(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    handler.script = lambda event: [Reply(text="Noted.")]
    answer = await slack.press("bb|1|reflect", "12:yes", channel="DU1")
    assert answer.status == 200
    await slack.bot.drain()
    assert handler.received == [Choice(ANA, "reflect", "12:yes")]
    [posted] = fake_slack.calls_to("chat.postMessage")
    assert posted.args["channel"] == "DU1"
    assert texts_of(posted.args["blocks"]) == "Noted."


async def test_button_on_an_ephemeral_message_is_answered_through_response_url(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    await slack.press("bb|0|brag.kind", "3:soft_skill", channel="C1", ephemeral=True)
    await slack.bot.drain()
    assert handler.received == [Choice(ANA, "brag.kind", "3:soft_skill")]
    assert fake_slack.calls_to("chat.postMessage") == []
    assert len(fake_slack.calls_to("response_url")) == 1


async def test_unknown_buttons_are_acked_and_ignored(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    answer = await slack.press("someone-elses-button", "x")
    assert answer.status == 200
    await slack.bot.drain()
    assert handler.received == []


async def test_buttons_render_with_unique_action_ids(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    handler.script = lambda event: [
        Reply(
            text="How do you feel?", buttons=(Button("Low", "mood", "1"), Button("Ok", "mood", "3"))
        )
    ]
    await slack.dm("hi")
    await slack.bot.drain()
    [posted] = fake_slack.calls_to("chat.postMessage")
    [actions] = [block for block in posted.args["blocks"] if block["type"] == "actions"]
    ids = [element["action_id"] for element in actions["elements"]]
    assert ids == ["bb|0|mood", "bb|1|mood"]
    assert [element["value"] for element in actions["elements"]] == ["1", "3"]


# ----- modal submissions -----


def filled() -> dict[str, dict[str, object]]:
    return {
        "company": {"type": "plain_text_input", "value": "Acme <b> & Co"},
        "stage": {"type": "static_select", "selected_option": {"value": "interview"}},
        "rejected_on": {"type": "datepicker", "selected_date": "2026-03-09"},
        "notes": {"type": "plain_text_input", "value": None},
    }


async def test_submission_is_translated_and_the_plan_continues_in_the_dm(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    handler.script = lambda event: [Reply(heading="Logged", text="That one stings.")]
    answer = await slack.submit("rejection", filled(), private_metadata="ctx-7")
    assert answer.status == 200
    assert answer.text == ""  # plain ack: the modal closes
    await slack.bot.drain()
    assert handler.received == [
        FormSubmission(
            ANA,
            "rejection",
            {
                "company": "Acme <b> & Co",
                "stage": "interview",
                "rejected_on": "2026-03-09",
                "notes": "",
            },
            "ctx-7",
        )
    ]
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.args["users"] == "U1"
    [posted] = fake_slack.calls_to("chat.postMessage")
    assert posted.args["channel"] == "DU1"
    assert posted.args["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Logged", "emoji": True},
    }


async def test_refused_submission_shows_errors_in_the_modal(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    refused = Form(
        REJECTION_FORM.form_id,
        REJECTION_FORM.title,
        REJECTION_FORM.fields,
        errors={"company": "Company is needed.", "": "Also check the date."},
    )
    handler.script = lambda event: [Reply(text="Company is needed.", form=refused)]
    answer = await slack.submit("rejection", filled())
    assert answer.status == 200
    assert answer.json() == {
        "response_action": "errors",
        "errors": {"company": "Company is needed. Also check the date."},
    }
    await slack.bot.drain()
    # The error is in the modal, nowhere else (the one read is the person's time zone).
    assert [call.method for call in fake_slack.api_calls] == ["users.info"]


async def test_a_next_form_replaces_the_modal(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    handler.script = lambda event: [Reply(form=REJECTION_FORM)]
    answer = await slack.submit("settings", {})
    body = answer.json()
    assert body["response_action"] == "update"
    assert body["view"]["callback_id"] == "rejection"


@pytest.mark.parametrize("answer_budget", [0.0])
async def test_slow_engine_closes_the_modal_in_time_and_answers_in_the_dm(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    handler.gate = asyncio.Event()
    refused = Form("rejection", "Log", REJECTION_FORM.fields, errors={"company": "Needed."})
    handler.script = lambda event: [Reply(form=refused)]
    answer = await slack.submit("rejection", filled())
    assert answer.status == 200
    assert answer.text == ""  # acked before the engine answered
    handler.gate.set()
    await slack.bot.drain()
    [posted] = fake_slack.calls_to("chat.postMessage")
    assert "Needed." in texts_of(posted.args["blocks"])
    [actions] = [block for block in posted.args["blocks"] if block["type"] == "actions"]
    assert actions["elements"][0]["action_id"].startswith("bbform|")  # reopen, prefilled


# ----- events -----


async def test_dm_words_become_a_message(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    handler.script = lambda event: [Reply(text="Thanks for sharing.")]
    answer = await slack.dm("I prepared &amp; it went &lt;ok&gt;")
    assert answer.status == 200
    await slack.bot.drain()
    assert handler.received == [Message(Sender("slack", "T1", "U1"), "I prepared & it went <ok>")]
    [posted] = fake_slack.calls_to("chat.postMessage")
    assert posted.args["channel"] == "DU1"


@pytest.mark.parametrize(
    "extra",
    [
        {"subtype": "message_changed"},
        {"subtype": "bot_message", "bot_id": "B2"},
        {"bot_id": "BBOT1"},
        {"channel_type": "channel"},
        {"blank": True},
    ],
)
async def test_bot_posts_edits_and_channel_messages_are_ignored(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler, extra: dict[str, object]
) -> None:
    fields: dict[str, Any] = dict(extra)
    text = "   " if fields.pop("blank", False) else "hello"
    answer = await slack.dm(text, **fields)
    assert answer.status == 200
    await slack.bot.drain()
    assert handler.received == []
    assert fake_slack.api_calls == []


async def test_a_retried_event_is_handled_once(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler, dedupe: FakeDedupe
) -> None:
    first = await slack.dm("my answer", event_id="Ev42")
    await slack.bot.drain()
    retry = await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DU1",
            "user": "U1",
            "text": "my answer",
        },
        event_id="Ev42",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    await slack.bot.drain()
    assert (first.status, retry.status) == (200, 200)
    assert len(handler.received) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert dedupe.asked == ["slack:event:Ev42", "slack:event:Ev42"]


async def test_concurrent_retries_are_handled_once(slack: Harness, handler: FakeHandler) -> None:
    answers = await asyncio.gather(*(slack.dm("again", event_id="Ev9") for _ in range(5)))
    await slack.bot.drain()
    assert {answer.status for answer in answers} == {200}
    assert len(handler.received) == 1


async def test_uninstall_deletes_the_workspace(
    slack: Harness, handler: FakeHandler, removal: RecordingRemoval
) -> None:
    await slack.event({"type": "app_uninstalled"}, event_id="EvU")
    await slack.event({"type": "app_uninstalled"}, event_id="EvU")  # a retry
    await slack.bot.drain()
    assert removal.removed == [("slack", "T1")]
    assert handler.received == []


async def test_revoked_bot_token_deletes_the_workspace_but_user_tokens_do_not(
    slack: Harness, removal: RecordingRemoval
) -> None:
    await slack.event({"type": "tokens_revoked", "tokens": {"oauth": ["U5"]}}, event_id="Ev1")
    await slack.bot.drain()
    assert removal.removed == []
    await slack.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT1"]}}, event_id="Ev2")
    await slack.bot.drain()
    assert removal.removed == [("slack", "T1")]


async def test_url_verification_echoes_the_challenge(slack: Harness) -> None:
    body = b'{"token":"x","challenge":"c-123","type":"url_verification"}'
    answer = await slack.send(body, "application/json")
    assert answer.status == 200
    assert answer.json() == {"challenge": "c-123"}


async def test_health(slack: Harness) -> None:
    answer = await slack.get("/healthz")
    assert (answer.status, answer.text) == (200, "ok")


# ----- verification -----


@pytest.mark.parametrize(
    ("headers", "age"),
    [
        ({"X-Slack-Signature": "v0=" + "0" * 64}, 0),  # forged signature
        ({}, 301),  # signed, but more than five minutes old
        ({}, -301),  # signed, but more than five minutes in the future
        ({"X-Slack-Request-Timestamp": "not-a-number"}, 0),  # malformed timestamp
        ({"X-Slack-Request-Timestamp": "١٧٧٣"}, 0),  # digits, but not ASCII ones
        ({"X-Slack-Request-Timestamp": ""}, 0),
        ({"X-Slack-Signature": "v0=é"}, 0),
    ],
)
async def test_unverified_requests_get_401_and_cause_nothing(
    slack: Harness,
    fake_slack: FakeSlack,
    handler: FakeHandler,
    dedupe: FakeDedupe,
    headers: dict[str, str],
    age: int,
) -> None:
    body = b"command=%2Fprogress&team_id=T1&user_id=U1&response_url=x&trigger_id=t"
    answer = await slack.send(body, "application/x-www-form-urlencoded", headers=headers, age=age)
    assert answer.status == 401
    await slack.bot.drain()
    assert handler.received == []
    assert fake_slack.calls == []
    assert dedupe.asked == []


async def test_unsigned_request_gets_401(slack: Harness, fake_slack: FakeSlack) -> None:
    answer = await slack.send(
        b'{"type":"url_verification","challenge":"c"}', "application/json", signed=False
    )
    assert answer.status == 401
    assert fake_slack.calls == []


async def test_signature_made_with_another_secret_gets_401(slack: Harness) -> None:
    from tests.slack.harness import sign

    body = b'{"type":"url_verification","challenge":"c"}'
    headers = sign(body, int(slack.clock().timestamp()), secret=SIGNING_SECRET + "x")
    answer = await slack.send(body, "application/json", headers=headers, signed=False)
    assert answer.status == 401


async def test_a_request_just_within_five_minutes_is_accepted(slack: Harness) -> None:
    answer = await slack.send(
        b'{"type":"url_verification","challenge":"c"}', "application/json", age=299
    )
    assert answer.status == 200


# ----- escaping and limits -----


async def test_user_text_can_neither_ping_nor_link(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    evil = "<!channel> <!here|here> <@U2> <https://evil.example|bank> & done"
    handler.script = lambda event: [
        Reply(heading=f"Win: {evil}", text=f"You added: {evil}", quote=f"Dear {evil}")
    ]
    await slack.command("brag", "x")
    await slack.bot.drain()
    [reply] = fake_slack.calls_to("response_url")
    shown = texts_of(reply.args["blocks"]) + reply.args["text"]
    assert "<" not in shown
    assert ">" not in shown.replace("&gt;", "")
    assert "&lt;!channel&gt;" in shown
    assert "&lt;https://evil.example|bank&gt;" in shown
    assert "&amp; done" in shown
    for block in reply.args["blocks"]:
        if block["type"] == "section":
            assert block["text"]["verbatim"] is True  # no auto-linking, no bare @mentions


async def test_long_text_is_split_within_block_kit_limits(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    paragraph = "A & B <c> " * 40  # 400 chars, 800 escaped
    text = "\n\n".join([paragraph] * 200)
    handler.script = lambda event: [Reply(text=text, buttons=(Button("Ok", "ok"),))]
    await slack.dm("go")
    await slack.bot.drain()
    posted = fake_slack.calls_to("chat.postMessage")
    assert len(posted) == 2  # 160 000 escaped chars need more than 50 sections
    blocks = [block for call in posted for block in call.args["blocks"]]
    assert all(len(call.args["blocks"]) <= 50 for call in posted)
    sections = [block["text"]["text"] for block in blocks if block["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections)
    assert "".join(sections).replace(" ", "").replace("\n", "") == (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    ).replace(" ", "").replace("\n", "")
    assert posted[-1].args["blocks"][-1]["type"] == "actions"  # buttons come last


# ----- rate limits and errors -----


async def test_429_is_waited_out_and_the_message_still_goes(
    slack: Harness, fake_slack: FakeSlack, sleep: RecordingSleep, handler: FakeHandler
) -> None:
    fake_slack.script(
        "chat.postMessage",
        {"ok": False, "error": "ratelimited"},
        status=429,
        headers={"Retry-After": "7"},
    )
    await slack.dm("hello")
    await slack.bot.drain()
    posts = fake_slack.calls_to("chat.postMessage")
    assert len(posts) == 2  # refused once, then sent
    assert posts[0].args == posts[1].args
    assert sleep.waits == [7.0]


async def test_a_conversation_the_bot_cannot_post_in_is_answered_via_response_url(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    handler.script = lambda event: [Reply(text="secret plan for Acme")]
    fake_slack.script("chat.postMessage", {"ok": False, "error": "channel_not_found"})
    with caplog.at_level(logging.INFO):
        await slack.press("bb|0|brag.kind", "Acme", channel="DU1")
        await slack.bot.drain()
    [told] = fake_slack.calls_to("response_url")
    assert told.args["response_type"] == "ephemeral"
    assert texts_of(told.args["blocks"]) == "secret plan for Acme"
    assert "channel_not_found" in caplog.text
    assert "Acme" not in caplog.text


async def test_engine_failure_gives_a_clear_reply_and_a_log_without_text(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    company = "Secret " + "Corp"  # built, so the traceback's source lines do not quote it

    def broken(event: object) -> list[Reply]:
        raise RuntimeError(f"cannot handle {company}")

    handler.script = broken
    with caplog.at_level(logging.INFO):
        await slack.command("rejected", company)
        await slack.bot.drain()
    [reply] = fake_slack.calls_to("response_url")
    assert "went wrong" in texts_of(reply.args["blocks"])
    assert "RuntimeError" in caplog.text
    assert company not in caplog.text


async def test_logs_hold_no_secret_token_or_private_text(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    private = "my-private-words-about-Initech"
    fake_slack.script("views.open", {"ok": False, "error": "invalid_arguments"})
    handler.script = lambda event: [Reply(text=private, form=REJECTION_FORM)]
    with caplog.at_level(logging.DEBUG, logger="bounceback"), caplog.at_level(logging.INFO):
        await slack.command("rejected", private)
        await slack.send(private.encode(), "text/plain", headers={"X-Slack-Signature": "v0=bad"})
        await slack.dm(private)
        await slack.submit("unknown", {"x": {"type": "plain_text_input", "value": private}})
        await slack.event({"type": "reaction_added", "reaction": private}, event_id="Ev77")
        await slack.bot.drain()
    logged = caplog.text
    for secret in (private, BOT_TOKEN, SIGNING_SECRET):
        assert secret not in logged


async def test_a_file_is_handed_over_in_the_dm_wherever_it_was_asked_for(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    export = Attachment("bounceback-2026-03-10.json", b'{"wins": ["<!channel>"]}')
    handler.script = lambda event: [Reply(text="Here is everything.", attachment=export)]
    await slack.command("mydata", "export")
    await slack.bot.drain()
    [said] = fake_slack.calls_to("response_url")
    assert said.args["response_type"] == "ephemeral"
    [asked] = fake_slack.calls_to("files.getUploadURLExternal")
    assert asked.args["filename"] == "bounceback-2026-03-10.json"
    [uploaded] = fake_slack.calls_to("upload")
    assert uploaded.args["content"] == export.content
    [shared] = fake_slack.calls_to("files.completeUploadExternal")
    assert shared.args["channel_id"] == "DU1"
    assert shared.token == BOT_TOKEN


async def test_words_about_a_file_stay_private_even_if_marked_public(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    export = Attachment("data.json", b"{}")
    handler.script = lambda event: [Reply(text="Your file.", attachment=export, private=False)]
    await slack.command("mydata", "export")
    await slack.bot.drain()
    [said] = fake_slack.calls_to("response_url")
    assert said.args["response_type"] == "ephemeral"
    [shared] = fake_slack.calls_to("files.completeUploadExternal")
    assert shared.args["channel_id"] == "DU1"


async def test_a_file_that_cannot_be_shared_is_explained_privately(
    slack: Harness, fake_slack: FakeSlack, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.script("files.getUploadURLExternal", {"ok": False, "error": "not_allowed"})
    export = Attachment("data.json", b'{"note": "private words"}')
    handler.script = lambda event: [Reply(text="Here is everything.", attachment=export)]
    with caplog.at_level(logging.INFO):
        await slack.command("mydata", "export")
        await slack.bot.drain()
    said = fake_slack.calls_to("response_url")
    assert [call.args["response_type"] for call in said] == ["ephemeral", "ephemeral"]
    assert (
        said[-1].args["text"]
        == "Sorry, I couldn't send you the file. Please try again in a minute."
    )
    assert fake_slack.calls_to("upload") == []
    assert "not_allowed" in caplog.text
    assert "private words" not in caplog.text
