"""Work an adapter acknowledged to its platform, kept durably until it is done.

Slack takes an acknowledgement within 3 seconds and never sends a command, a button press or
an acknowledged event again; Discord never sends a message twice. So before acknowledging (or,
for a Discord DM, before answering), the adapter writes the event to the inbox under the
platform's own id for the delivery (a retried delivery is then recognised), with the strings
it needs to answer later, and marks it done once its replies went out. Work a stopping process
could not finish is handed back; work of a process that died is reclaimed after its lease and
redone, once, by one instance.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from adapters.rounds import regularly
from bot.codec import CodecError, decode_event, encode_event
from bot.events import Event

log = logging.getLogger("bounceback.adapters")

# How often an adapter looks for work that a process which died left unfinished.
REDO_EVERY_SECONDS = 30.0
# ``keep``'s answer for a delivery seen before (a retry of work already kept).
SEEN = -1
# ``keep``'s answer when nothing could be kept (no inbox, no key, or the database is away):
# the work still runs, as it would without the inbox.
NOT_KEPT = 0


class Kept(Protocol):
    """An inbox entry as handed back for redoing."""

    @property
    def id(self) -> int: ...

    @property
    def payload(self) -> str: ...


class Inbox(Protocol):
    """``storage.inbox.SqlInbox`` as the adapter uses it."""

    async def accept(self, platform: str, key: str, payload: str, now: datetime) -> int | None:
        """Keep ``payload``: its entry; None when ``key`` was accepted before; 0 when it may
        not be kept."""
        ...

    async def done(self, entry: int) -> None:
        """The work of ``entry`` is done."""
        ...

    async def renew(self, entries: Sequence[int], now: datetime) -> None:
        """Work still in hand here: its lease runs from ``now`` again."""
        ...

    async def hand_back(self, entries: Sequence[int], now: datetime) -> None:
        """Work this process will not finish: any instance may redo it now."""
        ...

    async def reclaim(self, platform: str, now: datetime, limit: int = 50) -> Sequence[Kept]:
        """Entries whose holder died, now held here to be redone."""
        ...


class KeptWork:
    """An adapter's side of the inbox: keep, mark done, hand back, redo."""

    def __init__(self, platform: str, inbox: Inbox | None, clock: Callable[[], datetime]) -> None:
        self._platform = platform
        self._inbox = inbox
        self._clock = clock
        self._holding: set[int] = set()

    async def keep(self, key: str, event: Event, where: Mapping[str, str]) -> int:
        """Write ``event`` down (with ``where``: what the adapter needs to answer it later)
        before it is acknowledged: its entry, :data:`SEEN` or :data:`NOT_KEPT`."""
        if self._inbox is None or not key:
            return NOT_KEPT
        try:
            entry = await self._inbox.accept(
                self._platform, key, encode_event(event, dict(where)), self._clock()
            )
        except Exception as error:  # the database may be away: do the work all the same
            log.warning("acknowledged work not kept: %s", type(error).__name__)
            return NOT_KEPT
        if entry is None:
            return SEEN
        if entry <= NOT_KEPT:  # the inbox would not keep these words: the work just runs
            return NOT_KEPT
        self._holding.add(entry)
        return entry

    async def done(self, entry: int) -> None:
        """Forget ``entry``: its replies went out."""
        if self._inbox is None or entry <= NOT_KEPT:
            return
        self._holding.discard(entry)
        try:
            await self._inbox.done(entry)
        except Exception as error:  # redone after the lease: better twice than never
            log.warning("acknowledged work not marked done: %s", type(error).__name__)

    async def hand_back(self) -> None:
        """On the way out: what is still held goes back for another instance to redo now."""
        if self._inbox is None or not self._holding:
            return
        try:
            await self._inbox.hand_back(sorted(self._holding), self._clock())
        except Exception as error:
            log.warning("acknowledged work not handed back: %s", type(error).__name__)
        self._holding.clear()

    async def reclaim(self) -> list[tuple[int, Event, dict[str, str]]]:
        """Work whose process died, to redo here: (entry, event, where to answer)."""
        if self._inbox is None:
            return []
        now = self._clock()
        if self._holding:
            # Work held here outlives its lease in a backlog: renewed first (every redo round
            # comes well within a lease), no instance, this one included, takes it over.
            await self._inbox.renew(sorted(self._holding), now)
        found = []
        for kept in await self._inbox.reclaim(self._platform, now):
            if kept.id in self._holding:  # a lease that ran out all the same: still in hand
                continue
            try:
                event, where = decode_event(kept.payload)
            except CodecError:
                log.warning("acknowledged work %s cannot be read; dropped", kept.id)
                await self._inbox.done(kept.id)
                continue
            self._holding.add(kept.id)
            found.append((kept.id, event, where))
        return found


async def redo_regularly(
    redo: Callable[[], Awaitable[int]], every: float = REDO_EVERY_SECONDS
) -> None:
    """Until cancelled: now (after a restart) and then every ``every`` seconds (another
    instance may have died), ``redo`` the work left unfinished."""

    async def once() -> None:
        redone = await redo()
        if redone:
            log.info("redoing %s piece(s) of acknowledged work left unfinished", redone)

    await regularly(once, every, "redoing unfinished work")
