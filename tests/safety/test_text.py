"""Folding text for crisis matching: each disguise and slip, one test."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.safety_text import Speller, _normalized, fold


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("I WANT", "i want"),  # case
        ("ｉ ｗａｎｔ ｔｏ ｄｉｅ", "i want to die"),  # full-width (NFKC)
        ("𝐝𝐢𝐞", "die"),  # mathematical bold letters
        ("não", "nao"),  # accents
        ("Ölmek İstiyorum", "olmek istiyorum"),  # Turkish dotted capital I
        ("umarł", "umarl"),  # a letter whose accent does not decompose
        ("k\u200bi\u200dl\u2060l", "kil"),  # zero-width characters
        ("sui\u00adcide", "suicide"),  # soft hyphen
        ("k1ll mys3lf", "kil myself"),  # digits used as letters
        ("$uicide", "suicide"),  # signs used as letters
        ("d!e!", "die"),  # "!" inside a word is a letter, at the end punctuation
        ("d\u0456e", "die"),  # a Cyrillic look-alike inside a Latin word
        ("don't", "dont"),  # apostrophes
        ("don’t", "dont"),  # curly apostrophes
        ("self-harm", "selfharm"),  # hyphens inside a word
        ("s.u.i.c.i.d.e", "suicide"),  # dots between letters
        ("k i l l  m y s e l f", "kilmyself"),  # letters spelled out
        ("diiiiie", "die"),  # repeated letters
        ("kill", "kil"),  # ... squeezed alike on both sides
        ("  i    want\tto\n die  ", "i want to die"),  # repeated spaces
        ("I want to die.", "i want to die"),  # punctuation
    ],
)
def test_each_disguise_folds_away(typed: str, folded: str) -> None:
    assert fold(typed) == folded


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("хочу умереть", "хочу умереть"),  # Cyrillic words keep their letters
        ("й", "и"),  # ... but lose their marks
        ("मरना चाहती", "मरना चाहती"),  # Devanagari vowel signs carry meaning and stay
        ("ख़ुद", "खुद"),  # the nukta, often left out, does not
        ("死にたい", "死にたい"),
        ("ｼﾆﾀｲ", "シニタイ"),  # half-width katakana
        ("죽고 싶어", "죽고 싶어"),  # Hangul survives decomposition
        ("أموت", "اموت"),  # Arabic alef forms
        ("10kms", "10kms"),  # a number with a unit is not leetspeak
        ("1 I want", "1 i want"),  # nor is a number on its own
        ("i want a job", "i want a job"),  # two single letters are not a spelled-out word
    ],
)
def test_what_must_survive_folding(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_the_speller_forgives_one_slip_in_a_longer_word() -> None:
    speller = Speller(["myself", "anymore", "living"])
    assert speller.correct("kil mysefl") == "kil myself"  # swapped letters
    assert speller.correct("anymre") == "anymore"  # one missing
    assert speller.correct("livving") == "living"  # one too many (before squeezing)
    assert speller.correct("livng") == "living"


def test_the_speller_leaves_everything_else_alone() -> None:
    speller = Speller(["killing", "quiero", "quero", "living"])
    assert speller.correct("skilling") == "skilling"  # another first letter: never "killing"
    assert speller.correct("quero") == "quero"  # a known word of another language
    assert speller.correct("livn") == "livn"  # too short to guess
    assert speller.correct("mxsxlf") == "mxsxlf"  # two slips


@given(st.text(st.characters(max_codepoint=0x7F)))
def test_ascii_normalizes_as_lowercasing_it_does(typed: str) -> None:
    """What lets :func:`fold` skip the Unicode steps for ASCII text."""
    assert _normalized(typed) == typed.lower()


@pytest.mark.parametrize("typed", ["Ünïcode", "ｉ ｗａｎｔ", "sui\u00adcide", "İstanbul"])
def test_text_that_is_not_ascii_is_normalized(typed: str) -> None:
    assert _normalized(typed) != typed.lower()
