"""Crisis matching: the issue's examples, each trick, patterns, idioms, and the data format."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from bot.events import Choice, Command, FormSubmission, Message, Sender
from bot.safety import CrisisWords

SAM = Sender("console", "console", "sam", "Sam")

# Named in the issue as missed, and as false alarms.
ISSUE_MISSED = [
    "I don't want to live anymore",
    "i want to kill my self",
    "kms",
    "unalive myself",
    "no point in living",
    "ich habe Selbstmordgedanken",  # German compounds
    "Suizidgedanken seit Wochen",
    "nie chce mi się żyć",  # Polish
    "не хочу жить",  # Russian
    "死にたい",  # Japanese
    "ölmek istiyorum",  # Turkish
    "मैं मरना चाहता हूँ",  # Hindi
    "main marna chahta hoon",  # romanized Hindi
]
ISSUE_FALSE_ALARMS = [
    "I hurt myself at the gym",
    "watching Suicide Squad tonight",
    "my volunteer work in self-harm prevention",
    "this job hunt is killing me",
    "I'm dying to hear back",
    "I could kill for a coffee",
]


@pytest.fixture(scope="module")
def words() -> CrisisWords:
    return CrisisWords.load()


@pytest.mark.parametrize("text", ISSUE_MISSED)
def test_what_the_issue_found_missed_is_caught(words: CrisisWords, text: str) -> None:
    assert words.found_in(text)


@pytest.mark.parametrize("text", ISSUE_FALSE_ALARMS)
def test_what_the_issue_found_false_alarms_are_not(words: CrisisWords, text: str) -> None:
    assert not words.found_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "I WANT TO KILL MYSELF",  # case
        "Ｉ ｗａｎｔ ｔｏ ｋｉｌｌ ｍｙｓｅｌｆ",  # full-width
        "I want to k\u200bill my\u00adself",  # zero-width and soft hyphen
        "I want to k1ll mys3lf",  # leetspeak
        "I want to k\u0456ll myself",  # a Cyrillic look-alike
        "i want to kill mysefl",  # a slip of one letter
        "i want to kill my self",  # a missing space ...
        "iwanttokillmyself",  # ... or all of them
        "I   want  to    kill myself",  # repeated spaces
        "k i l l m y s e l f",  # spelled out
        "i want to kiiiill myself",  # stretched
    ],
)
def test_every_trick_still_finds_the_phrase(words: CrisisWords, text: str) -> None:
    assert words.found_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "i wanna die",
        "I'm going to end it all",
        "im gonna kill myself",
        "I'm about to end my life",
        "thinking about ending my life",
        "i should just kys",  # slang aimed at oneself
        "gonna kms",
        "unaliving myself seems easier",
        "i don't see a reason to keep living",
    ],
)
def test_the_want_and_going_to_family(words: CrisisWords, text: str) -> None:
    assert words.found_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "I want to upskill myself in SQL",  # "kill myself" inside other words
        "I ran 10 kms this morning",  # kilometres
        "I ran 100kms this month",
        "lol kys",  # aimed at someone else: abuse, not the writer's crisis
        "I'm going to end it with this recruiter",
        "this is not a hill I want to die on",
        "I nearly died of embarrassment",
        "I'm tired of living out of a suitcase",
        "I don't want to live in London",
        "we're going to kill that feature",
    ],
)
def test_everyday_words_near_the_patterns_are_not_crises(words: CrisisWords, text: str) -> None:
    assert not words.found_in(text)


def test_an_idiom_hides_only_itself(words: CrisisWords) -> None:
    assert words.found_in("this search is killing me and honestly I want to die")
    assert words.found_in("I hurt myself at the gym. I think I'm going to kill myself")
    assert words.found_in("killing myself")  # "killing me" must not swallow "killing myself"


@pytest.mark.parametrize(
    "text",
    [
        "ich will einfach nur noch sterben",  # words in between ("...")
        "Selbstmordgedanken",
        "もう消えてしまいたい",  # no spaces: substring matching
        "我不想再活下去了",
        "진짜 죽고싶다",
        "kendimi öldürmeyi düşünüyorum",  # any ending ("*")
        "أفكر في الانتحار",  # a prefix glued to the word
    ],
)
def test_languages_matched_by_gaps_substrings_and_endings(words: CrisisWords, text: str) -> None:
    assert words.found_in(text)


@pytest.mark.parametrize(
    "text",
    ["我想死你了", "笑死我了", "ich arbeite in der Suizidprävention", "배고파 죽겠어"],
)
def test_idioms_in_other_languages(words: CrisisWords, text: str) -> None:
    assert not words.found_in(text)


def test_a_form_names_the_fields_that_hold_the_words(words: CrisisWords) -> None:
    values = {"mood": "1", "note": "I want to die", "company": "Acme"}
    assert words.flagged_fields(values) == {"note"}
    assert words.in_event(FormSubmission(SAM, "checkin", values))
    assert words.in_event(Command(SAM, "brag", "kms"))
    assert words.in_event(Message(SAM, "kms"))
    assert not words.in_event(Choice(SAM, "brag.kind", "I want to die"))  # our own buttons


def test_the_data_file_has_at_least_fifteen_languages_besides_english() -> None:
    raw = resources.files("bot").joinpath("content/safety.toml").read_text(encoding="utf-8")
    languages = set(tomllib.loads(raw))
    expected = {"en", "es", "pt", "fr", "de", "it", "nl", "pl", "ru", "uk", "tr", "ar", "hi"}
    assert expected | {"ja", "zh", "ko"} <= languages


def test_the_data_format_slots_gaps_endings_and_exclusions() -> None:
    words = CrisisWords.parse(
        """
        [xx]
        phrases = ["blue moon", "grim*"]
        patterns = ["{feel} ... gloomy"]
        exclude = ["grimace"]
        groups.feel = ["feel", "am"]
        [yy]
        match = "substring"
        phrases = ["あおい"]
        """
    )
    assert words.found_in("once in a bluemoon")
    assert words.found_in("so grimly")
    assert not words.found_in("a grimace")
    assert words.found_in("i feel quite a bit gloomy")
    assert not words.found_in("i feel one two three four gloomy")  # at most three between
    assert words.found_in("そらはあおいです")
    assert not words.found_in("the sky")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('[xx]\nphrase = ["typo"]', "unknown keys"),
        ('[xx]\npatterns = ["{nope} die"]', "no group"),
        ('[xx]\nmatch = "fuzzy"', "match is words"),
    ],
)
def test_a_mistake_in_the_data_file_fails_at_start(document: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CrisisWords.parse(document)
