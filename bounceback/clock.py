"""The clock that wakes the dispatcher: APScheduler in memory, nothing persisted in it.

The database holds every planned message; APScheduler only calls ``dispatcher.tick(now)``
every few seconds, so a restart, a second instance or a lost job loses nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.dispatcher import Dispatcher
from bot.outcomes import deliveries

log = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    """The real clock."""
    return dt.datetime.now(dt.UTC)


def instance_name() -> str:
    """A name for this process that no other instance shares, for claims."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(eq=False, slots=True)
class CheckinClock:
    """Runs the dispatcher every ``interval`` seconds (and once right away) while started."""

    dispatcher: Dispatcher
    _: KW_ONLY
    interval: float = 30.0
    clock: Callable[[], dt.datetime] = utc_now
    daily: Callable[[dt.datetime], Awaitable[object]] | None = None
    # Work owed that each round finishes first (removals a failed deletion left), if any.
    owed: Callable[[], Awaitable[object]] | None = None
    grace: float = 20.0
    _scheduler: AsyncIOScheduler | None = field(default=None, init=False, repr=False)
    # Rounds under way.
    _running: set[asyncio.Task[Any]] = field(default_factory=set, init=False, repr=False)

    def start(self) -> None:
        """Begin ticking; call from inside the running event loop."""
        scheduler = AsyncIOScheduler(timezone=dt.UTC)
        scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.interval,
            next_run_time=utc_now(),
            max_instances=1,  # a slow tick is never overlapped by the next one
            coalesce=True,
            id="dispatch",
        )
        if self.daily is not None:
            scheduler.add_job(
                self.sweep,
                "interval",
                hours=24,
                next_run_time=utc_now() + dt.timedelta(minutes=1),
                max_instances=1,
                coalesce=True,
                id="daily",
            )
        scheduler.start()
        self._scheduler = scheduler

    async def sweep(self) -> None:
        """The daily housekeeping (retention); safe to run on every instance at once."""
        if self.daily is None:
            return
        try:
            await self.daily(self.clock())
        except asyncio.CancelledError:
            return
        except Exception as error:
            log.warning("daily sweep failed: %s", type(error).__name__)

    async def tick(self) -> None:
        """One round of deliveries; failures are logged and retried on the next tick."""
        current = asyncio.current_task()
        if current is not None:
            self._running.add(current)
        try:
            if self.owed is not None:
                await self._finish_owed(self.owed)
            report = await self.dispatcher.tick(self.clock())
        except asyncio.CancelledError:
            # The process is shutting down mid-round: whatever this round had claimed
            # returns to the pool when its lease runs out. Nothing to report as an error.
            log.debug("check-in round interrupted by shutdown")
            return
        except Exception as error:
            # The database may be away for a moment: the next tick tries again.
            log.warning("check-in round failed: %s", type(error).__name__)
            return
        finally:
            if current is not None:
                self._running.discard(current)
        if report.claimed:
            log.info("check-ins: %s", " ".join(deliveries(report)))

    async def _finish_owed(self, owed: Callable[[], Awaitable[object]]) -> None:
        try:
            await owed()
        except Exception as error:  # the database may be away: the next round tries again
            log.warning("owed work not finished: %s", type(error).__name__)

    def stop(self) -> None:
        """Stop ticking at once; a round in progress is cancelled (:meth:`aclose` drains it)."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    async def aclose(self, grace: float | None = None) -> None:
        """Stop ticking and drain: the round in progress starts no new send, records those in
        flight and hands the rest of its claim back; after ``grace`` seconds (the clock's
        own by default) it is cancelled, and what it still held returns with its lease."""
        self.dispatcher.stop()
        if self._scheduler is not None:
            # Paused, not shut down yet: shutting APScheduler down cancels a running job.
            self._scheduler.pause()
        # A round the scheduler handed over just before the pause starts on the next turn of
        # the loop: let it begin (it sees the stop at once), then wait for every round.
        await asyncio.sleep(0)
        running = set(self._running)
        if running:
            _, late = await asyncio.wait(running, timeout=self.grace if grace is None else grace)
            if late:
                log.warning("check-in round still running after the grace period: cancelled")
                for task in late:
                    task.cancel()
                await asyncio.wait(late)
        self.stop()
