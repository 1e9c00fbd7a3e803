"""Bounceback replies to Block Kit: messages, modals and modal errors.

Pure functions. All reply text is plain and may hold anything a person typed, so it is escaped
for mrkdwn here, once, and every string is fitted to Block Kit's limits: long text is split
across blocks and messages, labels are cut with a marker. Nothing rendered here should ever
make Slack answer ``invalid_blocks``.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import json
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.slack.texts import texts
from adapters.slack.translate import BUTTON_PREFIX, FORM_BUTTON_PREFIX, INPUT_ACTION_ID
from bot.replies import CHANNEL_MARK, Button, Field, FieldKind, Form, Option, Reply

Block = dict[str, Any]

# Block Kit's limits, from Slack's reference pages.
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
BLOCKS_PER_MESSAGE = 50
BUTTON_TEXT_LIMIT = 75
BUTTONS_PER_ACTIONS_BLOCK = 25
ACTION_ID_LIMIT = 255
BUTTON_VALUE_LIMIT = 2000
MODAL_TITLE_LIMIT = 24
MODAL_BUTTON_LIMIT = 24
MODAL_BLOCKS_LIMIT = 100
CALLBACK_ID_LIMIT = 255
PRIVATE_METADATA_LIMIT = 3000
BLOCK_ID_LIMIT = 255
LABEL_LIMIT = 2000
PLACEHOLDER_LIMIT = 150
OPTION_TEXT_LIMIT = 75
OPTION_VALUE_LIMIT = 150
OPTIONS_LIMIT = 100
TEXT_INPUT_LIMIT = 3000
# Not a hard limit (chat.postMessage takes 40,000) but a notification preview is short.
FALLBACK_TEXT_LIMIT = 300

_FENCE = "```"


class RenderError(ValueError):
    """A reply cannot be expressed in Block Kit at all (an engine id too long for Slack)."""


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One Slack message: escaped notification ``text`` and its ``blocks``."""

    text: str
    blocks: list[Block]


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack decodes in mrkdwn, so user text never becomes markup.

    ``<!channel>`` stays words, ``<https://evil.example|bank>`` never becomes a link.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def units(text: str) -> int:
    """Length as Slack counts it (UTF-16 code units), which is never less than ``len``."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _escaped_cost(char: str) -> int:
    if char == "&":
        return 5
    if char in "<>":
        return 4
    return 2 if ord(char) > 0xFFFF else 1


def _fit(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` units."""
    budget = limit
    for index, char in enumerate(text):
        budget -= units(char)
        if budget < 0:
            return text[:index]
    return text


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` units with a visible marker when it did not fit."""
    if units(text) <= limit:
        return text
    marker = texts().ellipsis
    return _fit(text, limit - units(marker)).rstrip() + marker


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of ``text`` whose *escaped* form fits in ``limit`` units, cut at paragraph,
    line or word boundaries where possible. Joined, they give back ``text`` minus any piece
    that was only whitespace (Slack refuses blank sections)."""
    ends = list(itertools.accumulate((_escaped_cost(char) for char in text), initial=0))
    pieces = []
    start = 0
    while start < len(text):
        end = bisect.bisect_right(ends, ends[start] + limit) - 1
        if end < len(text):
            for separator in ("\n\n", "\n", " "):
                found = text.rfind(separator, start, end)
                if found > start:
                    end = found + len(separator)
                    break
        pieces.append(text[start:end])
        start = end
    return [piece for piece in pieces if piece.strip()]


def _plain(text: str, limit: int) -> dict[str, Any]:
    # plain_text is never parsed for mentions, links or mrkdwn, so it is not escaped.
    return {"type": "plain_text", "text": clip(text, limit) or texts().ellipsis, "emoji": True}


def _section(mrkdwn: str) -> Block:
    # verbatim: no auto-linking of URLs or channel names and no parsing of bare @mentions.
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": True}}


def _text_blocks(text: str, channel: str = "") -> Iterator[Block]:
    for piece in split_text(text, SECTION_TEXT_LIMIT):
        yield _section(with_channel(escape_mrkdwn(piece), channel))


_CHANNEL_ID = re.compile(r"[A-Z0-9]{1,32}")


def with_channel(escaped: str, channel: str) -> str:
    """Escaped text with the reply's channel mark as a channel mention (``<#C123>``)."""
    if not channel:
        return escaped
    # Only a well-formed id becomes markup; anything else stays escaped words.
    mention = f"<#{channel}>" if _CHANNEL_ID.fullmatch(channel) else escape_mrkdwn(channel)
    return escaped.replace(CHANNEL_MARK, mention)


def _quote_blocks(quote: str) -> Iterator[Block]:
    # A code block keeps a drafted note exactly as written (no *bold* or _italic_ surprises)
    # and easy to copy. A fence inside the note is broken with a zero-width space.
    safe = quote.replace(_FENCE, "``\u200b`")
    room = SECTION_TEXT_LIMIT - 2 * len(_FENCE) - 2
    for piece in split_text(safe, room):
        yield _section(f"{_FENCE}\n{escape_mrkdwn(piece.strip(chr(10)))}\n{_FENCE}")


