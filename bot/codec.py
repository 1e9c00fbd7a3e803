"""Events as plain JSON, so work acknowledged to a platform can wait durably and be redone.

Only the engine's own event types travel; anything else is refused when read back.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from bot.events import Choice, Command, Event, FormSubmission, Message, Sender

_KINDS: dict[str, type[Command] | type[Choice] | type[FormSubmission] | type[Message]] = {
    "command": Command,
    "choice": Choice,
    "form": FormSubmission,
    "message": Message,
}
_NAMES = {kind: name for name, kind in _KINDS.items()}
# Every event's fields are plain values but its sender (and a form's values): read by name,
# shallowly, which costs a third of dataclasses.asdict's deep copy on an acknowledgement's path.
_FIELDS = {kind: tuple(f.name for f in fields(kind)) for kind in _KINDS.values()}
_SENDER_FIELDS = tuple(f.name for f in fields(Sender))


class CodecError(ValueError):
    """Stored text is not an event this version can read."""


def encode_event(event: Event, extra: dict[str, str] | None = None) -> str:
    """``event`` (and ``extra``, an adapter's own routing strings) as JSON text."""
    values = {name: getattr(event, name) for name in _FIELDS[type(event)]}
    values["sender"] = {name: getattr(event.sender, name) for name in _SENDER_FIELDS}
    if isinstance(event, FormSubmission):
        values["values"] = dict(event.values)
    return json.dumps({"kind": _NAMES[type(event)], "event": values, "extra": extra or {}})


def decode_event(text: str) -> tuple[Event, dict[str, str]]:
    """The event and the extra strings that :func:`encode_event` wrote."""
    try:
        data: Any = json.loads(text)
        kind = _KINDS[data["kind"]]
        fields = dict(data["event"])
        fields["sender"] = Sender(**fields["sender"])
        extra = {str(k): str(v) for k, v in dict(data.get("extra") or {}).items()}
        return kind(**fields), extra
    except (ValueError, KeyError, TypeError) as error:
        raise CodecError("not a stored event") from error
