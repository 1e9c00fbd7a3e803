"""The Slack adapter's after-ack work: a small worker pool, drained on the way out."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import traceback
from collections.abc import Coroutine
from typing import Any, TypeVar

from adapters.slack.outbox import log

T = TypeVar("T")


def log_failure(what: str, error: BaseException | None) -> None:
    """Log an unexpected error by type and traceback only: its message may quote a person."""
    if error is None:
        return
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("slack %s failed with %s\n%s", what, type(error).__name__, frames)


class Background:
    """The adapter's after-ack work.

    Most work is queued for a fixed pool of workers (``submit``): the event loop then never
    holds more than a few runnable jobs, so acknowledging the next request is not stuck
    behind a backlog of engine calls and Slack calls under load. Work carrying a trigger_id
    (it must open a modal within 3 s) jumps the queue. ``spawn`` starts a task at once, for
    work someone is waiting on. Everything is tracked, awaited by ``drain`` (tests use it
    instead of sleeping) and finished or cancelled by ``close``.
    """

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._queue: asyncio.PriorityQueue[tuple[int, int, Coroutine[Any, Any, Any]]] = (
            asyncio.PriorityQueue()
        )
        self._order = itertools.count()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pool: list[asyncio.Task[None]] = []
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def submit(self, work: Coroutine[Any, Any, Any], *, urgent: bool = False) -> None:
        """Queue ``work`` for the worker pool."""
        if not self._pool:
            self._pool = [asyncio.create_task(self._worker()) for _ in range(self._workers)]
        self._pending += 1
        self._idle.clear()
        self._queue.put_nowait((0 if urgent else 1, next(self._order), work))

    async def _worker(self) -> None:
        while True:
            _, _, work = await self._queue.get()
            try:
                await work
            except Exception as error:
                log_failure("background work", error)
            finally:
                self._pending -= 1
                if not self._pending:
                    self._idle.set()

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``work`` now, as its own task."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log_failure("background work", task.exception())

    async def drain(self) -> None:
        """Wait until no work is left, including work started by work."""
        while self._tasks or self._pending:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            else:
                await self._idle.wait()

    async def close(self, grace: float) -> None:
        """Let the work finish for up to ``grace`` seconds, then cancel what is left."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), grace)
        for task in [*self._tasks, *self._pool]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._pool, return_exceptions=True)
        self._pool = []
        while not self._queue.empty():  # never started: close, so nothing warns
            self._queue.get_nowait()[2].close()
            self._pending -= 1
