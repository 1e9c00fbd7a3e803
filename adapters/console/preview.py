"""The console's own clock and check-in rounds, so a week of check-ins can be walked in a minute.

``/next`` moves this session's clock to the next planned check-in and runs a round at once.
Only the console does this: its clock is an offset on real time that nothing outside the
session sees, and every event and every round of the session reads the same clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field
from types import TracebackType
from typing import Protocol

log = logging.getLogger(__name__)

# The daily housekeeping (retention) starts a minute into the session, as on a server.
FIRST_SWEEP_SECONDS = 60.0
SWEEP_EVERY_SECONDS = 24 * 3600.0

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The real clock."""
    return dt.datetime.now(dt.UTC)


class OffsetClock:
    """Real time plus however far ``/next`` has moved this session forward."""

    def __init__(self, real: Clock = utc_now) -> None:
        self._real = real
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return self._real() + self.offset

    def advance_to(self, moment: dt.datetime) -> None:
        """Jump forward to ``moment``; never back (what happened stays in the past)."""
        gap = moment - self()
        if gap > dt.timedelta(0):
            self.offset += gap


class Dispatcher(Protocol):
    """What a round drives: ``bot.dispatcher.Dispatcher.tick``."""

    async def tick(self, now: dt.datetime) -> object: ...


@dataclass(eq=False, slots=True)
class Rounds:
    """Check-in rounds on the session's clock: every ``interval`` seconds, after each answer and
    on ``/next``, one at a time; and ``daily`` housekeeping (retention) in a session that lasts.

    A round is never cancelled halfway: it runs in a task of its own that callers only wait
    for, and leaving waits for it to end. A database call cut off mid-way (SQLite's connection
    thread stopped twice) could otherwise leave a task that never finishes and hold the
    process open at exit.
    """

    dispatcher: Dispatcher
    clock: Clock
    interval: float
    _: KW_ONLY
    daily: Callable[[dt.datetime], Awaitable[object]] | None = None
    monotonic: Callable[[], float] = time.monotonic
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    _rounds: set[asyncio.Task[None]] = field(default_factory=set, init=False, repr=False)
    _timer: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    async def run(self) -> None:
        """One round now (after the one under way, if any)."""
        await self._unbroken(self._round())

    async def _unbroken(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._rounds.add(task)
        task.add_done_callback(self._rounds.discard)
        await asyncio.shield(task)

    async def _round(self) -> None:
        async with self._lock:
            try:
                await self.dispatcher.tick(self.clock())
            except Exception as error:
                # The next round tries again; the session goes on.
                log.warning("check-in round failed: %s", type(error).__name__)

    async def _sweep(self) -> None:
        async with self._lock:
            try:
                if self.daily is not None:
                    await self.daily(self.clock())
            except Exception as error:
                log.warning("daily sweep failed: %s", type(error).__name__)

    async def _every_interval(self, sweep_at: float) -> None:
        while True:
            await self.run()
            if self.daily is not None and self.monotonic() >= sweep_at:
                sweep_at += SWEEP_EVERY_SECONDS
                await self._unbroken(self._sweep())
            await asyncio.sleep(self.interval)

    async def __aenter__(self) -> Rounds:
        first_sweep = self.monotonic() + FIRST_SWEEP_SECONDS
        self._timer = asyncio.ensure_future(self._every_interval(first_sweep))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            # Cancelling the timer only ever interrupts its sleep or its wait on a round.
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        while self._rounds:
            await asyncio.wait(set(self._rounds))
