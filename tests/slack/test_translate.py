"""Slack payloads -> neutral events."""

from __future__ import annotations

import pytest

from adapters.slack.translate import (
    button_press,
    command_event,
    message_event,
    slack_to_plain,
    submission_event,
)
from bot.events import Choice, Command, Message, Sender


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("&amp;lt;", "&lt;"),  # decoded once, not twice
        ("hi <@U123>", "hi @U123"),
        ("hi <@U123|ana>", "hi @ana"),
        ("in <#C1|jobs>", "in #jobs"),
        ("<!channel> <!here> <!everyone>", "@channel @here @everyone"),
        ("<!subteam^S1|@recruiters>", "@recruiters"),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"),
        ("see <https://acme.example/jobs|acme.example/jobs>", "see acme.example/jobs"),
        ("see <https://acme.example>", "see https://acme.example"),
        ("mail <mailto:a@b.example|a@b.example>", "mail a@b.example"),
    ],
)
def test_slack_markup_becomes_plain_text(slack: str, plain: str) -> None:
    assert slack_to_plain(slack) == plain


def test_command() -> None:
    body = {
        "command": "/rejected",
        "text": " Acme &amp; Co ",
        "team_id": "T1",
        "user_id": "U1",
        "user_name": "ana",
        "channel_id": "C9",
        "channel_name": "general",
        "response_url": "https://hooks.example/r",
        "trigger_id": "t1",
    }
    command, origin = command_event(body)
    assert command == Command(
        Sender("slack", "T1", "U1", "ana"), "rejected", "Acme & Co", channel="C9"
    )
    assert (origin.response_url, origin.trigger_id, origin.dm_channel) == (
        "https://hooks.example/r",
        "t1",
        "",
    )
    dm_command, in_dm = command_event({**body, "channel_id": "D1", "channel_name": "directmessage"})
    assert in_dm.dm_channel == ""  # response_url works in any DM, ours or not
    assert dm_command.channel == ""  # a DM is never a community channel
    group, _ = command_event({**body, "channel_id": "G1", "channel_name": "mpdm-ana--bo-1"})
    assert group.channel == ""
    private, _ = command_event({**body, "channel_id": "G2", "channel_name": "private-team"})
    assert private.channel == "G2"


def test_button_action_id_carries_the_engine_action() -> None:
    body = {
        "team": {"id": "T1"},
        "user": {"id": "U1", "username": "ana"},
        "channel": {"id": "D1"},
        "container": {"type": "message"},
    }
    press, origin = button_press(body, {"action_id": "bb|3|feedback.note|x", "value": "12"})
    assert press.choice == Choice(Sender("slack", "T1", "U1", "ana"), "feedback.note|x", "12")
    assert origin.dm_channel == "D1"
    ephemeral = {**body, "container": {"type": "message", "is_ephemeral": True}}
    _, origin = button_press(ephemeral, {"action_id": "bb|0|a"})
    assert origin.dm_channel == ""


def test_submission_values_by_input_kind() -> None:
    body = {
        "team": {"id": "T1"},
        "user": {"id": "U1", "name": "ana"},
        "view": {
            "callback_id": "rejection",
            "private_metadata": "7",
            "state": {
                "values": {
                    "company": {"value": {"type": "plain_text_input", "value": "A <b>"}},
                    "stage": {"value": {"type": "static_select", "selected_option": None}},
                    "day": {"value": {"type": "datepicker", "selected_date": "2026-01-02"}},
                    "odd": {"other": {"type": "plain_text_input", "value": "x"}},
                }
            },
        },
    }
    submission, _ = submission_event(body)
    assert submission.form_id == "rejection"
    assert submission.context == "7"
    assert submission.values == {"company": "A <b>", "stage": "", "day": "2026-01-02"}


def test_malformed_payloads_do_not_raise() -> None:
    submission, _ = submission_event({"view": "nonsense", "user": None})
    assert submission.values == {}
    assert message_event({"event": "x"}) is None
    assert message_event({}) is None


def test_dm_message() -> None:
    body = {
        "team_id": "T1",
        "event": {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
                  "text": "it went &lt;fine&gt;"},
    }  # fmt: skip
    found = message_event(body)
    assert found is not None
    message, origin = found
    assert message == Message(Sender("slack", "T1", "U1"), "it went <fine>")
    assert origin.dm_channel == "D1"
