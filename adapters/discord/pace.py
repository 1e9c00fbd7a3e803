"""Discord's global rate limit (50 requests a second per bot), kept before it is hit.

discord.py paces each route by the ``X-RateLimit-*`` headers Discord sends, before a bucket
runs out (``discord.http.Ratelimit``), but it learns of the global limit only from a 429 and then
waits that one out (``HTTPClient._global_over``): a bot with more to send than 50 a second would
be refused every second, and enough refusals get its IP banned for an hour. So the one thing
kept here is that count: every request discord.py makes waits its turn at :class:`GlobalPace`
through the HTTP session's trace hook (``discord.Client(http_trace=...)``), which aiohttp awaits
before it sends. Per-route buckets and the 429s that still come stay discord.py's.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from types import SimpleNamespace

import aiohttp

# Discord's documented default for every bot; larger bots can be granted more.
GLOBAL_PER_SECOND = 50
# Interaction answers and their follow-ups are not bound by the global limit (Discord's docs):
# they never wait behind check-ins.
EXEMPT = ("/interactions/", "/webhooks/")


class GlobalPace:
    """At most ``per_second`` request starts in any window of ``1 + margin`` seconds, in the
    order they asked.

    ``margin`` covers the moment between a request's start here and its arrival at Discord,
    which varies by a few milliseconds: without it two windows a hair under one second apart
    would each look full to Discord. A sliding window, not a fixed one: Discord does not say
    where its seconds begin, so no second anywhere may hold more.
    """

    def __init__(
        self,
        per_second: int = GLOBAL_PER_SECOND,
        *,
        margin: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self._window = 1.0 + margin
        self._starts: deque[float] = deque(maxlen=per_second)
        self._clock = clock
        self._sleep = sleep
        self._turn = asyncio.Lock()  # first come, first served

    async def wait(self) -> None:
        """Return when one more request may start now."""
        async with self._turn:
            if len(self._starts) == self._starts.maxlen:
                delay = self._starts[0] + self._window - self._clock()
                if delay > 0:
                    await self._sleep(delay)
            self._starts.append(self._clock())

    def trace(self) -> aiohttp.TraceConfig:
        """The hook for ``discord.Client(http_trace=...)``: each request waits its turn."""

        async def starting(
            session: aiohttp.ClientSession,
            context: SimpleNamespace,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            if not any(part in params.url.path for part in EXEMPT):
                await self.wait()

        config = aiohttp.TraceConfig()
        config.on_request_start.append(starting)
        return config
