"""Discord's global rate limit (50 requests a second per bot), kept before it is hit.

discord.py paces each route by the ``X-RateLimit-*`` headers Discord sends, before a bucket
runs out (``discord.http.Ratelimit``), but it learns of the global limit only from a 429 and then
waits that one out (``HTTPClient._global_over``): a bot with more to send than 50 a second would
be refused every second, and enough refusals get its IP banned for an hour. So the one thing
kept here is that count, in two places:

- every request discord.py makes takes one of 50 places through the HTTP session's trace hook
  (``discord.Client(http_trace=...)``, awaited by aiohttp before it sends) and gives it back one
  second after its answer came. Discord saw the request between its start and its answer, so
  no second at Discord can hold 51, however late a request left or an answer was read;
- our own sends wait their turn at :meth:`GlobalPace.wait` before discord.py takes a token of
  the route's bucket, so a token is never held for long waiting for a place. (Held tokens are
  what makes discord.py over-send: it believes the ``Remaining`` of an answer that does not
  count them.)

Per-route buckets and the 429s that still come stay discord.py's.
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
    """The global limit of one client: ``per_second`` places for requests under way or
    answered in the last second (:meth:`trace`), and turns for our sends, at most
    ``per_second`` starting in any ``1 + margin`` seconds, in the order they asked (:meth:`wait`).

    ``margin`` keeps the turns a little slower than the places come free, so sends rarely wait
    a second time inside discord.py.
    """

    def __init__(
        self,
        per_second: int = GLOBAL_PER_SECOND,
        *,
        margin: float = 0.05,
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
        self._free = per_second
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def wait(self) -> None:
        """Return when one more of our sends may start now."""
        async with self._turn:
            if len(self._starts) == self._starts.maxlen:
                delay = self._starts[0] + self._window - self._clock()
                if delay > 0:
                    await self._sleep(delay)
            self._starts.append(self._clock())

    async def take(self) -> None:
        """Take a place for a request about to go (first come, first served)."""
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        place: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(place)
        try:
            await place
        except asyncio.CancelledError:
            if place.done() and not place.cancelled():
                self.give_back()  # handed over as the wait was cancelled: pass it on
            elif place in self._waiting:  # (give_back may have passed it over already)
                self._waiting.remove(place)
            raise

    def give_back(self) -> None:
        """A place is free again: to the first still waiting, else back to the pool."""
        while self._waiting:
            place = self._waiting.popleft()
            if not place.done():
                place.set_result(None)
                return
        self._free += 1

    def trace(self) -> aiohttp.TraceConfig:
        """The hook for ``discord.Client(http_trace=...)``."""

        async def starting(
            session: aiohttp.ClientSession,
            context: SimpleNamespace,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            if not any(part in params.url.path for part in EXEMPT):
                await self.take()
                context.placed = True

        async def finished(
            session: aiohttp.ClientSession, context: SimpleNamespace, params: object
        ) -> None:
            if getattr(context, "placed", False):
                context.placed = False
                asyncio.get_running_loop().call_later(1.0, self.give_back)

        config = aiohttp.TraceConfig()
        config.on_request_start.append(starting)
        config.on_request_end.append(finished)
        config.on_request_exception.append(finished)
        return config
