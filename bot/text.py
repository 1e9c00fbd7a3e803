"""Cleaning what people type before the engine looks at it or stores it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# Bidirectional overrides and isolates can make stored text display differently from what it
# is ("Trojan Source"); zero-width characters hide text or break matching. Neither belongs in a
# company name or a note, so they are dropped.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space/joiners, word joiner, BOM
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u200e\u200f\u061c"  # directional marks
)
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", re.ASCII)


def clean(text: str, *, multiline: bool = False) -> str:
    """``text`` made safe to store and show: no control characters, no invisible tricks.

    Lone surrogates (possible from some platforms' JSON) and other control characters are
    dropped; tabs become spaces; line breaks survive only in ``multiline`` text. Leading and
    trailing space is removed.
    """
    text = text.replace("\r\n", "\n")
    kept: list[str] = []
    for char in text:
        if char in _INVISIBLE:
            continue
        if char == "\n" or char == "\r":
            kept.append("\n" if multiline else " ")
        elif char == "\t":
            kept.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs"):
            continue
        else:
            kept.append(char)
    result = "".join(kept)
    if multiline:
        result = "\n".join(line.rstrip() for line in result.split("\n"))
    return result.strip()


def number(text: str, *, maximum: int = 1_000_000) -> int | None:
    """``text`` as a small positive whole number written in ASCII digits, else None."""
    text = text.strip()
    if not text or len(text) > 7 or not all("0" <= char <= "9" for char in text):
        return None
    value = int(text)
    return value if 0 < value <= maximum else None


def parse_time(text: str) -> dt.time | None:
    """``"9:30"`` or ``"09:30"`` as a time of day, else None."""
    match = _TIME.fullmatch(text.strip())
    return dt.time(int(match[1]), int(match[2])) if match else None
