"""The adapter around the real engine and SQLite storage (via open_services), end to end."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.slack.manifest import build_manifest
from bounceback.bootstrap import Services
from storage.tables import PersonRow, RejectionRow, WinRow
from tests import kept_nowhere
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import Answer, Harness


def answers_for(view: dict[str, Any], choose: dict[str, str]) -> dict[str, dict[str, Any]]:
    """A view_submission state filling ``view`` like a person would."""
    state: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        element, name = block["element"], block["block_id"]
        # Left as it is, an input comes back with its initial value, as Slack sends it.
        initial = (
            element.get("initial_value")
            or element.get("initial_date")
            or element.get("initial_option", {}).get("value", "")
        )
        value = choose.get(name, initial)
        if element["type"] == "static_select":
            state[name] = {"type": "static_select", "selected_option": {"value": value}}
        elif element["type"] == "datepicker":
            state[name] = {"type": "datepicker", "selected_date": value or None}
        else:
            state[name] = {"type": "plain_text_input", "value": value or None}
    return state


async def modal_of(real: Harness, fake_slack: FakeSlack, command: str, text: str = "") -> Any:
    """``/command text``, and the view of the one modal it opened."""
    await real.command(command, text)
    await real.bot.drain()
    [opened] = fake_slack.calls_to("views.open")
    return opened.args["view"]


async def fill_in(real: Harness, view: dict[str, Any], choose: dict[str, str]) -> Answer:
    """Submit ``view`` filled in like a person would (:func:`answers_for`); Slack's answer."""
    state = answers_for(view, choose)
    return await real.submit(view["callback_id"], state, private_metadata=view["private_metadata"])


