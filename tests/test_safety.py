"""Care in a crisis through the engine: a private warm answer, nothing lost, nothing stored.

Detection itself is tested in ``tests/safety/``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import pytest

from bot import care, checkin_messages
from bot.codec import encode_event
from bot.content import Content
from bot.engine import Engine
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.model import CheckinState, Mood
from bot.replies import Button, Reply
from tests.fakes import MemoryStore

SAM = Sender("console", "console", "sam", "Sam")
ALEX = Sender("console", "console", "alex", "Alex")
WORDS = "I want to die, nothing works"


def everything_stored(store: MemoryStore) -> str:
    """Every row the fake store holds, as text, to search for words that must not be there."""
    return repr(vars(store)).casefold()


def button(reply: Reply, action: str) -> Button:
    [found] = [b for b in reply.buttons if b.action == action]
    return found


def press(sender: Sender, found: Button) -> Choice:
    return Choice(sender, found.action, found.value)


def keep(reply: Reply, sender: Sender = SAM) -> Choice:
    """A tap on the care reply's "keep" button."""
    return press(sender, button(reply, care.KEEP_ACTION))


def wins(store: MemoryStore) -> str:
    """The text of the one win stored."""
    [(_, win)] = store.wins_by_id.values()
    return win.text


def moods(store: MemoryStore) -> list[Mood]:
    return [m for by_person in store.moods_by_person.values() for m in by_person]


async def checked_in(engine: Engine, mood: str, note: str, now: dt.datetime) -> Reply:
    """SAM's check-in form with ``note``; the one reply."""
    [reply] = await engine.handle(FormSubmission(SAM, "checkin", {"mood": mood, "note": note}), now)
    return reply


@pytest.fixture
def restart(memory_store: MemoryStore, content: Content) -> Callable[[], Engine]:
    """A new engine on the same store: a process started after the last one stopped, with
    nothing of what that one held in memory."""
    return lambda: Engine(memory_store, content)


async def person_of(store: MemoryStore, now: dt.datetime) -> tuple[int, CheckinState, object]:
    person = await store.person(SAM, "UTC", now)
    return person.id, person.checkins, person.paused_until


