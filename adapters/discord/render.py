"""Replies as Discord messages and forms as modal plans: escaping and Discord's limits, no I/O.

Everything here is pure so it can be tested exhaustively; :mod:`adapters.discord.views` turns
the results into ``discord.ui`` objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from adapters.discord.texts import Texts
from bot.replies import CHANNEL_MARK, Attachment, Button, Field, FieldKind, Form, Reply

# Discord's limits (https://discord.com/developers/docs/resources/message and .../components).
CONTENT_LIMIT = 2000
BUTTONS_PER_MESSAGE = 25  # five action rows of five buttons
BUTTON_LABEL_LIMIT = 80
MODAL_TITLE_LIMIT = 45
MODAL_FIELDS = 5
LABEL_LIMIT = 45
DESCRIPTION_LIMIT = 100
PLACEHOLDER_LIMIT = 100
TEXT_INPUT_LIMIT = 4000
SELECT_OPTIONS = 25
OPTION_LIMIT = 100
# Ours, not Discord's: a reply longer than this many messages is cut short with a marker.
MESSAGES_PER_BATCH = 10
HEADING_LIMIT = 200
FILES_PER_MESSAGE = 10

_QUOTE = ">>> "  # quotes everything after it, to the end of the message
_URL = re.compile(r"https?://[^\s<>\\]+")
# Characters with a markdown, link or mention meaning anywhere in a line ("<" opens user,
# role and channel mentions, timestamps and custom emoji; "[" opens a masked link).
_SPECIAL = frozenset("\\*_~|`[]<@")
# Markers that only mean something at the start of a line: headings, quotes, lists, subtext.
_LINE_MARKER = re.compile(r"^([ \t]*)([-+#>]|\d+(?=[.)]))", re.MULTILINE)


def size(text: str) -> int:
    """Length as Discord counts it (UTF-16 code units), never less than ``len(text)``."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def trim(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` cut to ``limit`` (as :func:`size` counts), ending in ``ellipsis`` if cut."""
    if size(text) <= limit:
        return text
    budget = limit - size(ellipsis)
    kept = _prefix_within(text, budget)
    return text[:kept].rstrip() + ellipsis


def escape(text: str) -> str:
    """Plain text made inert in Discord markdown: no formatting, links, mentions or pings.

    Every character that could start markdown, a masked link or a mention gets a backslash,
    which Discord removes when it shows the message, so people see exactly what was typed.
    Bare ``http(s)`` links are left whole so they stay clickable and show where they lead.
    """
    out: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        out.append(_escape_plain(text[position : match.start()]))
        out.append(match.group())
        position = match.end()
    out.append(_escape_plain(text[position:]))
    return "".join(out)


def with_channel(escaped: str, channel: str) -> str:
    """Escaped text with the reply's channel mark as a channel mention (``<#123>``)."""
    if not channel:
        return escaped
    # Only a snowflake becomes markup; anything else stays escaped words.
    mention = f"<#{channel}>" if channel.isascii() and channel.isdigit() else escape(channel)
    return escaped.replace(CHANNEL_MARK, mention)


def _escape_plain(text: str) -> str:
    escaped = "".join("\\" + char if char in _SPECIAL else char for char in text)
    # "#", ">", "-", "+" and "1." only make headings, quotes and lists at the start of a line.
    return _LINE_MARKER.sub(_escape_marker, escaped)


