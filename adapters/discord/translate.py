"""Discord's payloads to the engine's terms and back: senders, custom ids, submitted values.

Custom ids carry everything a button or modal needs, so a press or a submission still works
after a restart or on another instance. Discord caps a custom id at 100 characters; anything
longer is stored under a short token instead (see :mod:`adapters.discord.pending`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from bot.events import Sender

PLATFORM = "discord"
DM_COMMUNITY = "dm"
CUSTOM_ID_LIMIT = 100

# A button's choice. ``community`` is set on messages in a direct message that belong to a
# server's member (check-ins, the recovery plan): a DM itself says nothing about the server.
CHOICE_TEMPLATE = r"bb(?:@(?P<community>[0-9]{1,20}))?:(?P<action>[^:]*):(?P<value>[\s\S]*)"
# A button whose meaning is stored under a token (a long form, a refused form, a long choice).
PENDING_PREFIX = "bbx:"
PENDING_TEMPLATE = PENDING_PREFIX + r"(?P<token>[0-9a-f]{16})"
# The "I've opened my DMs" button.
DMS_CHECK_ID = "bb!dms"
# Modals: stateless ``bbf:<query>`` or stored ``bbf#<token>``.
FORM_PREFIX = "bbf:"
FORM_MEMORY_PREFIX = "bbf#"

_CHOICE = re.compile(CHOICE_TEMPLATE)


def sender(user_id: int, display_name: str, community: str, *, is_admin: bool = False) -> Sender:
    """The engine's view of a Discord user in ``community`` (a guild id or ``"dm"``);
    ``is_admin`` when they may change the server's settings (Manage Server)."""
    return Sender(PLATFORM, community, str(user_id), display_name, is_admin=is_admin)


def community_of(guild_id: int | None, carried: str = "") -> str:
    """The community an interaction belongs to: its guild, else what a custom id carried."""
    if guild_id is not None:
        return str(guild_id)
    return carried or DM_COMMUNITY


def choice_id(action: str, value: str, community: str = "") -> str | None:
    """The custom id of a choice button, or None if it does not fit in 100 characters."""
    marker = f"@{community}" if community.isdigit() else ""
    custom_id = f"bb{marker}:{_quote_action(action)}:{value}"
    return custom_id if len(custom_id) <= CUSTOM_ID_LIMIT else None


def parse_choice_id(custom_id: str) -> tuple[str, str, str] | None:
    """``(action, value, community)`` from a choice button's custom id."""
    match = _CHOICE.fullmatch(custom_id)
    if match is None:
        return None
    return _unquote_action(match["action"]), match["value"], match["community"] or ""


def _quote_action(action: str) -> str:
    return action.replace("%", "%25").replace(":", "%3A")


def _unquote_action(action: str) -> str:
    return action.replace("%3A", ":").replace("%25", "%")


@dataclass(frozen=True, slots=True)
class FormState:
    """What a modal must remember: which form, its context, whose it is, values already known."""

    form_id: str
    context: str = ""
    community: str = ""
    known: Mapping[str, str] = field(default_factory=dict)


def form_id_for(state: FormState) -> str | None:
    """A stateless modal custom id for ``state``, or None if it does not fit."""
    pairs = [("f", state.form_id)]
    if state.context:
        pairs.append(("c", state.context))
    if state.community:
        pairs.append(("g", state.community))
    pairs.extend((f"v.{name}", value) for name, value in state.known.items())
    custom_id = FORM_PREFIX + urlencode(pairs)
    return custom_id if len(custom_id) <= CUSTOM_ID_LIMIT else None


def parse_form_id(custom_id: str) -> FormState | None:
    """The state a stateless modal custom id carries; None if it is not one of ours."""
    if not custom_id.startswith(FORM_PREFIX):
        return None
    form_id, context, community = "", "", ""
    known: dict[str, str] = {}
    for key, value in parse_qsl(custom_id[len(FORM_PREFIX) :], keep_blank_values=True):
        if key == "f":
            form_id = value
        elif key == "c":
            context = value
        elif key == "g" and value.isdigit():
            community = value
        elif key.startswith("v."):
            known[key[2:]] = value
    if not form_id:
        return None
    return FormState(form_id, context, community, known)


def submitted_values(components: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Field name -> text from a modal submission's components, in either layout Discord uses
    (action rows of inputs, or labels wrapping an input or a select menu)."""
    values: dict[str, str] = {}
    for component in components:
        kind = component.get("type")
        if kind == 1:
            values.update(submitted_values(component.get("components", ())))
        elif kind == 18 and isinstance(component.get("component"), Mapping):
            values.update(submitted_values((component["component"],)))
        elif isinstance(component.get("custom_id"), str):
            if kind == 4:
                values[component["custom_id"]] = str(component.get("value") or "")
            elif kind == 3:
                chosen = component.get("values") or []
                values[component["custom_id"]] = str(chosen[0]) if chosen else ""
    return values


def nonce_for(key: str, index: int) -> str:
    """A deterministic nonce for the ``index``-th message of planned send ``key``.

    With ``enforce_nonce`` Discord answers a repeat of the same nonce (within a few minutes)
    with the message it already created, so a retried send never posts twice.
    """
    return hashlib.sha256(f"{key}\x00{index}".encode()).hexdigest()[:24]
