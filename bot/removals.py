"""A community that removed the bot is erased, once its platform says so, whatever fails on
the way.

A platform says it once (Discord's ``GUILD_DELETE``, Slack's ``app_uninstalled``), and the
adapter has already answered it. So the removal is first noted in the database, then carried
out; the note goes with the community's data, in the deletion's own transaction. A deletion
that fails (the database away for a moment) is finished on a later round of the check-in
clock, by whichever instance runs it, after a restart too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)


class RemovalStore(Protocol):
    """Where removals are noted and carried out (``storage.privacy.SqlPrivacy``)."""

    async def owe_removal(self, platform: str, community: str, now: dt.datetime) -> None:
        """Note that a community is to be erased."""
        ...

    async def owed_removals(self) -> list[tuple[str, str]]:
        """The communities still to erase, the oldest first."""
        ...

    async def delete_community(self, platform: str, community: str) -> int:
        """Erase a community and its note; how many people went."""
        ...


class Removals:
    """Erases the communities that removed the bot, finishing any erasure that failed."""

    def __init__(self, store: RemovalStore, clock: Callable[[], dt.datetime]) -> None:
        self._store = store
        self._clock = clock

    async def remove(self, platform: str, community: str) -> int:
        """The platform says the bot left ``community``: note it, then erase it; how many
        people went. Raises what the deletion raised; the note then stands."""
        try:
            await self._store.owe_removal(platform, community, self._clock())
        except Exception as error:  # the deletion may still go through now
            log.warning("removal of %s %s not noted: %s", platform, community, type(error).__name__)
        return await self._store.delete_community(platform, community)

    async def finish(self) -> int:
        """Erase the communities whose removal is still owed; how many went."""
        done = 0
        for platform, community in await self._store.owed_removals():
            await self._store.delete_community(platform, community)
            log.info(
                "%s community %s: its owed removal is done, its data deleted", platform, community
            )
            done += 1
        return done
