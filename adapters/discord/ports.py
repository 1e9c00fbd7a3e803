"""What the Discord adapter needs beyond :mod:`adapters.ports`: the engine's commands, and
where long buttons' meanings and people's DM channels are kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from adapters.ports import Clock, CommandSpec, Dedupe, utc_now
from adapters.ports import Handler as BaseHandler
from bot.content import Content
from bot.events import Sender

__all__ = [
    "Clock",
    "CommandSpec",
    "Dedupe",
    "DiscordStore",
    "DmChannelStore",
    "Handler",
    "MemoStore",
    "utc_now",
]


class Handler(BaseHandler, Protocol):
    """The engine, as the Discord adapter uses it: events, its commands to register, and its
    words (the typed options of ``/rejected`` are its form's fields)."""

    @property
    def commands(self) -> Sequence[CommandSpec]: ...

    @property
    def content(self) -> Content: ...


class MemoStore(Protocol):
    """Where the adapter keeps what a long button or form means (see
    :mod:`adapters.discord.pending`), so that it outlives the process."""

    async def remember_memo(self, token: str, data: str, now: dt.datetime) -> None:
        """Keep ``data`` under ``token``."""
        ...

    async def memo(self, token: str) -> str | None:
        """What was kept under ``token``, if anything."""
        ...


class DmChannelStore(Protocol):
    """Where each person's DM channel is kept (see :mod:`adapters.discord.dm_channels`)."""

    async def dm_channel(self, platform: str, user_id: str) -> str | None:
        """The channel kept for the user, if any."""
        ...

    async def remember_dm_channel(self, person: Sender, channel_id: str, now: dt.datetime) -> None:
        """Keep ``channel_id`` for ``person``."""
        ...

    async def forget_dm_channel(self, platform: str, user_id: str) -> None:
        """Forget the user's channel (the platform no longer knows it)."""
        ...


class DiscordStore(MemoStore, DmChannelStore, Protocol):
    """All the Discord adapter keeps in storage: button memos and each person's DM channel
    (the one store holds both)."""
