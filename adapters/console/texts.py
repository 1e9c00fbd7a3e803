"""The console's own few user-facing words, read from ``messages.toml``."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.words import packaged_words


@dataclass(frozen=True, slots=True)
class Texts:
    """Words the terminal needs that the engine does not say (forms, /next, the greeting)."""

    welcome: str
    help_console: str
    form_title: str
    form_cancelled: str
    field_optional: str
    field_needed: str
    field_too_long: str
    saved_to: str
    next_moved: str
    next_nothing: str


texts = packaged_words(Texts, "adapters.console")
"""The console's words, loaded once from the packaged data file."""
