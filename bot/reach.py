"""Who can be messaged privately: the record of direct messages a platform refused.

Adapters try the DMs (only they can); what a refusal means, whether to try again, and what the
"I've opened my DMs" button does are decided here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.events import Sender
from bot.model import Person

# The reason recorded when the platform refuses the person's DMs (and the first word of the
# delivery error the dispatcher records for it).
DMS_CLOSED = "dms_closed"


class ReachStore(Protocol):
    """The store's people, as reach uses them (``bot.ports.Store`` satisfies it)."""

    async def person(self, sender: Sender, default_timezone: str, now: dt.datetime) -> Person:
        """The person behind ``sender``, created on first contact."""
        ...

    async def set_unreachable(self, person_id: int, reason: str, now: dt.datetime) -> None:
        """Record why the person cannot be messaged privately ("" once they can again)."""
        ...


class Reach:
    """Whether a person's DMs are worth trying, and what to record when they are not."""

    def __init__(self, people: ReachStore, default_timezone: str = "UTC") -> None:
        self._people = people
        self._timezone = default_timezone

    async def closed(self, sender: Sender, now: dt.datetime) -> str:
        """Why the person's DMs are not tried ("" when they are): a refusal recorded before is
        not retried until the person says their DMs are open."""
        person = await self._people.person(sender, self._timezone, now)
        return person.unreachable

    async def refused(self, sender: Sender, now: dt.datetime) -> str:
        """The platform refused a DM to the person: recorded, so check-ins stop trying.
        Returns the reason recorded."""
        person = await self._people.person(sender, self._timezone, now)
        await self._people.set_unreachable(person.id, DMS_CLOSED, now)
        return DMS_CLOSED

    async def recheck(
        self, sender: Sender, now: dt.datetime, hello: Callable[[], Awaitable[bool]]
    ) -> bool:
        """The person says they opened their DMs: a hello is sent (``hello``: whether it
        arrived), and if it arrives the refusal is forgotten. Whether it did."""
        if not await hello():
            return False
        person = await self._people.person(sender, self._timezone, now)
        if person.unreachable:
            await self._people.set_unreachable(person.id, "", now)
        return True
