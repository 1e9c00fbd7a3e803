"""Care in a crisis: detection across languages, a private warm answer, nothing kept."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from bot.engine import Engine
from bot.events import Command, FormSubmission, Message, Sender
from bot.model import CheckinState
from bot.safety import CrisisWords
from tests.fakes import MemoryStore

SAM = Sender("console", "console", "sam", "Sam")


@pytest.fixture(scope="module")
def words() -> CrisisWords:
    return CrisisWords.load()


@pytest.mark.parametrize(
    "text",
    [
        "Honestly I want to die",
        "I've been thinking about SUICIDE",
        "i just   can't go on like this",
        "sometimes I think about ending my life",
        "quiero morirme",  # Spanish
        "j'ai envie de mourir",  # French
        "Ich will sterben",  # German
        "não quero mais viver",  # Portuguese, accents
        "nao quero mais viver",  # and without
        "I want to hurt myself.",
        "I don’t want to be here anymore",  # a curly apostrophe
    ],
)
def test_phrases_that_suggest_a_crisis_are_found(words: CrisisWords, text: str) -> None:
    assert words.found_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Led the launch that killed our legacy billing system",
        "My skills include Python",
        "This rejection is killing my motivation a bit",
        "I died laughing at the interviewer's joke",
        "diet plan",
        "",
    ],
)
def test_ordinary_job_search_words_are_not(words: CrisisWords, text: str) -> None:
    assert not words.found_in(text)


async def test_a_crisis_gets_a_private_warm_answer_and_nothing_is_stored(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    [reply] = await engine.handle(Command(SAM, "brag", "I want to die, nothing works"), now)

    assert reply.private
    assert "findahelpline.com" in reply.text
    assert "want to die" not in reply.text  # never echoed
    assert not reply.buttons
    assert memory_store.wins_by_id == {}
    assert "want to die" not in caplog.text


@pytest.mark.parametrize(
    "event",
    [
        Message(SAM, "I feel suicidal"),
        Command(SAM, "checkin", "1 I want to end it all"),
        FormSubmission(SAM, "checkin", {"mood": "1", "note": "thinking of killing myself"}),
        FormSubmission(SAM, "feedback_reply", {"said": "want to die"}, "1"),
    ],
)
async def test_every_way_of_typing_is_checked_and_nudges_pause(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime, event: object
) -> None:
    [reply] = await engine.handle(event, now)  # type: ignore[arg-type]

    assert "not alone" in reply.text or "alone" in reply.text
    person = await memory_store.person(SAM, "UTC", now)
    assert person.checkins is CheckinState.PAUSED
    assert person.paused_until == now + dt.timedelta(days=3)
    assert memory_store.moods_by_person == {}


async def test_a_stopped_person_stays_stopped(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await engine.handle(Command(SAM, "checkin", "stop"), now)
    await engine.handle(Message(SAM, "I want to die"), now)
    assert (await memory_store.person(SAM, "UTC", now)).checkins is CheckinState.STOPPED


async def test_community_resources_replace_the_default(
    memory_store: MemoryStore, now: dt.datetime
) -> None:
    from bot.content import Content

    engine = Engine(
        memory_store, Content.load(), support_resources="Call the Samaritans on 116 123."
    )
    [reply] = await engine.handle(Message(SAM, "I want to die"), now)
    assert "116 123" in reply.text
    assert "findahelpline" not in reply.text


def test_the_phrase_list_covers_several_languages() -> None:
    import tomllib
    from importlib import resources

    data = tomllib.loads(resources.files("bot").joinpath("content/safety.toml").read_text())
    assert {"en", "es", "fr", "de", "pt"} <= set(data["phrases"])
