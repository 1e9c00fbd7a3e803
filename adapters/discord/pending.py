"""State that does not fit in a 100-character custom id, kept in the database.

Only the rare cases land here: a form longer than one modal page, a refused form waiting to
be fixed, an over-long button value. Each gets a token (``bbx:<token>``, ``bbf#<token>``); the
entry is written to the store before the message or modal carrying the token is sent, so a
button the bot ever sent still works after a restart or on another instance. A bounded
memory in front of the store keeps the common case (the press comes a minute later, here)
off the database.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.discord.ports import Clock, MemoStore, utc_now
from bot.replies import Field, FieldKind, Form, Option

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FormSession:
    """A form being filled in over one or more modal pages."""

    form: Form
    known: Mapping[str, str] = field(default_factory=dict)
    community: str = ""  # the server, when the modal lives in a direct message


@dataclass(frozen=True, slots=True)
class ChoiceMemo:
    """A button whose action and value were too long for its custom id."""

    action: str
    value: str
    community: str = ""


Entry = FormSession | ChoiceMemo


class Pending:
    """Token -> entry: written through to ``store`` (when given) and cached in memory."""

    def __init__(
        self, capacity: int = 10_000, *, store: MemoStore | None = None, clock: Clock = utc_now
    ) -> None:
        self._capacity = capacity
        self._store = store
        self._clock = clock
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._unsaved: dict[str, Entry] = {}

    def put(self, entry: Entry) -> str:
        """Remember ``entry``; returns its 16-hex-digit token. :meth:`save` makes it durable."""
        token = secrets.token_hex(8)
        self._remember(token, entry)
        if self._store is not None:
            self._unsaved[token] = entry
        return token

    async def save(self) -> None:
        """Write what :meth:`put` took since the last save; call it before sending the token."""
        if self._store is None or not self._unsaved:
            return
        unsaved, self._unsaved = self._unsaved, {}
        now = self._clock()
        for token, entry in unsaved.items():
            await self._store.remember_memo(token, encode(entry), now)

    async def find(self, token: str) -> Entry | None:
        """The entry for ``token``, from memory or the store; it stays, so a form can be
        reopened after a mistake."""
        entry = self._entries.get(token)
        if entry is not None:
            self._entries.move_to_end(token)
            return entry
        if self._store is None:
            return None
        data = await self._store.memo(token)
        if data is None:
            return None
        try:
            entry = decode(data)
        except (ValueError, KeyError, TypeError):
            log.warning("a stored button could not be read; treated as expired")
            return None
        self._remember(token, entry)
        return entry

    def _remember(self, token: str, entry: Entry) -> None:
        self._entries[token] = entry
        self._entries.move_to_end(token)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def encode(entry: Entry) -> str:
    """An entry as JSON text."""
    if isinstance(entry, ChoiceMemo):
        data: dict[str, Any] = {
            "kind": "choice",
            "action": entry.action,
            "value": entry.value,
            "community": entry.community,
        }
    else:
        form = entry.form
        data = {
            "kind": "form",
            "community": entry.community,
            "known": dict(entry.known),
            "form": {
                "form_id": form.form_id,
                "title": form.title,
                "submit_label": form.submit_label,
                "context": form.context,
                "errors": dict(form.errors),
                "fields": [
                    {
                        "name": f.name,
                        "label": f.label,
                        "kind": f.kind.value,
                        "required": f.required,
                        "max_length": f.max_length,
                        "options": [[o.value, o.label] for o in f.options],
                        "initial": f.initial,
                        "placeholder": f.placeholder,
                    }
                    for f in form.fields
                ],
            },
        }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Entry:
    """An entry from :func:`encode`'s JSON; raises ValueError, KeyError or TypeError."""
    data = json.loads(text)
    if data["kind"] == "choice":
        return ChoiceMemo(str(data["action"]), str(data["value"]), str(data["community"]))
    raw = data["form"]
    fields = tuple(
        Field(
            name=str(f["name"]),
            label=str(f["label"]),
            kind=FieldKind(f["kind"]),
            required=bool(f["required"]),
            max_length=int(f["max_length"]),
            options=tuple(Option(str(value), str(label)) for value, label in f["options"]),
            initial=str(f["initial"]),
            placeholder=str(f["placeholder"]),
        )
        for f in raw["fields"]
    )
    form = Form(
        form_id=str(raw["form_id"]),
        title=str(raw["title"]),
        fields=fields,
        submit_label=str(raw["submit_label"]),
        context=str(raw["context"]),
        errors={str(k): str(v) for k, v in raw["errors"].items()},
    )
    known = {str(k): str(v) for k, v in data["known"].items()}
    return FormSession(form, known, str(data["community"]))
