"""Group commit for the dispatcher: many small asks, few round trips.

A :class:`Coalescer` gathers items that many concurrent senders hand it and runs one call
for all of them: while a call is running, new items wait and go together in the next one.
The dispatcher uses two: the last look at each person right before their send, and the
write-behind that records each send as soon as the platform accepted it. Under load a call
covers as many items as there are senders; when quiet, each item goes alone, at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Coalescer(Generic[T, R]):
    """Runs ``call(items)`` for everything submitted while the previous call ran.

    ``call`` returns one result per item, in order. If it raises, every item of that call
    gets the error. ``retries`` more tries are made (``backoff`` seconds apart, growing) for
    errors of the types in ``retry_on`` before giving up: recording a send is idempotent, so
    a write whose acknowledgement was lost with the connection is safe to write again.
    """

    def __init__(
        self,
        call: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        *,
        limit: int = 256,
        retries: int = 0,
        backoff: float = 0.2,
        retry_on: tuple[type[BaseException], ...] = (),
    ) -> None:
        self._call = call
        self._limit = limit
        self._retries = retries
        self._backoff = backoff
        self._retry_on = retry_on
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._runner: asyncio.Task[None] | None = None

    def submit(self, item: T) -> asyncio.Future[R]:
        """Queue ``item``; the future resolves once the call carrying it has finished."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.ensure_future(self._run())
        return future

    async def ask(self, item: T) -> R:
        """Submit ``item`` and wait for its result."""
        return await self.submit(item)

    @property
    def waiting(self) -> int:
        """Items submitted and not yet carried by a finished call."""
        return len(self._waiting)

    async def _run(self) -> None:
        while self._waiting:
            taken, self._waiting = self._waiting[: self._limit], self._waiting[self._limit :]
            items = [item for item, _ in taken]
            try:
                results = await self._attempt(items)
            except BaseException as error:
                for _, future in taken:
                    if not future.done():
                        future.set_exception(error)
                if isinstance(error, asyncio.CancelledError):
                    for _, future in self._waiting:
                        future.cancel()
                    self._waiting = []
                    raise
                continue
            for (_, future), result in zip(taken, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _attempt(self, items: Sequence[T]) -> Sequence[R]:
        delay = self._backoff
        for _ in range(self._retries):
            try:
                return await self._call(items)
            except self._retry_on:
                await asyncio.sleep(delay)
                delay *= 2
        return await self._call(items)

    async def aclose(self) -> None:
        """Wait for every submitted item to be carried."""
        while self._runner is not None and not self._runner.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._runner)
