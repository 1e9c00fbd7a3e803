"""Folding text for crisis matching, so disguise and slips of the keyboard do not hide a phrase.

Both the phrase list and what people type go through :func:`fold`, so matching compares like
with like. Folding is lossy on purpose (``kill`` and ``kil`` fold alike); it is only ever used
for matching, never shown or stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.text import clean

# Invisible characters ``clean`` keeps because they are harmless in stored text, but which
# split a word for a matcher: soft hyphen, Mongolian vowel separator, combining grapheme
# joiner, invisible operators, Hangul fillers, variation selectors.
_HIDDEN = re.compile("[\u00ad\u180e\u034f\u2061-\u2064\u115f\u1160\u3164\uffa0\ufe00-\ufe0f]")

# Marks on Latin, Greek, Cyrillic and Arabic letters are dropped (é -> e, й -> и, harakat);
# above U+0800 they carry meaning (Devanagari vowel signs, Japanese voicing marks) and stay.
_MARKS_DROPPED_BELOW = 0x0800
_NUKTA = "\u093c"  # often left out when typing Hindi: ख़ = ख

# Letters used in place of Latin look-alikes inside an otherwise Latin word ("kіll" with a
# Cyrillic і). Only mixed words are mapped, so Russian or Greek text is never touched.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕкмтԁһӏвнαεικνορτυ",
    "aeopcyxijskmtdhlbhaeikvoptu",
)
_CYRILLIC_GREEK = frozenset("аеорсухіјѕкмтԁһӏвнαεικνορτυ")

# Digits and signs written for letters ("k1ll", "d!e", "$uicide").
_LEET = str.maketrans("013457@$!|+", "oieastasilt")
# A number with a short unit is not leetspeak: "10kms", "3rd", "9am".
_NUMBER_WITH_UNIT = re.compile(r"\d+[a-z]{0,4}")

# Latin letters that carry their accent in the letter itself, so decomposition keeps them.
_LATIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe", "ı": "i"})

# Arabic letters that people write interchangeably (alef forms, alef maqsura, taa marbuta),
# and the tatweel that only stretches a word.
_ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})

# Characters that join a word without ending it: apostrophes (dont = don't), hyphens and dots
# inside a word ("self-harm", "s.u.i.c.i.d.e"), underscores.
_JOINERS = frozenset("'’‘`´ʼʻ-‐‑.·_")
_SPACE = re.compile(r"\s+")
_REPEATS = re.compile(r"(.)\1+")


def fold(text: str) -> str:
    """``text`` reduced to what matching compares: see the module docstring."""
    text = clean(text)
    # ASCII comes out of _normalized as lower() leaves it (a property test holds it to that),
    # and most text is ASCII: it skips a third of the work.
    text = text.lower() if text.isascii() else _normalized(text)
    words = [_fold_word(word) for word in _SPACE.split(text) if word]
    words = _join_spelled_out(" ".join(words).split())
    # Runs of one letter are squeezed ("diiiie", "kill" -> "kil"); phrases fold the same way.
    return _REPEATS.sub(r"\1", " ".join(words))


def _normalized(text: str) -> str:
    """``text`` without hidden characters, compatibility forms, case and dropped marks, and
    with letters whose accent does not decompose mapped to their base."""
    text = unicodedata.normalize("NFKC", _HIDDEN.sub("", text)).casefold()
    return _strip_marks(text).translate(_LATIN).translate(_ARABIC)


def _strip_marks(text: str) -> str:
    kept: list[str] = []
    base = 0
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            if base >= _MARKS_DROPPED_BELOW and char != _NUKTA:
                kept.append(char)
            continue
        base = ord(char)
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _fold_word(word: str) -> str:
    if _has_latin(word):
        if any(char in _CYRILLIC_GREEK for char in word):
            word = word.translate(_LOOKALIKES)
        if any(char.isdigit() or char in "@$!|+" for char in word) and not (
            _NUMBER_WITH_UNIT.fullmatch(word)
        ):
            word = _leet(word)
    chars: list[str] = []
    for index, char in enumerate(word):
        if char in _JOINERS:
            inside = 0 < index < len(word) - 1 and word[index - 1].isalnum()
            if inside and word[index + 1].isalnum():
                continue  # don't -> dont, self-harm -> selfharm
            chars.append(" ")
        elif char.isalnum() or unicodedata.category(char) in ("Mn", "Mc"):
            chars.append(char)
        else:
            chars.append(" ")
    return "".join(chars)


def _leet(word: str) -> str:
    # Signs at the very end are punctuation ("die!"), not letters.
    stripped = word.rstrip("!.,?")
    return stripped.translate(_LEET) + word[len(stripped) :]


def _has_latin(word: str) -> bool:
    return any("a" <= char <= "z" for char in word)


def _join_spelled_out(words: list[str]) -> list[str]:
    """``k i l l m y s e l f`` -> ``killmyself``: three or more single letters in a row."""
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        joined.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        if word:
            joined.append(word)
    return joined


class Speller:
    """Corrects a slip of one letter (edit distance 1) in longer words toward a known lexicon.

    Only words of five letters or more are corrected, toward lexicon words of six or more that
    start with the same letter: typos rarely hit the first letter, and this keeps "skill" from
    ever becoming "kill". Lookups use deletion neighbourhoods, so the cost does not grow with
    the lexicon.
    """

    MIN_WORD = 5
    MIN_TARGET = 6

    def __init__(self, lexicon: Iterable[str]) -> None:
        # Every known word is left alone, whatever its length: "quero" (Portuguese) must
        # not become "quiero" (Spanish).
        self._known = frozenset(lexicon)
        self._words = frozenset(w for w in self._known if len(w) >= self.MIN_TARGET and w.isalpha())
        self._by_deletion: dict[str, str] = {}
        for word in sorted(self._words):
            for variant in _deletions(word):
                self._by_deletion.setdefault(variant, word)

    def correct(self, text: str) -> str:
        """``text`` (already folded) with near misses replaced by lexicon words."""
        return " ".join(self._word(word) for word in text.split(" "))

    def _word(self, word: str) -> str:
        if len(word) < self.MIN_WORD or word in self._known or not word.isalpha():
            return word
        candidates = [self._by_deletion.get(word)]  # a letter missing
        for variant in _deletions(word):
            candidates.append(variant if variant in self._words else None)  # one too many
            candidates.append(self._by_deletion.get(variant))  # one wrong or swapped
        for candidate in candidates:
            if candidate is not None and candidate[0] == word[0]:
                return candidate
        return word


def _deletions(word: str) -> set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))}
