"""Care in a crisis: noticing words that suggest self-harm, and answering privately and warmly.

This is not therapy and makes no diagnosis. A match only means the bot stops what it was doing,
answers with support resources (the community's, or a sensible international default), holds
its upbeat nudges for a while, and keeps the words out of storage, logs and anything public.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources

from bot.events import Choice, Command, Event, FormSubmission, Message
from bot.text import clean

HOLD_DAYS = 3


def _fold(text: str) -> str:
    """Lower case, no accents, single spaces, curly apostrophes straightened."""
    decomposed = unicodedata.normalize("NFKD", clean(text).casefold().replace("’", "'"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.split())


class CrisisWords:
    """The maintained phrase list (``bot/content/safety.toml``), compiled for whole-word search."""

    def __init__(self, phrases: Iterable[str]) -> None:
        folded = sorted({_fold(phrase) for phrase in phrases if phrase.strip()}, key=len)
        alternatives = "|".join(re.escape(phrase) for phrase in reversed(folded))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if folded else None

    @classmethod
    def load(cls) -> CrisisWords:
        """The packaged list, every language."""
        raw = resources.files("bot").joinpath("content/safety.toml").read_text(encoding="utf-8")
        data: Mapping[str, list[str]] = tomllib.loads(raw)["phrases"]
        return cls(phrase for phrases in data.values() for phrase in phrases)

    def found_in(self, text: str) -> bool:
        """Whether ``text`` contains any phrase."""
        return self._pattern is not None and self._pattern.search(_fold(text)) is not None

    def in_event(self, event: Event) -> bool:
        """Whether anything the person typed in ``event`` contains a phrase."""
        match event:
            case Command(text=text) | Message(text=text):
                return self.found_in(text)
            case FormSubmission(values=values):
                return any(isinstance(v, str) and self.found_in(v) for v in values.values())
            case Choice():
                return False