def _escape_marker(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker.isdigit():
        return f"{indent}{marker}\\"  # "1." -> "1\." ; the dot follows
    return f"{indent}\\{marker}"


@dataclass(frozen=True, slots=True)
class Control:
    """A button of the adapter's own: a link (``url``) or one of its custom ids."""

    label: str
    custom_id: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Card:
    """An embed under a message (escaped text): the home on Discord. ``image`` names one of
    the message's files, shown inside the card."""

    title: str
    description: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    image: str = ""
    footer: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Discord message to send: markdown-ready ``content``, the engine's buttons, the
    adapter's own controls (shown after them) and ``files`` to upload with it. A message with
    files is for one person only: senders put it in a DM or an ephemeral answer, never in a
    channel others see."""

    content: str = ""
    buttons: tuple[Button, ...] = ()
    controls: tuple[Control, ...] = ()
    files: tuple[Attachment, ...] = ()
    card: Card | None = None


@dataclass(frozen=True, slots=True)
class _Block:
    text: str  # escaped
    quoted: bool
    separator: str  # put before the block when it shares a message with what came before


def render(replies: Iterable[Reply], texts: Texts) -> list[Outgoing]:
    """Replies as messages within Discord's limits; a reply's ``form`` is left to the caller.

    Consecutive replies share a message while they fit; a reply with buttons, a quote or an
    attachment ends its message, so buttons and files always sit under the words they belong to.
    """
    messages: list[Outgoing] = []
    pending: list[_Block] = []
    for reply in replies:
        pending.extend(_blocks(reply))
        if reply.buttons or reply.quote or reply.attachment is not None:
            files = () if reply.attachment is None else (reply.attachment,)
            messages.extend(_pack(pending, unique_buttons(reply.buttons), files))
            pending = []
    if pending:
        messages.extend(_pack(pending, ()))
    return cap(messages, texts)


def unique_buttons(buttons: Iterable[Button]) -> tuple[Button, ...]:
    """Buttons without repeats: Discord refuses two components with one ``custom_id``."""
    seen: set[tuple[str, str]] = set()
    kept: list[Button] = []
    for button in buttons:
        key = (button.action, button.value)
        if key not in seen:
            seen.add(key)
            kept.append(button)
    return tuple(kept)


def button_label(label: str, texts: Texts) -> str:
    """A label Discord accepts: 1 to 80 characters."""
    return trim(label.strip(), BUTTON_LABEL_LIMIT, texts.ellipsis) or texts.ellipsis


def _blocks(reply: Reply) -> list[_Block]:
    lines: list[str] = []
    if reply.heading.strip():
        lines.append(f"**{escape(trim(reply.heading.strip(), HEADING_LIMIT))}**")
    if reply.text.strip():
        lines.append(with_channel(escape(reply.text.strip("\n")), reply.channel))
    blocks: list[_Block] = []
    if lines:
        blocks.append(_Block("\n".join(lines), quoted=False, separator="\n\n"))
    if reply.quote.strip():
        blocks.append(_Block(escape(reply.quote.strip("\n")), quoted=True, separator="\n"))
    return blocks


def _pack(
    blocks: Sequence[_Block], buttons: tuple[Button, ...], files: tuple[Attachment, ...] = ()
) -> list[Outgoing]:
    chunks: list[str] = []
    current = ""
    for block in blocks:
        prefix = _QUOTE if block.quoted else ""
        for number, piece in enumerate(_split(block.text, CONTENT_LIMIT - size(prefix))):
            text = prefix + piece
            joined = f"{current}{block.separator}{text}" if current else text
            if number == 0 and size(joined) <= CONTENT_LIMIT:
                current = joined
            else:
                if current:
                    chunks.append(current)
                current = text
        if block.quoted:
            # A ">>> " quote runs to the end of its message: nothing may follow it there.
            chunks.append(current)
            current = ""
    if current:
        chunks.append(current)
    if not chunks:
        chunks.append("")
    groups = [
        buttons[start : start + BUTTONS_PER_MESSAGE]
        for start in range(0, len(buttons), BUTTONS_PER_MESSAGE)
    ] or [()]
    messages = [Outgoing(content) for content in chunks[:-1]]
    messages.append(Outgoing(chunks[-1], groups[0], files=files))
    # More than 25 buttons: the rest follow in messages of their own.
    messages.extend(Outgoing("", group) for group in groups[1:])
    return [message for message in messages if message.content or message.buttons or message.files]


def _split(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit``, cut at paragraph, line or word boundaries."""
    pieces: list[str] = []
    while size(text) > limit:
        cut = _cut_point(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip(" \n")
    if text or not pieces:
        pieces.append(text)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    end = _prefix_within(text, limit)
    window = text[:end]
    for boundary in ("\n\n", "\n", " "):
        found = window.rfind(boundary)
        if found > end // 2:
            return found
    # One long word: cut it, but never between a backslash and the character it escapes.
    trailing = len(window) - len(window.rstrip("\\"))
    return end - 1 if trailing % 2 else max(end, 1)


def _prefix_within(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 code units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def cap(messages: list[Outgoing], texts: Texts) -> list[Outgoing]:
    """At most :data:`MESSAGES_PER_BATCH` messages; a longer reply ends with a clear marker."""
    if len(messages) <= MESSAGES_PER_BATCH:
        return messages
    kept = messages[:MESSAGES_PER_BATCH]
    dropped = [button for message in messages[MESSAGES_PER_BATCH:] for button in message.buttons]
    # Files are never cut with the words: they are what the person asked for.
    files = [file for message in messages[MESSAGES_PER_BATCH - 1 :] for file in message.files]
    last = kept[-1]
    marker = escape(texts.shortened)
    room = CONTENT_LIMIT - size(marker) - 1
    body = _split(last.content, room)[0] if last.content else ""
    content = f"{body}\n{marker}" if body else marker
    buttons = unique_buttons((*last.buttons, *dropped))[:BUTTONS_PER_MESSAGE]
    kept[-1] = Outgoing(content, buttons, files=tuple(files[:FILES_PER_MESSAGE]))
    return kept


@dataclass(frozen=True, slots=True)
class ModalField:
    """One input of a modal, already within Discord's limits."""

    name: str
    label: str
    description: str  # shown under the label: the reason a value was refused
    style: str  # "short", "paragraph" or "select"
    required: bool
    max_length: int
    initial: str
    placeholder: str
    options: tuple[tuple[str, str], ...] = ()  # (label, value) for "select"


@dataclass(frozen=True, slots=True)
class ModalPlan:
    """A modal to show (at most five fields) and the form fields left for a later page."""

    title: str
    fields: tuple[ModalField, ...]
    later: tuple[Field, ...]


def known_values(form: Form, presets: Mapping[str, str]) -> dict[str, str]:
    """The values a modal need not ask for: ``presets``, and in a refused form every field
    that was not refused (the person already typed it), so the modal shows only what to fix."""
    names = {field.name for field in form.fields}
    known = {name: value for name, value in presets.items() if name in names}
    if form.errors:
        for field in form.fields:
            if field.name in form.errors:
                known.pop(field.name, None)  # asked again, showing what was typed
            else:
                known.setdefault(field.name, field.initial)
    return known


def plan_modal(form: Form, known: Mapping[str, str], texts: Texts) -> ModalPlan:
    """The next modal page for ``form``: the first five fields not in ``known``."""
    remaining = tuple(field for field in form.fields if field.name not in known)
    if not remaining:
        # Nothing left to ask (should not happen): show the form, filled in, rather than
        # an empty modal Discord would refuse.
        remaining = tuple(replace(f, initial=known.get(f.name, f.initial)) for f in form.fields)
    shown, later = remaining[:MODAL_FIELDS], remaining[MODAL_FIELDS:]
    title = trim(form.title.strip(), MODAL_TITLE_LIMIT, texts.ellipsis) or texts.ellipsis
    return ModalPlan(
        title=title,
        fields=tuple(_modal_field(f, form.errors.get(f.name, ""), texts) for f in shown),
        later=later,
    )


def _modal_field(field: Field, error: str, texts: Texts) -> ModalField:
    label = trim(field.label.strip(), LABEL_LIMIT, texts.ellipsis) or field.name[:LABEL_LIMIT]
    description = trim(error.strip(), DESCRIPTION_LIMIT, texts.ellipsis)
    max_length = max(1, min(field.max_length, TEXT_INPUT_LIMIT))
    placeholder = field.placeholder
    if field.kind is FieldKind.CHOICE and 0 < len(field.options) <= SELECT_OPTIONS:
        options = tuple(
            (trim(option.label, OPTION_LIMIT, texts.ellipsis) or option.value, option.value)
            for option in field.options
            if 0 < len(option.value) <= OPTION_LIMIT
        )
        initial = field.initial if any(value == field.initial for _, value in options) else ""
        return ModalField(
            name=field.name,
            label=label,
            description=description,
            style="select",
            required=field.required,
            max_length=max_length,
            initial=initial,
            placeholder=trim(placeholder, PLACEHOLDER_LIMIT, texts.ellipsis),
            options=options,
        )
    if field.kind is FieldKind.CHOICE and not placeholder:
        # Too many choices for a select menu: type one, the engine matches label or number.
        listed = ", ".join(option.label for option in field.options)
        placeholder = texts.choose_one.format(options=listed)
    if field.kind is FieldKind.DATE and not placeholder:
        placeholder = texts.date_placeholder
    return ModalField(
        name=field.name,
        label=label,
        description=description,
        style="paragraph" if field.kind is FieldKind.LONG_TEXT else "short",
        required=field.required,
        max_length=max_length,
        initial=field.initial[:max_length],
        placeholder=trim(placeholder, PLACEHOLDER_LIMIT, texts.ellipsis),
    )


def one_message(messages: Sequence[Outgoing], texts: Texts) -> str:
    """The words of ``messages`` as the content of one message: whatever does not fit in the
    first is cut, ending in an ellipsis (a post that is taken down later is one message)."""
    contents = [message.content for message in messages if message.content]
    if not contents:
        return ""
    if len(contents) == 1:
        return contents[0]
    room = CONTENT_LIMIT - size(texts.ellipsis)
    return _split(contents[0], room)[0] + texts.ellipsis
