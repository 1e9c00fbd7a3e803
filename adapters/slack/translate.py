"""Slack payloads to Bounceback's neutral events, and where each one should be answered.

Pure functions over the JSON Slack sends; nothing here talks to Slack or the engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.events import Choice, Command, FormSubmission, Message, Sender

PLATFORM = "slack"

# Buttons carry the engine's action in their action_id as "bb|<index>|<action>": the index keeps
# action_ids unique within a message (Slack requires it) even when two buttons share an action.
BUTTON_PREFIX = "bb"
# A button that opens a form the engine asked for where no modal could be opened directly.
FORM_BUTTON_PREFIX = "bbform"
# Every form input's action_id; the field name is the input block's block_id.
INPUT_ACTION_ID = "value"

Payload = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an event happened, so that its replies go back to the right place.

    ``response_url`` answers a slash command or a button in the channel it came from (ephemeral
    or not); ``trigger_id`` opens a modal for about three seconds; ``dm_channel`` is set when the
    event came from the person's direct conversation with the bot.
    """

    team_id: str
    user_id: str
    response_url: str = ""
    trigger_id: str = ""
    dm_channel: str = ""


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A press on a button Bounceback rendered: an engine choice or a deferred form."""

    choice: Choice | None = None
    form_blob: str = ""


def _text(payload: Payload, *path: str) -> str:
    """The string at ``path`` in a nested payload, or "" when any step is missing."""
    node: Any = payload
    for key in path:
        if not isinstance(node, Mapping):
            return ""
        node = node.get(key)
    return node if isinstance(node, str) else ""


_SPECIAL = re.compile(r"<([^<>]*)>")


def _plain_special(match: re.Match[str]) -> str:
    """One ``<...>`` sequence of Slack markup as the words a person would read."""
    target, _, label = match.group(1).partition("|")
    if target.startswith(("@", "#")):  # <@U123|ana>, <#C123|general>
        return target[0] + (label or target[1:])
    if target.startswith("!"):  # <!channel>, <!subteam^S1|@team>, <!date^...|fallback>
        if label:
            return label
        return "@" + target[1:].split("^", 1)[0]
    if label:  # <https://example.com|example.com>, <mailto:a@b.c|a@b.c>
        return label
    return target.removeprefix("mailto:")


def slack_to_plain(text: str) -> str:
    """Slack's encoded message text (entities, ``<...>`` links and mentions) as plain text.

    The engine only ever sees plain text; the renderer escapes it again on the way out, so a
    mention typed by a person can never turn into a real ping in Bounceback's answer.
    """
    plain = _SPECIAL.sub(_plain_special, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def command_channel(body: Payload) -> str:
    """The channel a slash command was typed in; "" in a direct or group DM, which can be
    nobody's community channel."""
    channel = _text(body, "channel_id")
    name = _text(body, "channel_name")
    if channel.startswith("D") or name == "directmessage" or name.startswith("mpdm-"):
        return ""
    return channel


def _display_name(user: Payload) -> str:
    return _text(user, "username") or _text(user, "name")


def command_event(body: Payload) -> tuple[Command, Origin]:
    """A slash command payload: ``/rejected Acme`` -> ``Command(name="rejected", text="Acme")``."""
    team_id = _text(body, "team_id")
    user_id = _text(body, "user_id")
    sender = Sender(PLATFORM, team_id, user_id, _text(body, "user_name"))
    name = _text(body, "command").lstrip("/")
    # Answered through response_url wherever it was typed (a channel, the bot's DM, a DM
    # between people): it works in all of them, and the bot need not be a member.
    origin = Origin(
        team_id=team_id,
        user_id=user_id,
        response_url=_text(body, "response_url"),
        trigger_id=_text(body, "trigger_id"),
    )
    text = slack_to_plain(_text(body, "text")).strip()
    return Command(sender, name, text, channel=command_channel(body)), origin


def _interaction_sender(body: Payload) -> Sender:
    user = body.get("user")
    user = user if isinstance(user, Mapping) else {}
    team_id = _text(body, "team", "id") or _text(user, "team_id")
    return Sender(PLATFORM, team_id, _text(user, "id"), _display_name(user))


