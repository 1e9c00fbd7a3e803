"""Each person's direct-message channel, as a platform opened it: a check-in to someone met
before is one request (the send), not two, also after a restart.

Kept per person, so deleting the person (or their community) deletes it; looked up by the
platform's user id, since the channel belongs to the user in whichever community they are met.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, literal, select

from bot.events import Sender
from storage.database import dialect_insert
from storage.tables import dm_channels, people
from storage.transactions import Transactional


class SqlDmChannels(Transactional):
    """The DM channels the platforms opened (the Discord adapter's ``DmChannelStore``)."""

    async def dm_channel(self, platform: str, user_id: str) -> str | None:
        """The channel kept for the user, if any."""
        async with self._connect() as connection:
            found: str | None = await connection.scalar(
                select(dm_channels.c.channel_id)
                .where(dm_channels.c.platform == platform, dm_channels.c.user_id == user_id)
                .limit(1)
            )
        return found

    async def remember_dm_channel(self, person: Sender, channel_id: str, now: dt.datetime) -> None:
        """Keep ``channel_id`` for ``person`` (nothing is kept for someone not stored)."""
        values = select(
            people.c.id,
            people.c.platform,
            people.c.user_id,
            literal(channel_id).label("channel_id"),
            literal(now, dm_channels.c.opened_at.type).label("opened_at"),
        ).where(
            people.c.platform == person.platform,
            people.c.community == person.community,
            people.c.user_id == person.user_id,
        )
        columns = ["person_id", "platform", "user_id", "channel_id", "opened_at"]
        statement = dialect_insert(self._engine, dm_channels).from_select(columns, values)
        async with self._connect() as connection:
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["person_id"],
                    set_={"channel_id": channel_id, "opened_at": now},
                )
            )

    async def forget_dm_channel(self, platform: str, user_id: str) -> None:
        """The platform no longer knows the channel: the next send opens a new one."""
        async with self._connect() as connection:
            await connection.execute(
                delete(dm_channels).where(
                    dm_channels.c.platform == platform, dm_channels.c.user_id == user_id
                )
            )
