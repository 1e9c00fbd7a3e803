"""Delivering check-ins to the terminal while the console runs."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from adapters.console.chat import Console
from bot.errors import DeliveryError
from bot.events import Sender
from bot.replies import Reply


class ConsoleMessenger:
    """Shows check-ins for the console's own user; anyone else's wait for their own session."""

    platform = "console"

    def __init__(self, console: Console) -> None:
        self._console = console
        self._ids = itertools.count(1)

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        if recipient.user_id != self._console.sender.user_id:
            raise DeliveryError("not_here", retry_after=3600)
        await self._console.deliver(list(replies))
        return f"console-{next(self._ids)}"
