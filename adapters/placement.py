"""Where a reply goes: a modal, the person's DM, in place for them alone, or in the channel.

Decided here once for every platform, from what the platform allows (its :class:`Rules`) and
where the person spoke (:class:`Spoken`); the adapters only carry the answer out, falling back
when the platform refuses (a modal that will not open becomes a button, a closed DM is answered
in place). Pure: no platform SDK, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot import admin
from bot.replies import Reply

# Buttons whose press must come from the server: the platform sends the presser's
# permissions only there, so an answer carrying one never moves to the DM.
SERVER_ACTIONS = admin.ACTIONS


class Place(StrEnum):
    """Where a reply's words go."""

    DM = "dm"  # the person's direct messages with the bot
    EPHEMERAL = "ephemeral"  # where they spoke, seen by them alone
    CHANNEL = "channel"  # where they spoke, seen by everyone there
    NOWHERE = "nowhere"  # not sent: a modal is the whole answer


class FormAs(StrEnum):
    """How a reply's form is offered."""

    NONE = "none"  # the reply has no form
    MODAL = "modal"  # opened at once, over the conversation
    BUTTON = "button"  # a button under the words that opens it later


@dataclass(frozen=True, slots=True)
class Rules:
    """What a platform allows that changes where an answer goes."""

    # A modal is the whole answer to an event (Discord: it is the interaction's one response),
    # so a form opens as one only when it is all there is to say.
    modal_alone: bool
    # The replies to one event travel together, to one place (Discord: one interaction).
    answer_as_one: bool
    # Answers seen by the person alone vanish when the app reloads (Discord), so what they act
    # on or copy later (buttons, a drafted note) goes to the DM instead.
    ephemeral_fades: bool


SLACK = Rules(modal_alone=False, answer_as_one=False, ephemeral_fades=False)
DISCORD = Rules(modal_alone=True, answer_as_one=True, ephemeral_fades=True)


@dataclass(frozen=True, slots=True)
class Spoken:
    """Where the person spoke, and what can answer there now."""

    in_dm: bool  # in their own DM with the bot
    in_place: bool  # an answer can go where they spoke (Slack: a response_url)
    modal_ready: bool  # a form can open as a modal now (a fresh trigger, an open interaction)
    public_ok: bool = True  # the answer may still be seen by all (not after a private deferral)


@dataclass(frozen=True, slots=True)
class Placed:
    """One reply and where it goes. Its file, if any, goes to the person's DM (a home's
    picture stays with the home, which only they see)."""

    reply: Reply
    words: Place
    form: FormAs = FormAs.NONE


def is_private(reply: Reply) -> bool:
    """Seen by the person alone: a private reply, or words about a file (as private as it)."""
    return reply.private or reply.attachment is not None


def place(replies: Sequence[Reply], spoken: Spoken, rules: Rules) -> list[Placed]:
    """Where each of ``replies`` (the answer to one event) goes, in order."""
    if rules.answer_as_one:
        return _as_one(replies, spoken, rules)
    placed = []
    modal_open = False
    for reply in replies:
        form = FormAs.NONE
        if reply.form is not None:
            form = FormAs.MODAL if spoken.modal_ready and not modal_open else FormAs.BUTTON
            modal_open = modal_open or form is FormAs.MODAL  # one trigger opens one modal
        placed.append(Placed(reply, _words(is_private(reply), spoken), form))
    return placed


def _words(private: bool, spoken: Spoken) -> Place:
    if spoken.in_dm or not spoken.in_place:
        return Place.DM
    return Place.EPHEMERAL if private or not spoken.public_ok else Place.CHANNEL


def _as_one(replies: Sequence[Reply], spoken: Spoken, rules: Rules) -> list[Placed]:
    forms = [reply for reply in replies if reply.form is not None]
    files = any(reply.attachment is not None for reply in replies)
    alone = len(replies) == 1 and not files
    if forms and spoken.modal_ready and (alone or not rules.modal_alone):
        return [Placed(forms[0], Place.NOWHERE, FormAs.MODAL)]
    if forms:
        # No modal possible here: each form waits behind a button, answered in place.
        where = Place.DM if spoken.in_dm else Place.EPHEMERAL
        return [
            Placed(reply, where, FormAs.NONE if reply.form is None else FormAs.BUTTON)
            for reply in replies
        ]
    if any(reply.home is not None for reply in replies):
        # A home is a look at this moment (asked for again at will): it stays where it was
        # asked for, for the person alone, its picture included.
        return [Placed(reply, Place.DM if spoken.in_dm else Place.EPHEMERAL) for reply in replies]
    private = any(is_private(reply) for reply in replies)
    lasting = rules.ephemeral_fades and any(reply.buttons or reply.quote for reply in replies)
    lasting = lasting and not any(
        button.action in SERVER_ACTIONS for reply in replies for button in reply.buttons
    )
    to_dm = spoken.in_dm or files or (private and lasting)
    where = Place.DM if to_dm else _words(private, spoken)
    return [Placed(reply, where) for reply in replies]
