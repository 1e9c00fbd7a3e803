"""Short-lived state that does not fit in a 100-character custom id, kept in memory.

Only the rare cases land here: a form longer than one modal page, a refused form waiting to
be fixed, an over-long button value. After a restart such a button says the form expired and
asks the person to start again; everything else survives restarts through its custom id.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.replies import Form


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
    """A bounded map of token -> entry; the oldest entries go first when it is full."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, Entry] = OrderedDict()

    def put(self, entry: Entry) -> str:
        """Remember ``entry``; returns its 16-hex-digit token."""
        token = secrets.token_hex(8)
        self._entries[token] = entry
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
        return token

    def get(self, token: str) -> Entry | None:
        """The entry for ``token``; it stays, so a form can be reopened after a mistake."""
        entry = self._entries.get(token)
        if entry is not None:
            self._entries.move_to_end(token)
        return entry

    def __len__(self) -> int:
        return len(self._entries)