def _button(index: int, button: Button) -> Block:
    action_id = f"{BUTTON_PREFIX}|{index}|{button.action}"
    if len(action_id) > ACTION_ID_LIMIT or len(button.value) > BUTTON_VALUE_LIMIT:
        raise RenderError(
            f"button action or value too long for Slack (action {button.action[:40]!r})"
        )
    element: Block = {
        "type": "button",
        "action_id": action_id,
        "text": _plain(button.label or button.action, BUTTON_TEXT_LIMIT),
    }
    if button.value:
        element["value"] = button.value
    return element


def _form_button(form: Form) -> Block:
    return {
        "type": "button",
        "action_id": f"{FORM_BUTTON_PREFIX}|0",
        "text": _plain(form.title, BUTTON_TEXT_LIMIT),
        "value": encode_form(form),
        "style": "primary",
    }


def _fallback(reply: Reply) -> str:
    words = reply.heading or reply.text or reply.quote
    if not words and reply.form is not None:
        words = reply.form.title
    return with_channel(
        escape_mrkdwn(clip(" ".join(words.split()), FALLBACK_TEXT_LIMIT)), reply.channel
    )


def render_reply(reply: Reply, *, form_button: bool = False) -> list[SlackMessage]:
    """A reply as one or more Slack messages (more when it exceeds 50 blocks).

    ``form_button`` adds a button that opens ``reply.form`` later, for places where no modal
    can be opened right away (a DM answer, a scheduled check-in, an expired trigger).
    """
    blocks: list[Block] = []
    if reply.heading.strip():
        blocks.append(
            {"type": "header", "text": _plain(" ".join(reply.heading.split()), HEADER_TEXT_LIMIT)}
        )
    blocks.extend(_text_blocks(reply.text, reply.channel))
    if reply.quote.strip():
        blocks.extend(_quote_blocks(reply.quote))
    elements = [_button(index, button) for index, button in enumerate(reply.buttons)]
    if form_button and reply.form is not None:
        elements.append(_form_button(reply.form))
    for offset in range(0, len(elements), BUTTONS_PER_ACTIONS_BLOCK):
        blocks.append(
            {"type": "actions", "elements": elements[offset : offset + BUTTONS_PER_ACTIONS_BLOCK]}
        )
    messages = []
    for offset in range(0, len(blocks), BLOCKS_PER_MESSAGE):
        fallback = _fallback(reply) if offset == 0 else escape_mrkdwn(texts().continued)
        messages.append(
            SlackMessage(
                fallback or escape_mrkdwn(texts().continued),
                blocks[offset : offset + BLOCKS_PER_MESSAGE],
            )
        )
    return messages


def text_message(text: str) -> SlackMessage:
    """A one-section message of the adapter's own words (errors, hints)."""
    return render_reply(Reply(text=text))[0]


def _option(option: Option) -> Block:
    if len(option.value) > OPTION_VALUE_LIMIT:
        raise RenderError(f"option value too long for Slack ({option.value[:40]!r})")
    return {"text": _plain(option.label or option.value, OPTION_TEXT_LIMIT), "value": option.value}


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _element(field: Field) -> Block:
    element: Block = {"action_id": INPUT_ACTION_ID}
    if field.placeholder:
        element["placeholder"] = _plain(field.placeholder, PLACEHOLDER_LIMIT)
    if field.kind is FieldKind.CHOICE:
        if not field.options:
            raise RenderError(f"choice field {field.name!r} has no options")
        options = [_option(option) for option in field.options[:OPTIONS_LIMIT]]
        element.update(type="static_select", options=options)
        initial = next((option for option in options if option["value"] == field.initial), None)
        if initial is not None:
            element["initial_option"] = initial
    elif field.kind is FieldKind.DATE:
        element["type"] = "datepicker"
        if _DATE.fullmatch(field.initial):
            element["initial_date"] = field.initial
    else:
        limit = (
            min(field.max_length, TEXT_INPUT_LIMIT) if field.max_length > 0 else TEXT_INPUT_LIMIT
        )
        element.update(
            type="plain_text_input", multiline=field.kind is FieldKind.LONG_TEXT, max_length=limit
        )
        if field.initial:
            # Slack refuses an initial value longer than max_length; keep what fits, unmarked,
            # because the person edits this text and a marker would become part of it.
            element["initial_value"] = _fit(field.initial, limit)
    return element


