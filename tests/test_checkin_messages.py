"""Writing check-ins: the weekly one's words and buttons, looked up once per content, come out
exactly as the content file's template fills them for each person."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import pytest

from bot import checkin_messages, mood
from bot.content import Content
from bot.model import Due, Person, PlannedMessage, PlannedState, Rejection, Stage
from bot.replies import Button, Reply

NOW = dt.datetime(2026, 7, 14, 8, 0, tzinfo=dt.UTC)


def due(
    name: str, kind: str = "weekly", latest_mood: int | None = None, *, about: bool = False
) -> Due:
    person = Person(
        7, "console", "console", "u7", name, "UTC", dt.time(10), dt.time(21), dt.time(8),
        False, NOW,
    )  # fmt: skip
    rejection = Rejection(3, 7, "Acme", "", Stage.APPLICATION, NOW.date(), "", 3, NOW)
    message = PlannedMessage(
        11, 7, kind, NOW, NOW.replace(tzinfo=None), "UTC", PlannedState.CLAIMED,
        rejection_id=3 if about else None,
    )  # fmt: skip
    return Due(message, person, latest_mood=latest_mood, rejection=rejection if about else None)


def expected(content: Content, key: str, name: str, *buttons: Button) -> Reply:
    text = content.text(f"checkins.{key}", name=name, company="")
    return Reply(text=f"{text}\n{content.text('plan.footer')}", buttons=buttons)


def weekly_buttons(content: Content) -> tuple[Button, ...]:
    offer = Button(content.text("plan.offer_button"), checkin_messages.OFFER_ACTION, "")
    return (*mood.buttons(content), offer)


@pytest.mark.parametrize("name", ["Sam", "Ana María", "  spaced  ", "{name}", "李"])
@pytest.mark.parametrize(("latest_mood", "variant"), [(None, "text"), (4, "text"), (1, "text_low")])
def test_each_weekly_check_in_is_the_template_filled_for_its_person(
    name: str, latest_mood: int | None, variant: str
) -> None:
    content = Content.load()
    [reply], waiting = checkin_messages.build(content, due(name, latest_mood=latest_mood))
    assert reply == expected(content, f"weekly.{variant}", name, *weekly_buttons(content))
    assert waiting is None


def test_people_in_one_batch_each_get_their_own_name() -> None:
    content = Content.load()
    texts = [checkin_messages.build(content, due(name))[0][0].text for name in ("Sam", "Alex")]
    assert texts == [
        expected(content, "weekly.text", "Sam").text,
        expected(content, "weekly.text", "Alex").text,
    ]


def test_a_nameless_person_is_called_by_their_user_id() -> None:
    content = Content.load()
    [reply], _ = checkin_messages.build(content, due(""))
    assert reply == expected(content, "weekly.text", "u7", *weekly_buttons(content))


def test_another_content_file_writes_its_own_words() -> None:
    english = Content.load()
    # The same file with other weekly words.
    data = tomllib.loads(resources.files("bot").joinpath("content/en.toml").read_text("utf-8"))
    data["checkins"]["weekly"] = {"text": "Hola {name}", "text_low": "Cuídate, {name}"}
    other = Content(data)
    checkin_messages.build(english, due("Sam"))  # English looked up first
    [reply], _ = checkin_messages.build(other, due("Sam"))
    [low], _ = checkin_messages.build(other, due("Sam", latest_mood=2))
    assert reply.text.startswith("Hola Sam\n") and low.text.startswith("Cuídate, Sam\n")
    [again], _ = checkin_messages.build(english, due("Sam"))
    assert again == expected(english, "weekly.text", "Sam", *weekly_buttons(english))


def test_unknown_kinds_and_steps_whose_rejection_went_are_weekly_check_ins() -> None:
    content = Content.load()
    weekly = expected(content, "weekly.text", "Sam", *weekly_buttons(content))
    assert checkin_messages.build(content, due("Sam", kind="from_a_later_version"))[0] == [weekly]
    assert checkin_messages.build(content, due("Sam", kind="day3_strengths"))[0] == [weekly]


def test_the_first_days_check_in_offers_a_snooze_of_its_own() -> None:
    content = Content.load()
    [reply], _ = checkin_messages.build(content, due("Sam", kind="day1_mood", about=True))
    snooze = Button(
        content.text("plan.remind_tomorrow"), checkin_messages.SNOOZE_ACTION, "11:day1_mood:3"
    )
    text = content.text("checkins.day1_mood.text", name="Sam", company="Acme")
    assert reply == Reply(
        text=f"{text}\n{content.text('plan.footer')}", buttons=(*mood.buttons(content), snooze)
    )
