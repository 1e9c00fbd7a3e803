"""Reply -> Block Kit: escaping, Slack's length limits, modals and their errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.render import (
    BLOCKS_PER_MESSAGE,
    SECTION_TEXT_LIMIT,
    RenderError,
    clip,
    decode_form,
    encode_form,
    escape_mrkdwn,
    render_errors,
    render_form,
    render_reply,
    split_text,
    units,
)
from adapters.slack.translate import slack_to_plain
from bot.replies import Button, Field, FieldKind, Form, Option, Reply

ENTITY = re.compile(r"&(amp|lt|gt);")
# What Slack would turn into a ping, a channel link or a disguised link if it survived.
SPECIAL = ("<!", "<@", "<#", "<http")
# Text that tries hard: Slack's own markup, entities, fences, and anything else.
tricky = st.lists(
    st.sampled_from(["<!channel>", "<!here|here>", "<@U1>", "<#C1|general>", "<http://x.test|bank>",
                     "&lt;!everyone&gt;", "&amp;", "<", ">", "&", "```", "*", "_", "\n"])
    | st.text(max_size=8),
    max_size=12,
).map("".join)  # fmt: skip


def text_objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every Block Kit text object (``{"type": "mrkdwn" | "plain_text", "text": ...}``) inside."""
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and isinstance(value.get("text"), str):
            yield value
        for inner in value.values():
            yield from text_objects(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from text_objects(inner)


def any_form(title: st.SearchStrategy[str]) -> st.SearchStrategy[Form]:
    field = st.builds(
        Field,
        name=st.sampled_from(["company", "role", "when", "notes"]),
        label=tricky,
        kind=st.sampled_from(FieldKind),
        options=st.lists(st.builds(Option, value=st.sampled_from("abc"), label=tricky),
                         min_size=1, max_size=3).map(tuple),
        initial=tricky,
        placeholder=tricky,
    )  # fmt: skip
    return st.builds(
        Form,
        form_id=st.just("rejection"),
        title=title,
        fields=st.lists(field, max_size=4, unique_by=lambda f: f.name).map(tuple),
        submit_label=tricky,
    )


@given(st.text())
def test_escaped_text_has_no_markup_left(text: str) -> None:
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert "&" not in ENTITY.sub("", escaped)  # every & starts an entity we wrote
    assert slack_to_plain(escaped) == text  # and Slack's decoding gives the text back


@given(st.text(alphabet=st.sampled_from("ab &<>\n 😀é"), max_size=4000), st.integers(5, 400))
def test_split_pieces_fit_and_lose_nothing_but_blank_space(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(units(escape_mrkdwn(piece)) <= limit for piece in pieces)
    assert all(piece.strip() for piece in pieces)
    assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", text)
    assert "".join(pieces) == text or not text.strip() or len(pieces) > 0


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    text = "one two\nthree four\n\nfive six"
    assert split_text(text, 20) == ["one two\nthree four\n\n", "five six"]
    assert split_text("one two\nthree four", 12) == ["one two\n", "three four"]
    assert split_text("alpha beta gamma", 11) == ["alpha beta ", "gamma"]
    assert split_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]


@given(st.text(min_size=1), st.integers(2, 200))
def test_clip_fits_and_marks_what_it_cut(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert units(clipped) <= limit
    assert clipped == text or clipped.endswith("…")


def test_emoji_count_double_as_slack_counts_them() -> None:
    assert units("😀") == 2
    assert clip("😀" * 10, 5) == "😀😀…"


@given(
    st.builds(
        Reply,
        text=st.text(max_size=9000),
        heading=st.text(max_size=300),
        quote=st.text(max_size=7000),
        buttons=st.lists(
            st.builds(Button, label=st.text(max_size=120), action=st.text(max_size=40)),
            max_size=30,
        ).map(tuple),
    )
)
def test_any_reply_renders_within_block_kit_limits(reply: Reply) -> None:
    for message in render_reply(reply):
        assert 0 < len(message.blocks) <= BLOCKS_PER_MESSAGE
        assert message.text
        for block in message.blocks:
            if block["type"] == "section":
                assert 0 < units(block["text"]["text"]) <= SECTION_TEXT_LIMIT
                assert block["text"]["text"].strip()
            elif block["type"] == "header":
                assert 0 < units(block["text"]["text"]) <= 150
            elif block["type"] == "actions":
                assert 0 < len(block["elements"]) <= 25
                for element in block["elements"]:
                    assert 0 < units(element["text"]["text"]) <= 75
                    assert len(element["action_id"]) <= 255


def test_empty_reply_renders_nothing() -> None:
    assert render_reply(Reply()) == []


def test_quote_is_a_code_block_kept_apart_from_the_text() -> None:
    [message] = render_reply(Reply(text="Here is a draft:", quote="Dear Ana,\n*thanks* & more"))
    assert [block["text"]["text"] for block in message.blocks] == [
        "Here is a draft:",
        "```\nDear Ana,\n*thanks* &amp; more\n```",
    ]


def test_a_fence_inside_a_quote_cannot_close_the_code_block() -> None:
    [message] = render_reply(Reply(quote="a ``` b"))
    assert message.blocks[0]["text"]["text"].count("```") == 2


def test_long_button_labels_are_cut_with_a_marker() -> None:
    [message] = render_reply(Reply(text="x", buttons=(Button("y" * 100, "act", "v"),)))
    label = message.blocks[-1]["elements"][0]["text"]["text"]
    assert len(label) == 75
    assert label.endswith("…")


def test_over_long_engine_ids_are_refused_before_slack_sees_them() -> None:
    with pytest.raises(RenderError):
        render_reply(Reply(buttons=(Button("ok", "a" * 300),)))
    with pytest.raises(RenderError):
        render_form(Form("f", "t", (Field("x", "X"),), context="c" * 3001))
    with pytest.raises(RenderError):
        render_form(Form("f", "t", (Field("x", "X", FieldKind.CHOICE),)))


def test_modal_fits_slack_limits() -> None:
    form = Form(
        form_id="rejection",
        title="A title far longer than twenty-four characters",
        submit_label="Save this rejection right now",
        fields=(
            Field("company", "L" * 2100, required=True, max_length=5000, initial="i" * 3100),
            Field("when", "When", FieldKind.DATE, initial="not a date"),
            Field(
                "stage",
                "Stage",
                FieldKind.CHOICE,
                options=tuple(Option(str(n), "o" * 90) for n in range(120)),
                initial="7",
                placeholder="p" * 200,
            ),
        ),
    )
    view = render_form(form)
    assert units(view["title"]["text"]) <= 24
    assert view["title"]["text"].endswith("…")
    assert units(view["submit"]["text"]) <= 24
    company, when, stage = view["blocks"]
    assert units(company["label"]["text"]) <= 2000
    assert company["element"]["max_length"] == 3000
    assert len(company["element"]["initial_value"]) == 3000
    assert "initial_date" not in when["element"]
    assert len(stage["element"]["options"]) == 100
    assert all(units(option["text"]["text"]) <= 75 for option in stage["element"]["options"])
    assert stage["element"]["initial_option"]["value"] == "7"
    assert units(stage["element"]["placeholder"]["text"]) <= 150


def test_errors_go_to_their_field_or_the_first_one() -> None:
    form = Form(
        "f",
        "t",
        (Field("a", "A"), Field("b", "B")),
        errors={"b": "B is wrong.", "general": "Try again.", "a": "A too."},
    )
    assert render_errors(form) == {"b": "B is wrong.", "a": "Try again. A too."}


@given(
    st.builds(
        Form,
        form_id=st.text(max_size=30),
        title=st.text(max_size=40),
        fields=st.lists(
            st.builds(
                Field,
                name=st.text(min_size=1, max_size=10),
                label=st.text(max_size=30),
                kind=st.sampled_from(FieldKind),
                required=st.booleans(),
                max_length=st.integers(1, 500),
                options=st.lists(
                    st.builds(Option, value=st.text(max_size=10), label=st.text(max_size=20)),
                    max_size=5,
                ).map(tuple),
                initial=st.text(max_size=30),
                placeholder=st.text(max_size=30),
            ),
            max_size=6,
        ).map(tuple),
        submit_label=st.text(max_size=20),
        context=st.text(max_size=50),
    )
)
def test_a_form_survives_the_trip_through_a_button(form: Form) -> None:
    assert decode_form(encode_form(form)) == form


def test_a_large_form_is_compressed_to_fit_a_button() -> None:
    fields = tuple(Field(f"f{n}", "Label " * 20, initial="same words " * 10) for n in range(20))
    form = Form("big", "Big", fields)
    blob = encode_form(form)
    assert blob.startswith("z")
    assert len(blob) <= 2000
    assert decode_form(blob) == form


@pytest.mark.parametrize("blob", ["", "x", "j{", "j[]", "z!!!", 'j{"id":1}'])
def test_foreign_button_values_are_not_forms(blob: str) -> None:
    assert decode_form(blob) is None


@settings(max_examples=40)
@given(
    st.builds(
        Reply,
        text=tricky,
        heading=tricky,
        quote=tricky,
        buttons=st.lists(st.builds(Button, label=tricky, action=st.just("act")), max_size=3).map(
            tuple
        ),
        form=st.none() | any_form(tricky),
        private=st.booleans(),
    )
)
def test_no_text_of_any_reply_can_ping_or_link(reply: Reply) -> None:
    for message in render_reply(reply, form_button=True):
        strings = [message.text] + [
            obj["text"] for obj in text_objects(message.blocks) if obj["type"] == "mrkdwn"
        ]
        for mrkdwn in strings:
            assert not any(special in mrkdwn for special in SPECIAL), mrkdwn
            assert "<" not in mrkdwn and ">" not in mrkdwn
            assert "&" not in ENTITY.sub("", mrkdwn)


@settings(max_examples=25)
@given(any_form(tricky))
def test_a_form_shows_its_text_as_plain_text_only(form: Form) -> None:
    view = render_form(form)
    # plain_text is never parsed for mentions or links, so "<!channel>" there is just words.
    assert all(obj["type"] == "plain_text" for obj in text_objects(view))
