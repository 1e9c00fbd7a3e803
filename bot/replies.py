"""What the engine hands back to adapters: plain data describing what to say.

All text here is plain: it carries no platform markup, and any user text inside it is raw.
Each adapter escapes it for its own platform when it renders, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.frozen import quick_init
from bot.home_view import Chart, HomeView


class FieldKind(StrEnum):
    """How a form field is entered."""

    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # a paragraph
    CHOICE = "choice"  # one of ``options``
    DATE = "date"  # YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a CHOICE field: ``value`` is submitted, ``label`` is shown."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a form."""

    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    max_length: int = 200
    options: tuple[Option, ...] = ()
    initial: str = ""
    placeholder: str = ""
    # For a DATE: the earliest date taken (YYYY-MM-DD); "" for the last few years only.
    earliest: str = ""


@dataclass(frozen=True, slots=True)
class Form:
    """A form to fill in: a modal on Slack and Discord, one question at a time in the console.

    ``errors`` maps field names to messages when a submission was refused; the form comes back
    with the person's values in ``initial`` so nothing they typed is lost.
    """

    form_id: str
    title: str
    fields: tuple[Field, ...]
    submit_label: str = "Save"
    context: str = ""
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered under a reply; pressing it sends ``Choice(action, value)`` back."""

    label: str
    action: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file handed to the person privately, such as their data export."""

    filename: str
    content: bytes
    mime_type: str = "application/json"


# Where a reply's text names its ``channel``: a mark, not an id, so no id is ever shown raw.
CHANNEL_MARK = "{channel}"


@quick_init
@dataclass(frozen=True, slots=True)
class Reply:
    """One message from the bot.

    ``heading`` is a short title line; ``quote`` is a block meant to be copied as it is (a
    drafted note), shown apart from ``text``. ``private`` replies are seen only by the person;
    public ones go where the conversation is. A reply with a ``form`` asks the adapter to open it;
    one with an ``attachment`` carries a file to deliver privately (a DM upload, a saved file).
    ``channel`` is the platform's id of a channel the text names where it says
    :data:`CHANNEL_MARK`; each adapter puts its own mention there. ``home`` is the person's
    home (the text then holds it in words, for adapters that show words only); ``chart`` is
    the journey picture, drawn by the adapter and handed over privately like an attachment.
    """

    text: str = ""
    heading: str = ""
    quote: str = ""
    buttons: tuple[Button, ...] = ()
    form: Form | None = None
    private: bool = True
    attachment: Attachment | None = None
    channel: str = ""
    home: HomeView | None = None
    chart: Chart | None = None
