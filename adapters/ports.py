"""What every adapter needs from the rest of Bounceback, as small Protocols and aliases.

The real engine, event log and store satisfy them; tests pass small fakes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Collection
from typing import Protocol

from bot.events import Event
from bot.replies import Reply

Clock = Callable[[], dt.datetime]
"""Returns the current moment, timezone-aware."""

CommunityRemoved = Callable[[str, str], Awaitable[object]]
"""``delete_community(platform, community)``: forget a community's people and data (the
storage's hook; its result is ignored)."""


CommunitiesSeen = Callable[[str, Collection[str], Callable[[str], bool]], Awaitable[object]]
"""``seen(platform, present, covered)``: the platform lists the communities the bot is in
(``present``), complete for every community ``covered`` accepts; those kept in the database
and missing from it are noted as absent (see :mod:`bot.removals`)."""


def utc_now() -> dt.datetime:
    """The real clock."""
    return dt.datetime.now(dt.UTC)


class Handler(Protocol):
    """The engine, as an adapter hands it events."""

    async def handle(self, event: Event, now: dt.datetime) -> list[Reply]:
        """Everything to say in answer to ``event``."""
        ...


class Dedupe(Protocol):
    """A durable "have we seen this key before?" shared by every instance (the event log)."""

    async def first_time(self, key: str, now: dt.datetime) -> bool:
        """True exactly once per key, however many instances ask."""
        ...


class CommandSpec(Protocol):
    """A command the engine understands (``bot.engine.CommandInfo``)."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def usage(self) -> str: ...
