"""Write-behind for the dispatcher: each send recorded soon after the platform accepted it.

Senders hand their outcomes to a :class:`WriteBehind`. It writes everything handed to it while
its previous write ran in one call (a group commit): under load one transaction carries as
many records as there are senders; when quiet each goes alone, at once. It also bounds what is
unrecorded: :meth:`WriteBehind.reserve` waits while ``bound`` outcomes are being sent or are
sent and not yet written, which is all a process killed at that instant can repeat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

Write = Callable[[Sequence[T]], Awaitable[Sequence[bool]]]
Written = Callable[[Sequence[T], Sequence[bool]], None]


def _room_at_first() -> asyncio.Event:
    """Set: nothing is waiting yet, so there is room."""
    room = asyncio.Event()
    room.set()
    return room


@dataclass(eq=False)
class WriteBehind(Generic[T]):
    """Writes items in groups, at most ``bound`` of them waiting, each written once.

    ``write`` returns one flag per item (False: the item's claim was no longer ours, so
    nothing of it was written) and is handed to ``written`` with its items. A write that
    fails is tried again ``retries`` times, ``backoff`` seconds apart and doubling: writing
    the same records twice must change nothing (the outbox's records are fenced and
    idempotent), since a write whose acknowledgement was lost with the connection did happen.
    """

    write: Write[T]
    written: Written[T]
    _: KW_ONLY
    bound: int
    # Two writes may run at once: while one waits for its commit to reach the disk, the
    # next is written, and the database flushes both together.
    writers: int = 2
    retries: int = 5
    backoff: float = 0.2
    error: BaseException | None = field(default=None, init=False)
    _waiting: list[T] = field(default_factory=list, init=False, repr=False)
    _unwritten: int = field(default=0, init=False, repr=False)
    _room: asyncio.Event = field(default_factory=_room_at_first, init=False, repr=False)
    _running: set[asyncio.Task[None]] = field(default_factory=set, init=False, repr=False)

    def add(self, items: Sequence[T], *, reserved: bool = False) -> None:
        """Hand ``items`` over; they are written soon, with whatever else is waiting.
        ``reserved``: their places were taken with :meth:`reserve` before they were made."""
        if not items:
            return
        self._waiting.extend(items)
        if not reserved:
            self._take(len(items))
        self._start_writer()

    def _start_writer(self) -> None:
        if len(self._running) < self.writers:
            self._running.add(asyncio.ensure_future(self._run()))

    async def reserve(self) -> None:
        """Take a place for one item about to be made (a send about to start): waits while
        ``bound`` are made or being made and not yet written; raises if writing failed."""
        while self._unwritten >= self.bound and self.error is None:
            await self._room.wait()
        if self.error is not None:
            raise self.error
        self._take(1)

    def give_back(self) -> None:
        """A place taken with :meth:`reserve` whose item will not come (the send was not
        made after all)."""
        self._unwritten -= 1
        if self._unwritten < self.bound:
            self._room.set()

    def _take(self, count: int) -> None:
        self._unwritten += count
        if self._unwritten >= self.bound:
            self._room.clear()

    async def close(self) -> None:
        """Wait until everything handed over is written; raise what made writing fail."""
        while self._running or (self._waiting and self.error is None):
            if not self._running:
                self._start_writer()
            await asyncio.shield(asyncio.gather(*self._running, return_exceptions=True))
        if self.error is not None:
            raise self.error

    async def _run(self) -> None:
        try:
            while self._waiting and self.error is None:
                items, self._waiting = self._waiting, []
                try:
                    results = await self._attempt(items)
                except Exception as error:
                    self.error = error
                    self._room.set()  # wake the senders: they stop on the error
                    return
                self._unwritten -= len(items)
                if self._unwritten < self.bound:
                    self._room.set()
                self.written(items, results)
        finally:
            # Leaves the running set in the same step as its last look at the waiting items
            # (no await in between), so anything added later starts a writer of its own.
            current = asyncio.current_task()
            if current is not None:
                self._running.discard(current)

    async def _attempt(self, items: Sequence[T]) -> Sequence[bool]:
        delay = self.backoff
        for _ in range(self.retries):
            try:
                return await self.write(items)
            except Exception:
                await asyncio.sleep(delay)
                delay *= 2
        return await self.write(items)
