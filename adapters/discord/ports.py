"""What the Discord adapter needs from the rest of Bounceback, as small Protocols.

The real engine, store and event log satisfy them; tests pass small fakes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.events import Event
from bot.replies import Reply

Clock = Callable[[], dt.datetime]
"""Returns the current moment, timezone-aware."""

Dedupe = Callable[[str, dt.datetime], Awaitable[bool]]
"""``first_time(key, now)``: True the first time ``key`` is seen (``services.events``)."""


def utc_now() -> dt.datetime:
    """The real clock."""
    return dt.datetime.now(dt.UTC)


class CommandInfoLike(Protocol):
    """A command the engine understands (``bot.engine.CommandInfo``)."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def usage(self) -> str: ...


class Handler(Protocol):
    """The engine, as the adapter uses it."""

    @property
    def commands(self) -> Sequence[CommandInfoLike]: ...

    async def handle(self, event: Event, now: dt.datetime) -> list[Reply]: ...


class MemoStore(Protocol):
    """Where the adapter keeps what a long button or form means (see
    :mod:`adapters.discord.pending`), so that it outlives the process."""

    async def remember_memo(self, token: str, data: str, now: dt.datetime) -> None:
        """Keep ``data`` under ``token``."""
        ...

    async def memo(self, token: str) -> str | None:
        """What was kept under ``token``, if anything."""
        ...
