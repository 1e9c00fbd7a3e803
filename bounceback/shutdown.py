"""Serving until told to stop: SIGTERM (every redeploy) and SIGINT end the process cleanly.

On the signal: check-in delivery stops taking new messages, finishes and records the sends in
flight and hands its unfinished claim back at once; then each adapter stops taking events,
finishes the work it already acknowledged, and closes its connections; then the process exits
0. All of it within the shutdown grace period (``BOUNCEBACK_SHUTDOWN_GRACE_SECONDS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine, Iterator
from typing import Any

from bounceback.clock import CheckinClock

log = logging.getLogger("bounceback")

SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set ``stop`` on SIGTERM or SIGINT while inside (the default handlers return after)."""
    loop = asyncio.get_running_loop()
    for number in SIGNALS:
        loop.add_signal_handler(number, stop.set)
    try:
        yield
    finally:
        for number in SIGNALS:
            loop.remove_signal_handler(number)


async def serve_until_stopped(
    adapters: list[Coroutine[Any, Any, int]],
    clock: CheckinClock,
    stop: asyncio.Event,
    grace: float,
) -> int:
    """Run ``adapters`` (each returns an exit status) with ``clock`` ticking, until one ends
    or ``stop`` is set; then drain the clock, then the adapters. Returns the worst status."""
    running = [asyncio.ensure_future(adapter) for adapter in adapters]
    stopping = asyncio.ensure_future(stop.wait())
    clock.start()
    try:
        await asyncio.wait({*running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        loop = asyncio.get_running_loop()
        began = loop.time()
        if stop.is_set():
            log.info("stopping: finishing the work in flight (up to %.0f s)", grace)
        # Deliveries first, while the adapters' connections that carry them are still open.
        await clock.aclose(grace)
        for task in running:
            task.cancel()  # each adapter stops intake, then finishes what it acknowledged
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
    if stop.is_set():
        log.info("stopped")
    return max(statuses)
