"""The communities whose removal is owed (:class:`bot.removals.RemovalStore`): noted before
their erasure, which :meth:`storage.privacy.SqlPrivacy.delete_community` carries out and which
takes the note with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import delete, func, or_, select, union

from storage.database import dialect_insert
from storage.privacy import COMMUNITY_TABLES
from storage.removal_tables import ABSENT, REMOVED
from storage.tables import people, removals
from storage.transactions import Transactional


class SqlRemovals(Transactional):
    """Owed removals in the relational database, and which communities there are to remove."""

    async def owe_removal(self, platform: str, community: str, now: dt.datetime) -> None:
        """Note that the platform said the bot left ``community``: it is erased at once, and
        no return cancels that (a note of absence becomes this one)."""
        async with self._connect() as connection:
            owed = dialect_insert(self._engine, removals).values(
                platform=platform, community=community, requested_at=now, reason=REMOVED
            )
            keys = [removals.c.platform, removals.c.community]
            await connection.execute(
                owed.on_conflict_do_update(index_elements=keys, set_={"reason": REMOVED})
            )

    async def owe_absence(self, platform: str, gone: Collection[str], now: dt.datetime) -> None:
        """Note that the bot is not in these communities any more (a removal it never heard
        of); one already noted keeps its first moment."""
        if not gone:
            return
        async with self._connect() as connection:
            rows = [
                {"platform": platform, "community": community, "requested_at": now,
                 "reason": ABSENT}
                for community in sorted(gone)
            ]  # fmt: skip
            await connection.execute(
                dialect_insert(self._engine, removals).on_conflict_do_nothing(), rows
            )

    async def cancel_absence(self, platform: str, back: Collection[str]) -> int:
        """The bot is in these communities after all: their notes of absence go (a removal
        the platform announced stays); how many went."""
        if not back:
            return 0
        absent = (removals.c.platform == platform, removals.c.reason == ABSENT)
        async with self._connect() as connection:
            # The few notes first: ``back`` may list every server of a large bot, more than
            # one statement takes as parameters.
            noted = await connection.execute(select(removals.c.community).where(*absent))
            found = sorted({community for (community,) in noted}.intersection(back))
            if not found:
                return 0
            result = await connection.execute(
                delete(removals).where(*absent, removals.c.community.in_(found))
            )
            return result.rowcount

    async def owed_removals(self, absent_before: dt.datetime) -> list[tuple[str, str]]:
        """The communities to erase now (platform, community), the oldest first: each the
        platform said the bot left, and each found absent before ``absent_before``."""
        async with self._connect() as connection:
            rows = await connection.execute(
                select(removals.c.platform, removals.c.community)
                .where(or_(removals.c.reason != ABSENT, removals.c.requested_at <= absent_before))
                .order_by(removals.c.requested_at)
            )
            return [(platform, community) for platform, community in rows]

    async def people_in(self, platform: str, community: str) -> int:
        """How many members of ``community`` are kept."""
        counted = select(func.count()).where(
            people.c.platform == platform, people.c.community == community
        )
        async with self._connect() as connection:
            return int(await connection.scalar(counted) or 0)

    async def communities_of(self, platform: str) -> set[str]:
        """Every community of ``platform`` anything is kept about."""
        listed = union(
            *(
                select(table.c.community).where(table.c.platform == platform)
                for table in (people, *COMMUNITY_TABLES)
            )
        )
        async with self._connect() as connection:
            return {community for (community,) in await connection.execute(listed)}
