"""The figures: recall and false alarms on the corpus, overall and for every language."""

from __future__ import annotations

import pytest

from bot.safety import CrisisWords
from tests.safety.corpus import Line, read_corpus

LANGUAGES = {"en", "es", "pt", "fr", "de", "it", "nl", "pl", "ru", "uk", "tr", "ar", "hi", "ja"}
LANGUAGES |= {"zh", "ko"}


@pytest.fixture(scope="module")
def lines() -> list[Line]:
    return read_corpus()


@pytest.fixture(scope="module")
def words() -> CrisisWords:
    return CrisisWords.load()


def test_the_corpus_is_large_and_covers_every_language_both_ways(lines: list[Line]) -> None:
    assert len(lines) >= 300
    for language in LANGUAGES:
        kinds = {line.crisis for line in lines if line.language == language}
        assert kinds == {True, False}, language


def test_recall_is_at_least_95_percent_and_false_alarms_at_most_5(
    lines: list[Line], words: CrisisWords
) -> None:
    crises = [line for line in lines if line.crisis]
    everyday = [line for line in lines if not line.crisis]
    caught = sum(words.found_in(line.text) for line in crises)
    alarms = sum(words.found_in(line.text) for line in everyday)
    assert caught / len(crises) >= 0.95
    assert alarms / len(everyday) <= 0.05


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_no_language_is_left_far_behind(
    lines: list[Line], words: CrisisWords, language: str
) -> None:
    crises = [line for line in lines if line.language == language and line.crisis]
    everyday = [line for line in lines if line.language == language and not line.crisis]
    assert sum(words.found_in(line.text) for line in crises) / len(crises) >= 0.85
    assert sum(words.found_in(line.text) for line in everyday) / len(everyday) <= 0.15