async def test_a_crisis_gets_a_private_warm_answer_and_nothing_is_stored(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    [reply] = await engine.handle(Command(SAM, "brag", WORDS), now)

    assert reply.private
    assert reply.text.startswith("I'm really sorry you're feeling this way.")
    assert "findahelpline.com" in reply.text
    assert "adding a win to your bragging list" in reply.text  # what they were doing
    assert "want to die" not in reply.text.casefold()  # never echoed
    assert [b.action for b in reply.buttons] == [
        care.KEEP_ACTION,
        care.DROP_ACTION,
        care.CARRY_ON_ACTION,
    ]
    assert all("die" not in b.value for b in reply.buttons)
    assert memory_store.wins_by_id == {}
    assert "want to die" not in everything_stored(memory_store)
    assert "want to die" not in caplog.text.casefold()


async def test_keep_saves_what_they_typed_after_their_yes(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    [reply] = await engine.handle(Command(SAM, "brag", "Raised 2k for the suicide hotline"), now)
    assert memory_store.wins_by_id == {}

    replies = await engine.handle(keep(reply), now)

    assert wins(memory_store) == "Raised 2k for the suicide hotline"
    assert "Added" in replies[0].text or "added" in replies[0].text
    person_id, _, _ = await person_of(memory_store, now)
    assert await memory_store.conversation(person_id) is None
    assert "suicide" not in caplog.text.casefold()
    # A second tap finds nothing: it was saved once.
    [again] = await engine.handle(keep(reply), now)
    assert again.text == engine.content.text("safety.keep_gone")
    assert len(memory_store.wins_by_id) == 1


async def test_let_it_go_forgets_everything(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Command(SAM, "brag", WORDS), now)
    person_id, _, _ = await person_of(memory_store, now)
    assert (await memory_store.conversation(person_id)) is not None

    [dropped] = await engine.handle(press(SAM, button(reply, care.DROP_ACTION)), now)

    assert dropped.text == engine.content.text("safety.dropped")
    assert await memory_store.conversation(person_id) is None
    [late] = await engine.handle(keep(reply), now)
    assert late.text == engine.content.text("safety.keep_gone")
    assert memory_store.wins_by_id == {}


async def test_only_the_form_fields_without_the_words_are_stored_while_pending(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    values = {"company": "I can't go on", "stage": "interview", "feeling": "1"}
    [reply] = await engine.handle(FormSubmission(SAM, "rejection", values), now)
    person_id, _, _ = await person_of(memory_store, now)

    waiting = await memory_store.conversation(person_id)
    assert waiting is not None and waiting.topic == care.TOPIC
    assert "interview" in waiting.data
    assert "go on" not in everything_stored(memory_store)
    assert memory_store.rejections_by_id == {}

    await engine.handle(keep(reply), now)
    [rejection] = memory_store.rejections_by_id.values()
    assert rejection.company == "I can't go on"


async def test_after_a_restart_a_keep_saves_the_stored_parts_and_says_so(
    memory_store: MemoryStore, content: Content, restart: Callable[[], Engine], now: dt.datetime
) -> None:
    before = restart()
    reply = await checked_in(before, "1", "thinking of killing myself", now)
    [brag_reply] = await before.handle(Command(SAM, "brag", WORDS), now)

    after = restart()  # the held words were in the old process only
    # The brag's own pending state replaced the check-in's: nothing of either text survives.
    [gone] = await after.handle(keep(reply), now)
    assert gone.text == content.text("safety.keep_gone")
    [gone] = await after.handle(keep(brag_reply), now)
    assert gone.text == content.text("safety.keep_gone")
    assert memory_store.wins_by_id == {}

    reply = await checked_in(after, "1", "thinking of killing myself", now)
    restarted = restart()
    note, *saved = await restarted.handle(keep(reply), now)
    assert note.text == content.text("safety.keep_partly")
    assert saved
    [mood] = moods(memory_store)
    assert (mood.score, mood.note) == (1, "")


async def test_an_answer_to_a_question_is_kept_as_that_answer(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    person_id, _, _ = await person_of(memory_store, now)
    await memory_store.set_conversation(person_id, checkin_messages.STRENGTH_TOPIC, "", now)
    text = "Last year I felt suicidal and I got through it"
    [reply] = await engine.handle(Message(SAM, text), now)
    assert "answering my question" in reply.text
    assert memory_store.wins_by_id == {}

    await engine.handle(keep(reply), now)

    assert wins(memory_store) == text


async def test_a_second_message_leaves_the_first_keep_answerable_after_a_restart(
    memory_store: MemoryStore, restart: Callable[[], Engine], now: dt.datetime
) -> None:
    before = restart()
    reply = await checked_in(before, "2", "I want to end it all", now)
    await before.handle(Message(SAM, "kms"), now)  # answers nothing: nothing new to keep

    after = restart()
    await after.handle(keep(reply), now)
    [mood] = moods(memory_store)
    assert mood.score == 2


async def test_a_message_that_answers_nothing_has_nothing_to_keep(
    engine: Engine, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Message(SAM, "I feel suicidal"), now)
    assert [b.action for b in reply.buttons] == [care.CARRY_ON_ACTION]
    assert "Nothing is saved unless" not in reply.text


async def test_someone_else_cannot_keep_or_drop_it(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Command(SAM, "brag", WORDS), now)
    [other] = await engine.handle(keep(reply, ALEX), now)
    assert other.text == engine.content.text("safety.keep_gone")
    await engine.handle(press(ALEX, button(reply, care.DROP_ACTION)), now)

    await engine.handle(keep(reply), now)
    assert wins(memory_store) == WORDS


async def test_deleting_their_data_forgets_held_words_too(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Command(SAM, "brag", WORDS), now)
    await engine.handle(Choice(SAM, "mydata.delete", "confirm"), now)
    [gone] = await engine.handle(keep(reply), now)
    assert gone.text == engine.content.text("safety.keep_gone")
    assert memory_store.wins_by_id == {}


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
    engine: Engine, memory_store: MemoryStore, now: dt.datetime, event: Event
) -> None:
    [reply] = await engine.handle(event, now)

    assert "alone" in reply.text
    _, state, until = await person_of(memory_store, now)
    assert state is CheckinState.PAUSED
    assert until == now + dt.timedelta(days=3)
    assert memory_store.moods_by_person == {}


async def test_carry_on_resumes_check_ins_in_one_tap(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Message(SAM, "kms"), now)
    assert (await person_of(memory_store, now))[1] is CheckinState.PAUSED

    [answer] = await engine.handle(press(SAM, button(reply, care.CARRY_ON_ACTION)), now)

    assert answer.text == engine.content.text("safety.carry_on")
    _, state, until = await person_of(memory_store, now)
    assert (state, until) == (CheckinState.ACTIVE, None)


async def test_carry_on_restores_a_pause_the_person_chose(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await engine.handle(Command(SAM, "checkin", "pause 1"), now)
    _, _, chosen = await person_of(memory_store, now)
    [reply] = await engine.handle(Message(SAM, "kms"), now)
    assert (await person_of(memory_store, now))[2] == now + dt.timedelta(days=3)

    await engine.handle(press(SAM, button(reply, care.CARRY_ON_ACTION)), now)

    _, state, until = await person_of(memory_store, now)
    assert (state, until) == (CheckinState.PAUSED, chosen)


async def test_carry_on_never_overrides_a_later_choice(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Message(SAM, "kms"), now)
    await engine.handle(Command(SAM, "checkin", "stop"), now)

    [answer] = await engine.handle(press(SAM, button(reply, care.CARRY_ON_ACTION)), now)

    assert answer.text == engine.content.text("safety.carry_on_unchanged")
    assert (await person_of(memory_store, now))[1] is CheckinState.STOPPED


async def test_a_stopped_person_stays_stopped_and_gets_no_carry_on(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await engine.handle(Command(SAM, "checkin", "stop"), now)
    [reply] = await engine.handle(Message(SAM, "I want to die"), now)
    assert (await person_of(memory_store, now))[1] is CheckinState.STOPPED
    assert not [b for b in reply.buttons if b.action == care.CARRY_ON_ACTION]


async def test_a_false_alarm_from_the_issue_is_just_a_win(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await engine.handle(Command(SAM, "brag", "Ran a 5k even though I hurt myself at the gym"), now)
    assert len(memory_store.wins_by_id) == 1
    assert (await person_of(memory_store, now))[1] is CheckinState.ACTIVE


async def test_community_resources_replace_the_default(
    memory_store: MemoryStore, now: dt.datetime
) -> None:
    engine = Engine(
        memory_store, Content.load(), support_resources="Call the Samaritans on 116 123."
    )
    [reply] = await engine.handle(Message(SAM, "I want to die"), now)
    assert "116 123" in reply.text
    assert "findahelpline" not in reply.text


def test_held_words_expire_and_stay_bounded(now: dt.datetime) -> None:
    held = care.HeldWords()
    pending = care.Pending("t1", "command", "brag", fields={"text": "x"}, held=("text",))
    held.put(1, pending, now)
    assert held.take(2, "t1", now) is None  # not theirs
    assert held.take(1, "t1", now + care.HOLD_FOR) is None  # expired
    held.put(1, pending, now)
    assert held.take(1, "t1", now) == pending
    assert len(held) == 0


def test_what_the_person_typed_decides_whether_acknowledged_work_may_be_kept() -> None:
    engine = Engine(MemoryStore(), Content.load())
    where = {"response_url": "https://example.invalid/hooks/1", "trigger_id": "1.2"}
    assert not engine.may_keep(encode_event(Command(SAM, "rejected", WORDS), where))
    assert not engine.may_keep(encode_event(FormSubmission(SAM, "checkin", {"note": WORDS})))
    assert engine.may_keep(encode_event(Command(SAM, "rejected", "Acme, final round"), where))
    assert engine.may_keep(encode_event(Choice(SAM, "brag.kind", WORDS)))  # our own buttons
    assert not engine.may_keep(WORDS)  # text that is not an event is searched whole
    assert engine.may_keep("hello")
