"""Serving until told to stop: SIGTERM (every redeploy) and SIGINT end the process cleanly.

On the signal, at once: each adapter stops taking requests, and check-in delivery stops
starting sends. Then, side by side: delivery records the sends in flight and hands the rest of
its claim back; each adapter finishes the work it already acknowledged (handing back what it
cannot). Only then do the adapters close their connections (the deliveries in flight went
through them), and the process exits 0. All of it within the shutdown grace period
(``BOUNCEBACK_SHUTDOWN_GRACE_SECONDS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

from bounceback.clock import CheckinClock

log = logging.getLogger("bounceback")

SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set ``stop`` on SIGTERM or SIGINT while inside (the default handlers come back after)."""
    loop = asyncio.get_running_loop()
    for number in SIGNALS:
        loop.add_signal_handler(number, stop.set)
    try:
        yield
    finally:
        for number in SIGNALS:
            loop.remove_signal_handler(number)


@dataclass
class Stopping:
    """The stop as an adapter sees it: ``requested`` is set when it must stop taking
    requests; it sets the event it got from :meth:`drained_event` once the work it had
    acknowledged is done (or handed back), and keeps its connections open until cancelled."""

    requested: asyncio.Event = field(default_factory=asyncio.Event)
    _drained: list[asyncio.Event] = field(default_factory=list)

    def drained_event(self) -> asyncio.Event:
        """An event for one adapter to set when its acknowledged work is finished."""
        event = asyncio.Event()
        self._drained.append(event)
        return event

    async def all_drained(self) -> None:
        await asyncio.gather(*(event.wait() for event in self._drained))


async def serve_until_stopped(
    adapters: list[Coroutine[Any, Any, int]],
    clock: CheckinClock,
    stopping: Stopping,
    grace: float,
) -> int:
    """Run ``adapters`` (each returns an exit status) with ``clock`` ticking, until one ends
    or a stop is requested; then drain as the module says. Returns the worst status."""
    running = [asyncio.ensure_future(adapter) for adapter in adapters]
    asked = asyncio.ensure_future(stopping.requested.wait())
    clock.start()
    try:
        await asyncio.wait({*running, asked}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        asked.cancel()
        loop = asyncio.get_running_loop()
        began = loop.time()
        requested = stopping.requested.is_set()
        if requested:
            log.info("stopping: finishing the work in flight (up to %.0f s)", grace)
        stopping.requested.set()  # adapters stop taking requests, if one ended on its own
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(clock.aclose(grace), stopping.all_drained()), grace + 1.0
            )
        for task in running:
            task.cancel()  # each adapter closes its connections
        left = max(grace - (loop.time() - began), 1.0)
        _, late = await asyncio.wait(running, timeout=left) if running else (set(), set())
        if late:
            log.warning("acknowledged work still running after the grace period: cancelled")
            for task in late:
                task.cancel()
            await asyncio.wait(late, timeout=5.0)
    statuses = [0]
    for task in running:
        if not task.done() or task.cancelled():
            continue
        error = task.exception()
        if error is not None:
            raise error
        statuses.append(task.result())
    if requested:
        log.info("stopped")
    return max(statuses)
