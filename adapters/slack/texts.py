"""The Slack adapter's own few user-facing words, read from ``messages.toml``."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.words import packaged_words


@dataclass(frozen=True, slots=True)
class Texts:
    """Fallback words the adapter needs when the engine has nothing to say (errors, limits)."""

    close_label: str
    ellipsis: str
    continued: str
    generic_error: str
    form_later: str
    file_failed: str


texts = packaged_words(Texts, "adapters.slack")
"""The adapter's words, loaded once from the packaged data file."""
