"""A community that removed the bot is erased, whatever fails on the way, and also when the
bot was down as it happened.

A platform says it once (Discord's ``GUILD_DELETE``, Slack's ``app_uninstalled``), and the
adapter has already answered it. So the removal is first noted in the database, then carried
out; the note goes with the community's data, in the deletion's own transaction. A deletion
that fails (the database away for a moment) is finished on a later round of the check-in
clock, by whichever instance runs it, after a restart too.

A removal while Bounceback was down is never announced. A platform that lists where the bot
is when it connects (Discord's ``READY``) shows it instead: a community kept in the database
and missing from that list is noted as absent, and erased once it has stayed absent for
:data:`ABSENT_GRACE` (if the bot is seen there again first, the note goes). The grace and the
refusal to act when the bot is in none of them guard people's data against a wrong token,
which would show the bot somewhere else entirely.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection
from typing import Protocol

log = logging.getLogger(__name__)

# How long a community must stay absent before its data goes: time for an operator to notice
# a bot token of the wrong application (whose list would miss every community).
ABSENT_GRACE = dt.timedelta(hours=24)


class RemovalStore(Protocol):
    """Where removals are noted and carried out (``storage.removals.SqlRemovals`` and
    ``storage.privacy.SqlPrivacy``)."""

    async def owe_removal(self, platform: str, community: str, now: dt.datetime) -> None:
        """Note that the platform said the bot left ``community``."""
        ...

    async def owe_absence(self, platform: str, gone: Collection[str], now: dt.datetime) -> None:
        """Note that the bot is not in these communities any more."""
        ...

    async def cancel_absence(self, platform: str, back: Collection[str]) -> int:
        """Drop the notes of absence of communities the bot is in after all."""
        ...

    async def owed_removals(self, absent_before: dt.datetime) -> list[tuple[str, str]]:
        """The communities to erase now, the oldest first."""
        ...

    async def communities_of(self, platform: str) -> set[str]:
        """Every community of ``platform`` anything is kept about."""
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

    async def seen(
        self, platform: str, present: Collection[str], covered: Callable[[str], bool]
    ) -> int:
        """The platform shows the bot is in ``present`` and in no other community that
        ``covered`` says its list speaks for: note the kept communities missing from it as
        absent, and drop the notes of those present. How many were noted."""
        kept = {c for c in await self._store.communities_of(platform) if covered(c)}
        back = kept.intersection(present)
        await self._store.cancel_absence(platform, back)
        gone = kept - back
        if gone and not back:
            # The bot is in none of them: more likely the token of another application than
            # every community leaving at once. Nothing is noted; someone has to look.
            log.error(
                "%s: the bot is in none of the %d communities Bounceback keeps data for; is the"
                " bot token the right application's? Nothing was marked for deletion (to erase"
                " one: bounceback db forget PLATFORM COMMUNITY)",
                platform, len(gone),
            )  # fmt: skip
            return 0
        if gone:
            await self._store.owe_absence(platform, gone, self._clock())
            log.info(
                "%s: the bot is no longer in %d communities; their data goes in %s unless it"
                " is seen there again",
                platform, len(gone), ABSENT_GRACE,
            )  # fmt: skip
        return len(gone)

    async def finish(self) -> int:
        """Erase the communities whose removal is owed now; how many went."""
        done = 0
        owed = await self._store.owed_removals(self._clock() - ABSENT_GRACE)
        for platform, community in owed:
            await self._store.delete_community(platform, community)
            log.info(
                "%s community %s: its owed removal is done, its data deleted", platform, community
            )
            done += 1
        return done
