"""What adapters hand to the engine: platform-neutral events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.frozen import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class Sender:
    """Who an event came from, in the terms of the platform it came through.

    ``community`` is the Slack workspace (team id), the Discord server (guild id; ``"dm"`` for
    a direct message outside any server) or ``"console"``. Together with ``platform`` and
    ``user_id`` it identifies one person's data; nothing is shared across that key.
    """

    platform: str
    community: str
    user_id: str
    display_name: str = ""
    # Whether the platform says this person administers the community (Slack workspace admins
    # or owners, or a configured list; Discord's Manage Server permission).
    is_admin: bool = False
    # The person's IANA time zone when the platform knows it (Slack's profile), else "".
    timezone: str = ""
    # The person's language and region when the platform says (Discord: "en-US", "pt-BR"),
    # else "": a hint for guessing a zone it does not tell.
    locale: str = ""


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command such as ``/brag shipped the release``: ``name="brag"``, ``text`` the rest.

    ``channel`` is the platform's id of the channel it was typed in ("" in a DM or console), so
    an admin can point the bot at a channel by typing a command there.
    """

    sender: Sender
    name: str
    text: str = ""
    channel: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """A button press: the ``action`` and ``value`` of a :class:`bot.replies.Button`."""

    sender: Sender
    action: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class FormSubmission:
    """A filled-in :class:`bot.replies.Form`; ``values`` maps field names to the raw text typed.

    A skipped optional field may be missing or empty. ``context`` is the form's own context,
    handed back unchanged.
    """

    sender: Sender
    form_id: str
    values: Mapping[str, str] = field(default_factory=dict)
    context: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """Plain words typed in a private conversation with the bot (not a command)."""

    sender: Sender
    text: str


Event = Command | Choice | FormSubmission | Message
