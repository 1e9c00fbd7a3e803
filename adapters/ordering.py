"""One person's events reach the engine one at a time, in the order they came.

Every adapter answers events concurrently (Slack's worker pool, discord.py's task per
interaction), and two quick presses by one person must not race each other through the engine
(both reading the same conversation, one overwriting the other). So each adapter holds the
person's guard around ``Engine.handle``; different people never wait for each other.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot.events import Sender


class PersonLocks:
    """One lock per person (platform, community, user), kept only while someone holds or
    waits for it."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str, str], tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, sender: Sender) -> AsyncIterator[None]:
        """Wait for the person's earlier events, then run theirs alone."""
        key = (sender.platform, sender.community, sender.user_id)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
