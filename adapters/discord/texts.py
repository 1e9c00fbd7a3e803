"""The Discord adapter's own few user-facing words, read from ``messages.toml``."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.words import packaged_words


@dataclass(frozen=True, slots=True)
class Texts:
    """Words the adapter needs when the engine has nothing to say (errors, limits, DMs)."""

    ellipsis: str
    shortened: str
    generic_error: str
    done: str
    sent_to_dms: str
    open_dm: str
    dms_closed: str
    dms_check: str
    dms_hello: str
    dms_working: str
    dms_still_closed: str
    form_later: str
    form_open: str
    form_fix: str
    form_more: str
    form_continue: str
    form_expired: str
    date_placeholder: str
    choose_one: str
    thread_name: str


texts = packaged_words(Texts, "adapters.discord")
"""The adapter's words, loaded once from the packaged data file."""
