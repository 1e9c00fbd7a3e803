"""What the process hands each adapter it runs, built once by the composition root.

Every adapter's ``serve`` takes the same two things besides its own config and parts: the
process's shared collaborators and the lifecycle it runs under.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from adapters.kept import Inbox
from adapters.ports import Clock, CommunitiesSeen, CommunityRemoved, Dedupe, utc_now
from bot.delivery_ports import Messenger


@dataclass(frozen=True, slots=True)
class Shared:
    """The process's parts that every adapter uses alike.

    ``dedupe`` is the event log; ``on_community_removed`` forgets the people and data of a
    workspace or server that removed the bot; ``on_communities_seen`` hears where the
    platform says the bot is, to find removals made while Bounceback was down; ``inbox``
    keeps acknowledged work until it is done (none: work lives only in the process);
    ``clock`` is the process's one clock.
    """

    dedupe: Dedupe
    on_community_removed: CommunityRemoved
    inbox: Inbox | None = None
    clock: Clock = utc_now
    on_communities_seen: CommunitiesSeen | None = None


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """How the process runs one adapter.

    Once connected, the adapter's messenger goes to ``register_messenger``: the process's one
    dispatcher delivers through it. When ``stop`` is set the adapter takes no new work,
    finishes what it acknowledged (within the shutdown grace period, handing back the rest),
    sets ``drained``, and keeps its connection for the deliveries still going out until it is
    cancelled.
    """

    register_messenger: Callable[[Messenger], None] | None = None
    stop: asyncio.Event | None = None
    drained: asyncio.Event | None = None

    async def until_stopped(self) -> None:
        """Wait for ``stop`` (forever without one)."""
        await (self.stop or asyncio.Event()).wait()

    def set_drained(self) -> None:
        """Say that this adapter's acknowledged work is finished."""
        if self.drained is not None:
            self.drained.set()
