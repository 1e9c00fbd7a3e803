"""Delivering check-ins to the terminal while the console runs."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from adapters.console.chat import Console
from bot.errors import DeliveryError
from bot.events import Sender
from bot.replies import Reply


class ConsoleMessenger:
    """Shows check-ins for the console's own user (anyone else's wait for their own session),
    and the community's brag thread as lines marked with the channel."""

    platform = "console"

    def __init__(self, console: Console) -> None:
        self._console = console
        self._ids = itertools.count(1)
        self.delivered = 0  # check-ins shown to the console's user in this session

    async def open_thread(
        self, community: str, channel: str, replies: Sequence[Reply], key: str
    ) -> str:
        await self._console.deliver(
            [replace(r, heading=f"#{channel} | {r.heading}") for r in replies]
        )
        return f"thread-{next(self._ids)}"

    async def post(
        self, community: str, channel: str, thread: str, replies: Sequence[Reply], key: str
    ) -> str:
        await self._console.deliver(
            [replace(r, text=f"#{channel} thread | {r.text}") for r in replies]
        )
        return f"post-{next(self._ids)}"

    async def react(
        self, community: str, channel: str, thread: str, message_id: str, emoji: str
    ) -> None:
        await self._console.deliver(
            [Reply(text=f"#{channel} thread | Bounceback reacted :{emoji}:")]
        )

    async def delete(self, community: str, channel: str, thread: str, message_id: str) -> None:
        await self._console.deliver(
            [Reply(text=f"#{channel} thread | (a shared post was removed)")]
        )

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        if recipient.user_id != self._console.sender.user_id:
            raise DeliveryError("not_here", retry_after=3600)
        await self._console.deliver(list(replies))
        self.delivered += 1
        return f"console-{next(self._ids)}"
