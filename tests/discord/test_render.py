"""Rendering: escaping stays inert, and every message and modal stays within Discord's limits."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.render import (
    BUTTON_LABEL_LIMIT,
    BUTTONS_PER_MESSAGE,
    CONTENT_LIMIT,
    LABEL_LIMIT,
    MESSAGES_PER_BATCH,
    MODAL_FIELDS,
    MODAL_TITLE_LIMIT,
    button_label,
    escape,
    known_values,
    plan_modal,
    render,
    size,
)
from adapters.discord.texts import texts
from bot.replies import Button, Field, FieldKind, Form, Option, Reply
from tests.discord.markdown import bare

TEXTS = texts()


def shown(markdown: str) -> str:
    """What Discord displays for escaped text: a backslash before punctuation is dropped."""
    return re.sub(r"\\([^0-9A-Za-z\s])", r"\1", markdown)


def bare_specials(markdown: str) -> list[str]:
    """Special characters in ``markdown`` that are not escaped by a backslash."""
    return bare(markdown, "@<*_~|`[\\")


no_urls = st.text().filter(lambda t: "http://" not in t and "https://" not in t)


@given(no_urls)
def test_escaped_text_shows_exactly_what_was_typed(text: str) -> None:
    assert shown(escape(text)) == text


@given(no_urls)
def test_no_mention_or_markdown_survives_escaping(text: str) -> None:
    assert bare_specials(escape(text)) == []


def test_mentions_and_masked_links_are_inert() -> None:
    typed = "@everyone @here <@123456789012345678> <@&42> <#7> [bank](https://evil.example) **x**"
    markdown = escape(typed)
    assert "@everyone" not in markdown.replace("\\@everyone", "")
    assert "<@" not in markdown.replace("\\<@", "")
    assert "[bank]" not in markdown
    assert "\\[bank\\](https://evil.example)" in markdown
    assert shown(markdown) == typed


def test_line_markers_lose_their_meaning() -> None:
    typed = "# Big\n> quoted\n- item\n-# small\n1. first\n  + plus"
    markdown = escape(typed)
    assert markdown.splitlines() == ["\\# Big", "\\> quoted", "\\- item", "\\-# small",
                                     "1\\. first", "  \\+ plus"]  # fmt: skip
    assert shown(markdown) == typed


def test_bare_links_stay_clickable() -> None:
    assert escape("see https://example.com/a_b*c now") == "see https://example.com/a_b*c now"


def test_a_reply_becomes_heading_text_and_quote() -> None:
    [message] = render(
        [Reply(heading="Your *list*", text="Hi @here", quote="Dear Ms. Rivera,\n\nThanks")], TEXTS
    )
    assert message.content == "**Your \\*list\\***\nHi \\@here\n>>> Dear Ms. Rivera,\n\nThanks"


def test_replies_share_a_message_until_one_has_buttons() -> None:
    buttons = (Button("Draft", "feedback.note", "1"),)
    messages = render(
        [Reply(heading="Sorry"), Reply(text="Plan", buttons=buttons), Reply(text="Question?")],
        TEXTS,
    )
    assert [m.content for m in messages] == ["**Sorry**\n\nPlan", "Question?"]
    assert messages[0].buttons == buttons
    assert messages[1].buttons == ()


def test_nothing_follows_a_quote_in_its_message() -> None:
    messages = render([Reply(quote="note one"), Reply(text="after")], TEXTS)
    assert [m.content for m in messages] == [">>> note one", "after"]


@given(st.lists(st.text(max_size=3000), min_size=1, max_size=4), st.integers(0, 60))
def test_every_message_fits(parts: list[str], button_count: int) -> None:
    buttons = tuple(Button(f"b{n}" * 50, "act", str(n)) for n in range(button_count))
    replies = [Reply(text=part) for part in parts[:-1]]
    replies.append(Reply(text=parts[-1], quote=parts[0], buttons=buttons))
    messages = render(replies, TEXTS)
    assert len(messages) <= MESSAGES_PER_BATCH
    for message in messages:
        assert size(message.content) <= CONTENT_LIMIT
        assert len(message.buttons) <= BUTTONS_PER_MESSAGE
        assert message.content or message.buttons
    assert {b.value for m in messages for b in m.buttons} == {str(n) for n in range(button_count)}


def test_long_text_is_split_at_line_breaks_and_loses_nothing() -> None:
    lines = [f"{n}. won something worth remembering, number {n}" for n in range(120)]
    messages = render([Reply(text="\n".join(lines))], TEXTS)
    assert len(messages) > 1
    rejoined = "\n".join(shown(m.content) for m in messages)
    assert rejoined == "\n".join(lines)


def test_a_long_word_is_never_cut_inside_an_escape() -> None:
    messages = render([Reply(text="_" * 3000)], TEXTS)
    for message in messages:
        assert not message.content.endswith("\\") or message.content.endswith("\\_")
        assert shown(message.content) == "_" * len(shown(message.content))
    assert sum(len(shown(m.content)) for m in messages) == 3000


def test_a_very_long_reply_is_cut_short_with_a_marker() -> None:
    buttons = (Button("Yes", "a", "1"),)
    messages = render([Reply(text="word " * 10_000, buttons=buttons)], TEXTS)
    assert len(messages) == MESSAGES_PER_BATCH
    assert messages[-1].content.endswith(escape(TEXTS.shortened))
    assert messages[-1].buttons == buttons


def test_emoji_count_double_like_discord_counts_them() -> None:
    messages = render([Reply(text="🎉" * 1500)], TEXTS)
    assert len(messages) == 2
    assert all(size(m.content) <= CONTENT_LIMIT for m in messages)


def test_repeated_buttons_are_dropped_and_labels_fit() -> None:
    twice = (Button("A", "x", "1"), Button("A again", "x", "1"))
    [message] = render([Reply(text="t", buttons=twice)], TEXTS)
    assert message.buttons == (twice[0],)
    assert len(button_label("l" * 200, TEXTS)) == BUTTON_LABEL_LIMIT
    assert button_label("   ", TEXTS) == TEXTS.ellipsis


def rejection_form(**changes: object) -> Form:
    stages = tuple(Option(v, v.title()) for v in ("application", "interview", "final_round"))
    feelings = tuple(Option(str(n), f"{n}: label") for n in range(1, 6))
    return Form(
        form_id="rejection",
        title="Log a rejection" + " and everything about it" * 3,
        fields=(
            Field("company", "Company", required=True, max_length=100),
            Field("role", "Role", max_length=100, placeholder="e.g. Marketing coordinator"),
            Field("stage", "How far did you get?", FieldKind.CHOICE, required=True, options=stages),
            Field("rejected_on", "Date (YYYY-MM-DD)", FieldKind.DATE, max_length=10),
            Field(
                "interviewer", "Interviewer's name, as you would greet them today", max_length=100
            ),
            Field("feeling", "How do you feel?", FieldKind.CHOICE, required=True, options=feelings),
        ),
        **changes,  # type: ignore[arg-type]
    )


def test_a_six_field_form_takes_two_pages() -> None:
    plan = plan_modal(rejection_form(), {}, TEXTS)
    assert len(plan.title) <= MODAL_TITLE_LIMIT
    assert [f.name for f in plan.fields] == [
        "company",
        "role",
        "stage",
        "rejected_on",
        "interviewer",
    ]
    assert [f.name for f in plan.later] == ["feeling"]
    assert all(len(f.label) <= LABEL_LIMIT for f in plan.fields)
    stage = plan.fields[2]
    assert stage.style == "select"
    assert [value for _, value in stage.options] == ["application", "interview", "final_round"]
    assert plan.fields[3].placeholder == "YYYY-MM-DD"


def test_typed_options_leave_the_modal_the_rest() -> None:
    known = known_values(rejection_form(), {"stage": "interview", "feeling": "2", "other": "x"})
    assert known == {"stage": "interview", "feeling": "2"}
    plan = plan_modal(rejection_form(), known, TEXTS)
    assert [f.name for f in plan.fields] == ["company", "role", "rejected_on", "interviewer"]
    assert plan.later == ()


def test_a_refused_form_asks_only_what_to_fix() -> None:
    form = rejection_form(errors={"rejected_on": "Date: please write it as YYYY-MM-DD."})
    typed = ["Acme", "", "interview", "yesterday", "", "2"]
    fields = tuple(replace(f, initial=v) for f, v in zip(form.fields, typed, strict=True))
    refused = Form(form.form_id, form.title, fields, errors=form.errors)
    known = known_values(refused, {"rejected_on": "yesterday", "stage": "interview"})
    assert "rejected_on" not in known
    assert known["company"] == "Acme"
    plan = plan_modal(refused, known, TEXTS)
    [field] = plan.fields
    assert field.name == "rejected_on"
    assert field.initial == "yesterday"
    assert field.description == "Date: please write it as YYYY-MM-DD."


def test_too_many_choices_fall_back_to_typing() -> None:
    options = tuple(Option(str(n), f"Option {n}") for n in range(30))
    form = Form(
        "f", "T", (Field("pick", "Pick", FieldKind.CHOICE, required=True, options=options),)
    )
    [field] = plan_modal(form, {}, TEXTS).fields
    assert field.style == "short"
    assert field.placeholder.startswith("One of: Option 0, Option 1")
    assert len(field.placeholder) <= 100


def test_at_most_five_fields_per_modal() -> None:
    fields = tuple(Field(f"f{n}", f"Field {n}") for n in range(12))
    plan = plan_modal(Form("big", "Big", fields), {}, TEXTS)
    assert len(plan.fields) == MODAL_FIELDS
    assert len(plan.later) == 7


def test_a_form_with_nothing_left_to_ask_is_shown_filled_in() -> None:
    known = {"company": "Acme", "role": "", "stage": "interview", "rejected_on": "",
             "interviewer": "", "feeling": "2"}  # fmt: skip
    plan = plan_modal(rejection_form(), known, TEXTS)
    assert len(plan.fields) == MODAL_FIELDS
    assert plan.fields[0].initial == "Acme"