def button_press(body: Payload, action: Payload) -> tuple[ButtonPress, Origin]:
    """One action of a ``block_actions`` payload; an unknown action_id gives an empty press."""
    sender = _interaction_sender(body)
    channel = _text(body, "channel", "id") or _text(body, "container", "channel_id")
    container = body.get("container")
    ephemeral = isinstance(container, Mapping) and container.get("is_ephemeral") is True
    origin = Origin(
        team_id=sender.community,
        user_id=sender.user_id,
        response_url=_text(body, "response_url"),
        trigger_id=_text(body, "trigger_id"),
        # A non-ephemeral message in a D channel that carries our buttons is in our own DM.
        dm_channel=channel if channel.startswith("D") and not ephemeral else "",
    )
    prefix, _, rest = _text(action, "action_id").partition("|")
    value = _text(action, "value")
    if prefix == BUTTON_PREFIX:
        _, _, engine_action = rest.partition("|")
        return ButtonPress(choice=Choice(sender, engine_action, value)), origin
    if prefix == FORM_BUTTON_PREFIX:
        return ButtonPress(form_blob=value), origin
    return ButtonPress(), origin


def _input_value(element: Payload) -> str:
    """What a person entered in one modal input, as text ("" when left empty)."""
    kind = _text(element, "type")
    if kind == "datepicker":
        return _text(element, "selected_date")
    if kind in {"static_select", "radio_buttons"}:
        return _text(element, "selected_option", "value")
    return _text(element, "value")


def submission_event(body: Payload) -> tuple[FormSubmission, Origin]:
    """A ``view_submission``: form id and context ride in ``callback_id``/``private_metadata``.

    Modal inputs arrive exactly as typed (Slack does not encode them), so no decoding here.
    """
    sender = _interaction_sender(body)
    view = body.get("view")
    view = view if isinstance(view, Mapping) else {}
    values: dict[str, str] = {}
    state = view.get("state")
    blocks = state.get("values") if isinstance(state, Mapping) else None
    if isinstance(blocks, Mapping):
        for block_id, elements in blocks.items():
            if isinstance(elements, Mapping):
                element = elements.get(INPUT_ACTION_ID)
                if isinstance(element, Mapping):
                    values[str(block_id)] = _input_value(element)
    event = FormSubmission(
        sender,
        form_id=_text(view, "callback_id"),
        values=values,
        context=_text(view, "private_metadata"),
    )
    origin = Origin(team_id=sender.community, user_id=sender.user_id)
    return event, origin


def message_event(body: Payload) -> tuple[Message, Origin] | None:
    """Words a person typed in their DM with the bot; None for anything else.

    Bot posts (including our own echoes), edits, deletions, joins and every other message
    subtype are ignored: only a person's fresh words are an answer.
    """
    event = body.get("event")
    if not isinstance(event, Mapping):
        return None
    if _text(event, "type") != "message" or _text(event, "channel_type") != "im":
        return None
    if event.get("subtype") or event.get("bot_id"):
        return None
    team_id = _text(body, "team_id") or _text(event, "team")
    user_id = _text(event, "user")
    text = slack_to_plain(_text(event, "text")).strip()
    if not user_id or not text:
        return None
    origin = Origin(team_id=team_id, user_id=user_id, dm_channel=_text(event, "channel"))
    return Message(Sender(PLATFORM, team_id, user_id), text), origin


def profile_change(body: Payload) -> Sender | None:
    """A ``user_change`` event as the person with their (new) time zone; None when it says
    nothing the engine can use (no zone, a bot, a deactivated account)."""
    event = body.get("event")
    user = event.get("user") if isinstance(event, Mapping) else None
    if not isinstance(user, Mapping) or user.get("deleted") is True or user.get("is_bot") is True:
        return None
    user_id, zone = _text(user, "id"), _text(user, "tz")
    team_id = _text(body, "team_id") or _text(user, "team_id")
    if not (user_id and zone and team_id):
        return None
    return Sender(PLATFORM, team_id, user_id, timezone=zone)
