"""Care in a crisis: noticing words that suggest self-harm.

This is not therapy and makes no diagnosis. A match only means the bot answers with support
resources, holds its upbeat nudges and asks before saving what was typed (see ``bot.care``);
the words stay out of storage, logs and anything public. The phrases, patterns and everyday
idioms to ignore live in ``bot/content/safety.toml``, one table per language.

Matching is deterministic and stdlib only: text is folded (``bot.safety_text``), near misses
of longer words are corrected, idioms are blanked out, then one compiled expression per kind
of script is searched.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from bot.events import Choice, Command, Event, FormSubmission, Message
from bot.safety_text import Speller, fold

HOLD_DAYS = 3

# A phrase found inside one longer word ("Selbstmordgedanken", "iwanttodie") counts only if
# it is at least this long, so short slang ("kms") never fires inside "100kms".
GLUED_MIN = 6
# Word characters, plus the Indic vowel signs that ``\w`` does not count as letters.
_WORD = r"[\w\u0900-\u0dff]"
_GROUP = re.compile(r"\{(\w+)\}")
STEM = "*"  # at the end of a word in an entry: any ending ("intihar*")
GAP = "..."  # in a pattern: up to three other words (six characters in a substring language)
_GAP_WORDS = r"(?:\s+[^\s\u00a6]+){0,3}?"
_GAP_CHARS = r"[^\s\u00a6]{0,6}?"
_BUILT_IN = {"number": [r"\d+"]}
_ERASED = " \u00a6 "  # a broken bar: nothing matches across an erased idiom


@dataclass(frozen=True, slots=True)
class Language:
    """One language's table in the data file."""

    code: str
    substring: bool = False  # written without spaces between words (ja, zh), or agglutinative
    phrases: Sequence[str] = ()
    patterns: Sequence[str] = ()
    exclude: Sequence[str] = ()
    groups: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @classmethod
    def from_table(cls, code: str, table: Mapping[str, Any]) -> Language:
        """A language from its TOML table, checked so a typo fails loudly at start."""
        known = {"match", "phrases", "patterns", "exclude", "groups"}
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"safety.toml [{code}]: unknown keys {sorted(unknown)}")
        match = table.get("match", "words")
        if match not in ("words", "substring"):
            raise ValueError(f"safety.toml [{code}]: match is words or substring")
        raw_groups: Mapping[str, Sequence[str]] = table.get("groups", {})
        groups = {str(name): [str(item) for item in items] for name, items in raw_groups.items()}
        return cls(
            code=code,
            substring=match == "substring",
            phrases=[str(p) for p in table.get("phrases", [])],
            patterns=[str(p) for p in table.get("patterns", [])],
            exclude=[str(p) for p in table.get("exclude", [])],
            groups=groups,
        )

    def expressions(self, exclusions: bool = False) -> Iterator[str]:
        """Regular expressions for the phrases and patterns (or the exclusions), folded."""
        for source in self.exclude if exclusions else [*self.phrases, *self.patterns]:
            yield _compile_pattern(source, self.groups, self.code, self.substring)

    def words(self) -> Iterator[str]:
        """Every folded word the language's entries use: what a near miss is corrected to."""
        sources = [p.replace(GAP, " ") for p in [*self.phrases, *self.patterns, *self.exclude]]
        sources += [item for items in self.groups.values() for item in items]
        for source in sources:
            words = [w.removesuffix(STEM) for w in folded_words(_GROUP.sub(" ", source))]
            yield from words
            # Spaces are optional, so "my self" is also the word "myself".
            yield from (first + second for first, second in itertools.pairwise(words))


def _compile_pattern(
    source: str, groups: Mapping[str, Sequence[str]], code: str, substring: bool
) -> str:
    """``"{want} die"`` -> a regex: each word or group may be glued to the one before it."""
    pieces: list[str] = []
    first = True
    for chunk in re.split(r"(\{\w+\}|\.\.\.)", source):
        if chunk == GAP:
            pieces.append(_GAP_CHARS if substring else _GAP_WORDS)
            continue
        name = _GROUP.fullmatch(chunk)
        if name is not None:
            if name[1] in groups:
                pieces.append(_alternation(groups[name[1]], first=first))
            elif name[1] in _BUILT_IN:
                pieces.append(r"\s*(?:" + "|".join(_BUILT_IN[name[1]]) + ")")
            else:
                raise ValueError(f"safety.toml [{code}]: no group {name[1]!r} in {source!r}")
            first = False
            continue
        for word in folded_words(chunk):
            pieces.append(_word(word, first=first))
            first = False
    if not pieces:
        raise ValueError(f"safety.toml [{code}]: empty entry")
    return "".join(pieces)