def render_form(form: Form) -> Block:
    """A form as a modal view: ``callback_id`` is the form id, ``private_metadata`` its context."""
    if len(form.form_id) > CALLBACK_ID_LIMIT or units(form.context) > PRIVATE_METADATA_LIMIT:
        raise RenderError(f"form id or context too long for Slack (form {form.form_id[:40]!r})")
    blocks = []
    for field in form.fields[:MODAL_BLOCKS_LIMIT]:
        if not field.name or len(field.name) > BLOCK_ID_LIMIT:
            raise RenderError(f"field name unusable as a Slack block_id ({field.name[:40]!r})")
        blocks.append(
            {
                "type": "input",
                "block_id": field.name,
                "optional": not field.required,
                "label": _plain(field.label or field.name, LABEL_LIMIT),
                "element": _element(field),
            }
        )
    return {
        "type": "modal",
        "callback_id": form.form_id,
        "private_metadata": form.context,
        "title": _plain(form.title, MODAL_TITLE_LIMIT),
        "submit": _plain(form.submit_label, MODAL_BUTTON_LIMIT),
        "close": _plain(texts().close_label, MODAL_BUTTON_LIMIT),
        "blocks": blocks,
    }


def render_errors(form: Form) -> dict[str, str]:
    """``response_action: errors`` for a refused submission: field name -> message.

    An error about something that is not a field is shown on the first field, so it is seen.
    """
    names = [field.name for field in form.fields[:MODAL_BLOCKS_LIMIT]]
    errors: dict[str, str] = {}
    for name, message in form.errors.items():
        target = name if name in names else (names[0] if names else name)
        joined = f"{errors[target]} {message}" if target in errors else message
        errors[target] = clip(joined, LABEL_LIMIT)
    return errors


# A form is carried in a button's value for later: JSON, compressed when that helps.
def _form_to_json(form: Form) -> dict[str, Any]:
    return {
        "id": form.form_id,
        "t": form.title,
        "s": form.submit_label,
        "c": form.context,
        "f": [
            [
                f.name,
                f.label,
                f.kind.value,
                f.required,
                f.max_length,
                [[o.value, o.label] for o in f.options],
                f.initial,
                f.placeholder,
            ]
            for f in form.fields
        ],
    }


def encode_form(form: Form) -> str:
    """``form`` as a button value (at most 2,000 characters), or RenderError."""
    raw = json.dumps(_form_to_json(form), separators=(",", ":"), ensure_ascii=False)
    blob = "j" + raw
    if len(blob) > BUTTON_VALUE_LIMIT:
        blob = "z" + base64.urlsafe_b64encode(zlib.compress(raw.encode("utf-8"), 9)).decode("ascii")
    if len(blob) > BUTTON_VALUE_LIMIT:
        raise RenderError(f"form {form.form_id[:40]!r} too large to carry in a button")
    return blob


def _fields(rows: Sequence[Any]) -> tuple[Field, ...]:
    return tuple(
        Field(
            name=str(name),
            label=str(label),
            kind=FieldKind(kind),
            required=bool(required),
            max_length=int(max_length),
            options=tuple(Option(str(value), str(text)) for value, text in options),
            initial=str(initial),
            placeholder=str(placeholder),
        )
        for name, label, kind, required, max_length, options, initial, placeholder in rows
    )


def decode_form(blob: str) -> Form | None:
    """The form carried by a button value; None if the value is not one of ours."""
    try:
        if blob.startswith("z"):
            raw = zlib.decompress(base64.urlsafe_b64decode(blob[1:].encode("ascii"))).decode(
                "utf-8"
            )
        elif blob.startswith("j"):
            raw = blob[1:]
        else:
            return None
        data = json.loads(raw)
        return Form(
            form_id=str(data["id"]),
            title=str(data["t"]),
            fields=_fields(data["f"]),
            submit_label=str(data["s"]),
            context=str(data["c"]),
        )
    except (ValueError, KeyError, TypeError, zlib.error):
        return None
