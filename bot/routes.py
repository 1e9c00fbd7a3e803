"""The route table: what each feature module answers, merged into one table for the engine.

A feature module declares its routes next to its handlers (as python-telegram-bot's handlers
do): the slash commands it answers, the button actions, the form ids, and the handlers for
plain words typed in a private chat. The engine merges the modules' tables once, refusing a
name claimed twice, and looks every event up in the result.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from bot.events import Choice, Command, FormSubmission
from bot.replies import Reply
from bot.turn import Turn


@dataclass(frozen=True, slots=True)
class Typed:
    """Words typed in a private chat, with what the bot was waiting for then ("" if nothing)."""

    text: str
    topic: str = ""
    data: str = ""


CommandHandler = Callable[[Turn, Command], Awaitable[list[Reply]]]
ChoiceHandler = Callable[[Turn, Choice], Awaitable[list[Reply]]]
FormHandler = Callable[[Turn, FormSubmission], Awaitable[list[Reply]]]
# None: the words answer nothing this handler knows; the next one is asked.
TextHandler = Callable[[Turn, Typed], Awaitable[list[Reply] | None]]
H = TypeVar("H")
E = TypeVar("E", Command, Choice, FormSubmission)


@dataclass(frozen=True, slots=True)
class Routes:
    """What one feature module answers.

    ``commands`` are keyed by the command's name without its slash, ``choices`` by a button's
    action, ``forms`` by a form's id. ``texts`` are asked in order, across modules in the order
    the engine lists them, until one answers.
    """

    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    choices: Mapping[str, ChoiceHandler] = field(default_factory=dict)
    forms: Mapping[str, FormHandler] = field(default_factory=dict)
    texts: tuple[TextHandler, ...] = ()


def admins_only(
    handler: Callable[[Turn, E], Awaitable[list[Reply]]],
) -> Callable[[Turn, E], Awaitable[list[Reply]]]:
    """``handler`` for the community's admins; anyone else is told it is theirs alone."""

    @functools.wraps(handler)
    async def for_admins(turn: Turn, event: E) -> list[Reply]:
        if not event.sender.is_admin:
            return [Reply(text=turn.content.text("admin.not_admin"))]
        return await handler(turn, event)

    return for_admins


def merge(*tables: Routes) -> Routes:
    """One table from many. A name two modules claim is a bug, refused at start."""
    commands: dict[str, CommandHandler] = {}
    choices: dict[str, ChoiceHandler] = {}
    forms: dict[str, FormHandler] = {}
    for table in tables:
        _add(commands, table.commands, "command")
        _add(choices, table.choices, "button action")
        _add(forms, table.forms, "form id")
    texts = tuple(handler for table in tables for handler in table.texts)
    return Routes(commands=commands, choices=choices, forms=forms, texts=texts)


def _add(into: dict[str, H], more: Mapping[str, H], what: str) -> None:
    for name, handler in more.items():
        if name in into:
            raise ValueError(f"the {what} {name!r} is routed twice")
        into[name] = handler
