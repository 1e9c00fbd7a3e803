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

One route's bucket is kept the same way: opening a DM channel (:class:`RouteBucket`), the one
route a check-in run calls for thousands of people in a row. discord.py paces a bucket by the
``Remaining`` of its latest answer, which does not count the requests still in flight, so at
volume it sends a few over each window. Here each DM open holds one of the bucket's places
(its ``X-RateLimit-Limit``) until a window (the longest ``Reset-After`` seen) after its answer.
Other routes' buckets (one message per person's channel) and the 429s that still come stay
discord.py's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from types import SimpleNamespace

import aiohttp

# Discord's documented default for every bot; larger bots can be granted more.
GLOBAL_PER_SECOND = 50
# Each DM open's place is held at most this long after its answer, whatever a header says.
LONGEST_HOLD = 60.0
# Interaction answers and their follow-ups are not bound by the global limit (Discord's docs):
# they never wait behind check-ins.
EXEMPT = ("/interactions/", "/webhooks/")


class Places:
    """``count`` places, taken first come, first served and given back when done."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._free = count
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def take(self) -> None:
        """Take a place, waiting for one if none is free."""
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
        if self._free < 0:  # the pool shrank while it was taken
            self._free += 1
            return
        while self._waiting:
            place = self._waiting.popleft()
            if not place.done():
                place.set_result(None)
                return
        self._free += 1

    def resize(self, count: int) -> None:
        """Make the pool ``count`` places, those taken included."""
        grown, self._count = count - self._count, count
        if grown < 0:
            self._free += grown
        for _ in range(grown):
            self.give_back()


class RouteBucket:
    """A route's bucket kept before it is hit: one place per request the bucket allows, held
    from before a request goes until ``hold`` seconds after its answer.

    Both are learnt from the answers' headers; until the first, one request goes at a time.
    Discord counted the request between its start and its answer, so any window of ``hold``
    seconds at Discord sees at most the bucket's limit, however the answers were delayed.
    """

    def __init__(self, method: str, path: str, *, margin: float = 0.05) -> None:
        self.method = method
        self.path = path
        self.places = Places(1)
        self.hold = 0.0
        self._margin = margin

    def covers(self, method: str, path: str) -> bool:
        """Whether a request goes through this bucket."""
        return method == self.method and path.endswith(self.path)

    def learn(self, headers: Mapping[str, str]) -> None:
        """Read the bucket's size and window off an answer."""
        with contextlib.suppress(KeyError, ValueError):
            limit = int(headers["X-RateLimit-Limit"])
            if limit >= 1:
                self.places.resize(limit)
        with contextlib.suppress(KeyError, ValueError):
            window = float(headers["X-RateLimit-Reset-After"]) + self._margin
            self.hold = min(max(self.hold, window), LONGEST_HOLD)


class GlobalPace:
    """The global limit of one client: ``per_second`` places for requests under way or
    answered in the last second (:meth:`trace`), and turns for our sends, at most
    ``per_second`` starting in any ``1 + margin`` seconds, in the order they asked (:meth:`wait`).

    ``margin`` keeps the turns a little slower than the places come free, so sends rarely wait
    a second time inside discord.py. The same hook keeps the DM-open bucket (:attr:`opens`).
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
        self._places = Places(per_second)
        self.opens = RouteBucket("POST", "/users/@me/channels")

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
        await self._places.take()

    def give_back(self) -> None:
        """A place is free again: to the first still waiting, else back to the pool."""
        self._places.give_back()

    def trace(self) -> aiohttp.TraceConfig:
        """The hook for ``discord.Client(http_trace=...)``."""

        async def starting(
            session: aiohttp.ClientSession,
            context: SimpleNamespace,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            path = params.url.path
            if self.opens.covers(params.method, path):
                # The bucket first: a request waiting for it holds no global place.
                await self.opens.places.take()
                context.bucket = self.opens
            if not any(part in path for part in EXEMPT):
                await self.take()
                context.placed = True

        async def finished(
            session: aiohttp.ClientSession, context: SimpleNamespace, params: object
        ) -> None:
            later = asyncio.get_running_loop().call_later
            if getattr(context, "placed", False):
                context.placed = False
                later(1.0, self.give_back)
            if (bucket := getattr(context, "bucket", None)) is not None:
                context.bucket = None
                if isinstance(params, aiohttp.TraceRequestEndParams):
                    bucket.learn(params.response.headers)
                later(bucket.hold, bucket.places.give_back)

        config = aiohttp.TraceConfig()
        config.on_request_start.append(starting)
        config.on_request_end.append(finished)
        config.on_request_exception.append(finished)
        return config
