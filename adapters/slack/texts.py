"""The Slack adapter's own few user-facing words, read from ``messages.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Texts:
    """Fallback words the adapter needs when the engine has nothing to say (errors, limits)."""

    close_label: str
    ellipsis: str
    continued: str
    generic_error: str
    form_later: str
    file_failed: str


@cache
def texts() -> Texts:
    """The adapter's words, loaded once from the packaged data file."""
    raw = (
        resources.files(__package__ or "adapters.slack")
        .joinpath("messages.toml")
        .read_text("utf-8")
    )
    return Texts(**tomllib.loads(raw))
