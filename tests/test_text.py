"""Cleaning input, parsing numbers, and form validation."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bot.content import Content
from bot.forms import validate
from bot.replies import Field, FieldKind, Form, Option
from bot.text import clean, number


def test_clean_removes_controls_and_invisible_tricks() -> None:
    assert clean("  Acme\x00 Corp\u202e\u200b\x1b ") == "Acme Corp"
    assert clean("one\ntwo\r\nthree") == "one two three"
    assert clean("one\r\ntwo\t!", multiline=True) == "one\ntwo !"
    assert clean("lone \ud800 surrogate") == "lone  surrogate"


@given(st.text())
def test_clean_never_leaves_control_characters(text: str) -> None:
    cleaned = clean(text, multiline=True)
    assert all(ch == "\n" or ch >= " " for ch in cleaned)
    assert "\u202e" not in cleaned and "\u200b" not in cleaned
    cleaned.encode("utf-8")  # no lone surrogates left


def test_number_accepts_only_small_ascii_whole_numbers() -> None:
    assert number("3") == 3
    assert number(" 12 ") == 12
    for bad in ("", "0", "-1", "²", "٣", "1.5", "99999999", "abc"):
        assert number(bad) is None
    assert number("6", maximum=5) is None


def test_validate_reports_each_problem_by_field() -> None:
    form = Form(
        "f",
        "F",
        (
            Field("name", "Name", required=True, max_length=5),
            Field(
                "pick",
                "Pick",
                FieldKind.CHOICE,
                options=(Option("a", "Alpha"), Option("b", "Beta")),
            ),
            Field("day", "Day", FieldKind.DATE),
        ),
    )
    content = Content.load()
    today = dt.date(2026, 3, 10)

    cleaned, errors = validate(
        form, {"name": "toolong", "pick": "beta", "day": "10/03/2026", "x": "y"}, content, today
    )

    assert cleaned["pick"] == "b"
    assert "x" not in cleaned
    assert set(errors) == {"name", "day"}
    assert "up to 5 characters (that was 7)" in errors["name"]
    assert "YYYY-MM-DD" in errors["day"]
    _, errors = validate(form, {"name": "ok", "pick": "2", "day": "2026-03-10"}, content, today)
    assert errors == {}


def test_an_options_value_wins_over_its_position() -> None:
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    form = Form(
        "f",
        "F",
        (
            Field(
                "day",
                "Day",
                FieldKind.CHOICE,
                options=tuple(Option(str(n), d) for n, d in enumerate(days)),
            ),
        ),
    )
    content = Content.load()
    today = dt.date(2026, 3, 10)
    assert validate(form, {"day": "4"}, content, today)[0]["day"] == "4"  # Friday, by value
    assert validate(form, {"day": "friday"}, content, today)[0]["day"] == "4"
    assert validate(form, {"day": "7"}, content, today)[0]["day"] == "6"  # Sunday, by position