def buttons(calls: list[Call]) -> list[dict[str, Any]]:
    return [
        element
        for call in calls
        for block in call.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def count(services: Services, table: Any) -> int:
    async with services.db.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


async def test_rejected_to_recovery_plan_in_the_dm(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    view = await modal_of(real, fake_slack, "rejected", "Acme &lt;Labs&gt; &amp; Co")
    assert view["blocks"][0]["element"]["initial_value"] == "Acme <Labs> & Co"

    refused = await fill_in(real, view, {"company": "", "feeling": "2", "stage": "interview"})
    assert refused.json()["response_action"] == "errors"
    assert "company" in refused.json()["errors"]

    chosen = {"stage": "interview", "feeling": "2", "rejected_on": "2026-03-09"}
    saved = await fill_in(real, view, chosen)
    assert (saved.status, saved.text) == (200, "")
    await real.bot.drain()
    plan = fake_slack.calls_to("chat.postMessage")
    assert plan, "the plan continues in the DM"
    assert {call.args["channel"] for call in plan} == {"DU1"}
    assert plan[0].args["blocks"][0]["type"] == "header"
    assert await count(services, RejectionRow) == 1

    offered = buttons(plan)
    assert offered and all(button["action_id"].startswith("bb|") for button in offered)
    note = next(button for button in offered if "feedback.note" in button["action_id"])
    await real.press(note["action_id"], note.get("value", ""), channel="DU1")
    await real.bot.drain()
    drafted = fake_slack.calls_to("chat.postMessage")[len(plan) :]
    sections = [
        b["text"]["text"] for c in drafted for b in c.args["blocks"] if b["type"] == "section"
    ]
    assert any(text.startswith("```") for text in sections), "the drafted note is a copyable block"
    assert any("Acme &lt;Labs&gt; &amp; Co" in text for text in sections)
    assert fake_slack.calls_to("response_url") == []


async def test_a_retried_dm_is_answered_once_with_the_durable_log(
    real: Harness, fake_slack: FakeSlack
) -> None:
    for retry in range(3):
        headers = {"X-Slack-Retry-Num": str(retry)} if retry else None
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": "DU1",
            "user": "U1",
            "text": "hi",
        }
        answer = await real.event(event, event_id="EvSame", headers=headers)
        assert answer.status == 200
    await real.bot.drain()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_uninstall_deletes_the_people_of_that_workspace(
    real: Harness, services: Services
) -> None:
    await real.command("progress")
    await real.command("progress", team="T2")
    await real.bot.drain()
    assert await count(services, PersonRow) == 2
    await real.event({"type": "app_uninstalled"}, event_id="EvBye")
    await real.bot.drain()
    async with services.db.connect() as connection:
        left = (await connection.execute(select(PersonRow.community))).scalars().all()
    assert left == ["T2"]


async def test_every_engine_command_is_a_slash_command(
    real: Harness, services: Services, fake_slack: FakeSlack
) -> None:
    manifest = build_manifest(services.engine.commands)
    listed = [entry["command"] for entry in manifest["features"]["slash_commands"]]
    assert listed == [f"/{command.name}" for command in services.engine.commands]
    for command in services.engine.commands:
        await real.command(command.name)
    await real.bot.drain()
    answered = len(fake_slack.calls_to("response_url")) + len(fake_slack.calls_to("views.open"))
    assert answered >= len(services.engine.commands)


async def test_mydata_export_arrives_as_a_file_in_the_dm(
    real: Harness, fake_slack: FakeSlack
) -> None:
    await real.command("brag", "shipped the &lt;big&gt; release &amp; more")
    await real.command("mydata", "export")
    await real.bot.drain()
    [uploaded] = fake_slack.calls_to("upload")
    exported = json.loads(uploaded.args["content"])
    assert any("shipped the <big> release & more" in str(win) for win in exported["wins"])
    [shared] = fake_slack.calls_to("files.completeUploadExternal")
    assert shared.args["channel_id"] == "DU1"


# ----- crisis care: private, and the person's words kept nowhere -----

CRISIS_WORDS = "I want to die"
CARE_OPENING = "I'm really sorry you're feeling this way."


@dataclass
class Nowhere:
    """Where a person's words must not go: to the fake Slack, the logs, the database files."""

    fake_slack: FakeSlack
    caplog: pytest.LogCaptureFixture
    db: Path

    def watch_every_log(self) -> None:
        """Everything at DEBUG from here on, the Slack libraries' loggers too."""
        kept_nowhere.watch_every_log(self.caplog, "slack_bolt", "slack_sdk")

    def assert_kept_nowhere(self, words: str) -> None:
        sent = ((call.method, call.args) for call in self.fake_slack.calls)
        kept_nowhere.assert_kept_nowhere(words, sent, self.caplog, self.db)


@pytest.fixture
def nowhere(fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> Nowhere:
    return Nowhere(fake_slack, caplog, tmp_path)


def care_texts(calls: list[Call]) -> list[str]:
    return [str(call.args.get("text", "")) for call in calls]


async def test_crisis_words_in_a_channel_command_get_a_private_caring_answer(
    real: Harness, fake_slack: FakeSlack, services: Services, nowhere: Nowhere
) -> None:
    nowhere.watch_every_log()
    await real.command("brag", CRISIS_WORDS, channel="C1", channel_name="general")
    await real.bot.drain()

    [answer] = fake_slack.calls_to("response_url")
    assert answer.args["response_type"] == "ephemeral"
    assert answer.args["text"].startswith(CARE_OPENING)
    assert "findahelpline.com" in json.dumps(answer.args["blocks"])
    # Nothing in the channel, nothing public, nothing else at all (but reading the person's
    # time zone, which carries their user id alone).
    assert [call.method for call in fake_slack.api_calls] == ["users.info", "response_url"]
    nowhere.assert_kept_nowhere(CRISIS_WORDS)
    assert await count(services, WinRow) == 0


async def test_after_a_crisis_one_tap_keeps_what_was_typed_and_one_resumes_check_ins(
    real: Harness, fake_slack: FakeSlack, services: Services, tmp_path: Path
) -> None:
    await real.command("brag", CRISIS_WORDS, channel="C1", channel_name="general")
    await real.bot.drain()
    [answer] = fake_slack.calls_to("response_url")
    offered = {b["text"]["text"]: b for b in buttons([answer])}
    assert set(offered) == {"Yes, keep it", "No, let it go", "I'm okay, carry on"}
    assert CRISIS_WORDS.encode() not in kept_nowhere.stored_bytes(tmp_path)

    for label in ("I'm okay, carry on", "Yes, keep it"):
        chosen = offered[label]
        await real.press(chosen["action_id"], chosen.get("value", ""), channel="C1", ephemeral=True)
        await real.bot.drain()

    texts = care_texts(fake_slack.calls_to("response_url"))
    assert any("check-ins are back on" in text for text in texts)
    assert await count(services, WinRow) == 1  # saved after their yes, and only then


async def test_crisis_words_in_the_dm_are_answered_in_the_dm_only(
    real: Harness, fake_slack: FakeSlack, services: Services, nowhere: Nowhere
) -> None:
    nowhere.watch_every_log()
    await real.dm("I feel suicidal", event_id="EvCare")
    await real.bot.drain()

    posts = fake_slack.calls_to("chat.postMessage")
    assert [call.args["channel"] for call in posts] == ["DU1"]
    assert care_texts(posts)[0].startswith(CARE_OPENING)
    assert [call.method for call in fake_slack.api_calls] == ["users.info", "chat.postMessage"]
    assert fake_slack.calls_to("response_url") == []
    nowhere.assert_kept_nowhere("suicidal")
    assert await count(services, WinRow) == 0


async def test_crisis_words_in_a_form_are_answered_in_the_dm_only(
    real: Harness, fake_slack: FakeSlack, services: Services, nowhere: Nowhere
) -> None:
    view = await modal_of(real, fake_slack, "rejected")
    nowhere.watch_every_log()
    typed = {"company": CRISIS_WORDS, "stage": "interview", "feeling": "1"}
    closed = await fill_in(real, view, typed)
    await real.bot.drain()

    assert (closed.status, closed.text) == (200, "")  # the modal just closes
    posts = fake_slack.calls_to("chat.postMessage")
    assert [call.args["channel"] for call in posts] == ["DU1"]
    assert care_texts(posts)[0].startswith(CARE_OPENING)
    assert all(
        call.args["response_type"] == "ephemeral" for call in fake_slack.calls_to("response_url")
    )
    nowhere.assert_kept_nowhere(CRISIS_WORDS)
    assert await count(services, RejectionRow) == 0