def folded_words(entry: str) -> list[str]:
    """The words of a data-file entry, folded; a trailing ``*`` (any ending) is kept."""
    words: list[str] = []
    for raw in entry.split():
        stem = raw.endswith(STEM) and len(raw) > 1
        folded = fold(raw.removesuffix(STEM) if stem else raw).split()
        if stem and folded:
            folded[-1] += STEM
        words.extend(folded)
    return words


def _alternation(alternatives: Iterable[str], *, first: bool) -> str:
    ordered = sorted(set(alternatives), key=len, reverse=True)  # longest first
    branches = [_phrase(folded_words(item), first=first) for item in ordered]
    return "(?:" + "|".join(branches) + ")"


def _phrase(words: Sequence[str], *, first: bool) -> str:
    return "".join(_word(word, first=first and index == 0) for index, word in enumerate(words))


def _word(word: str, *, first: bool) -> str:
    ending = ""
    if word.endswith(STEM):
        word, ending = word.removesuffix(STEM), f"{_WORD}*"
    if first:
        return re.escape(word) + ending
    # Spaces between words are optional ("killmyself"). Folding squeezes double letters, so a
    # glued "wanttodie" reads "wantodie": the next word may then share its first letter.
    shared = rf"(?<={re.escape(word[0])}){re.escape(word[1:])}"
    return rf"(?:\s*{re.escape(word)}|{shared}){ending}"


class CrisisWords:
    """The maintained lists (``bot/content/safety.toml``), compiled once for every message."""

    def __init__(self, languages: Iterable[Language]) -> None:
        self.languages = tuple(languages)
        by_words = [lang for lang in self.languages if not lang.substring]
        by_substring = [lang for lang in self.languages if lang.substring]
        self._words = _any(e for lang in by_words for e in lang.expressions())
        self._bounded = _bounded(self._words)
        self._substring = _any(e for lang in by_substring for e in lang.expressions())
        self._idioms = _any(e for lang in by_words for e in lang.expressions(exclusions=True))
        self._idioms_bounded = _bounded(self._idioms)
        self._idioms_substring = _any(
            e for lang in by_substring for e in lang.expressions(exclusions=True)
        )
        self._speller = Speller(word for lang in by_words for word in lang.words())

    @classmethod
    def parse(cls, raw: str) -> CrisisWords:
        """The lists in a TOML document laid out like ``safety.toml``."""
        data = tomllib.loads(raw)
        return cls(Language.from_table(code, table) for code, table in data.items())

    @classmethod
    def load(cls) -> CrisisWords:
        """The packaged lists, every language."""
        raw = resources.files("bot").joinpath("content/safety.toml").read_text(encoding="utf-8")
        return cls.parse(raw)

    def prepare(self, text: str) -> str:
        """``text`` as the matcher sees it: folded, near misses corrected, idioms blanked."""
        folded = self._speller.correct(fold(text))
        if self._idioms_substring is not None:
            folded = self._idioms_substring.sub(_ERASED, folded)
        if self._idioms_bounded is not None:
            folded = self._idioms_bounded.sub(_ERASED, folded)
        if self._idioms is not None:
            folded = " ".join(_erase_glued(self._idioms, word) for word in folded.split(" "))
        return folded

    def found_in(self, text: str) -> bool:
        """Whether ``text`` contains a phrase that suggests a crisis."""
        if not text.strip():
            return False
        prepared = self.prepare(text)
        if self._substring is not None and self._substring.search(prepared):
            return True
        if self._bounded is None or self._words is None:
            return False
        if self._bounded.search(prepared):
            return True
        return any(_glued(self._words, word) for word in prepared.split(" "))

    def flagged_fields(self, values: Mapping[str, str]) -> set[str]:
        """The names of the form fields whose text contains a phrase."""
        return {n for n, v in values.items() if isinstance(v, str) and self.found_in(v)}

    def in_event(self, event: Event) -> bool:
        """Whether anything the person typed in ``event`` contains a phrase."""
        match event:
            case Command(text=text) | Message(text=text):
                return self.found_in(text)
            case FormSubmission(values=values):
                return bool(self.flagged_fields(values))
            case Choice():
                return False


def _any(expressions: Iterable[str]) -> re.Pattern[str] | None:
    branches = sorted(set(expressions), key=len, reverse=True)
    return re.compile("|".join(f"(?:{b})" for b in branches)) if branches else None


def _bounded(pattern: re.Pattern[str] | None) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    return re.compile(rf"(?<!{_WORD})(?:{pattern.pattern})(?!{_WORD})")


def _glued(pattern: re.Pattern[str], word: str) -> bool:
    if len(word) < GLUED_MIN:
        return False
    return any(len(found[0]) >= GLUED_MIN for found in pattern.finditer(word))


def _erase_glued(pattern: re.Pattern[str], word: str) -> str:
    if len(word) < GLUED_MIN:
        return word
    return pattern.sub(lambda m: _ERASED if len(m[0]) >= GLUED_MIN else m[0], word)
