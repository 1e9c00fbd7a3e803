"""Communities: a workspace's or server's settings, and what its people chose to share in its
brag thread (:class:`bot.ports.Communities`). ``storage.community_posts`` posts the shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Unpack

from sqlalchemy import select, update

from bot.model import Community, Person, PostKind
from bot.ports import CommunityChanges
from bot.writes import Share
from storage import brag_schedule
from storage.prepared import Driver
from storage.rows import COMMUNITY_COLUMNS, community_from_row, community_from_values, post_row
from storage.tables import communities, community_posts
from storage.transactions import Transactional

_SHARES = [PostKind.SHARE_WIN.value, PostKind.SHARE_HIRED.value]
_COMMUNITY = ", ".join(COMMUNITY_COLUMNS)
_FIND = f"SELECT {_COMMUNITY} FROM communities WHERE platform = ? AND community = ?"
_ADD = f"""
INSERT INTO communities ({_COMMUNITY}, created_at)
VALUES ({", ".join("?" * (len(COMMUNITY_COLUMNS) + 1))})
ON CONFLICT DO NOTHING
"""


def _stored(driver: Driver, value: Any) -> Any:
    if isinstance(value, bool):
        return driver.flag(value)
    return driver.clock(value) if isinstance(value, dt.time) else value


class SqlCommunities(Transactional):
    """:class:`bot.ports.Communities` on SQLAlchemy."""

    async def community(
        self, platform: str, community: str, default_timezone: str, now: dt.datetime
    ) -> Community:
        def find_or_add(driver: Driver) -> Sequence[Any]:
            key = (platform, community)
            found = driver.first(_FIND, key)
            if found is not None:
                return found
            # The settings a community starts with are the model's defaults.
            settings = Community(platform, community, default_timezone)
            values = [_stored(driver, getattr(settings, name)) for name in COMMUNITY_COLUMNS]
            driver.execute(_ADD, (*values, driver.moment(now)))
            return driver.rows(_FIND, key)[0]

        return community_from_values(await self._hot(find_or_add))

    async def update_community(
        self, platform: str, community: str, **changes: Unpack[CommunityChanges]
    ) -> Community:
        key = (communities.c.platform == platform, communities.c.community == community)
        values = {name: value for name, value in changes.items() if value is not None}
        async with self._connect() as connection:
            if not values:
                return community_from_row(
                    (await connection.execute(select(communities).where(*key))).one()
                )
            row = (
                await connection.execute(
                    update(communities).where(*key).values(**values).returning(*communities.c)
                )
            ).one()
        return community_from_row(row)

    async def share(self, person: Person, share: Share, now: dt.datetime) -> bool:
        posts, win_id = community_posts, share.win_id
        async with self._connect() as connection:
            if win_id is not None:
                existing = await connection.scalar(
                    select(posts.c.id).where(
                        posts.c.win_id == win_id,
                        posts.c.person_id == person.id,
                        posts.c.kind == PostKind.SHARE_WIN.value,
                        posts.c.state.in_(["pending", "claimed", "sent"]),
                    )
                )
                if existing is not None:
                    return False
            # Into this week's thread if it is open; otherwise queued for the next opening and
            # posted right after it: a share never opens the thread before its time.
            place = await brag_schedule.settings(connection, person.platform, person.community)
            week, due = share.week, now
            if place is not None and brag_schedule.enabled(place):
                week, due = await brag_schedule.thread_for_share(
                    self._engine, connection, place, week, now
                )
            shared = post_row(
                person.platform, person.community, share.kind, week, share.channel, due
            )
            await connection.execute(
                posts.insert().values(
                    {
                        **shared,
                        "created_at": now,
                        "person_id": person.id,
                        "win_id": win_id,
                        "body": self._cipher.seal(share.body),
                    }
                )
            )
        return True

    async def unshare_win(self, person_id: int, win_id: int, now: dt.datetime) -> bool:
        return await self._unshare(person_id, now, community_posts.c.win_id == win_id) > 0

    async def unshare_all(self, person_id: int, now: dt.datetime) -> None:
        await self._unshare(person_id, now)

    async def _unshare(self, person_id: int, now: dt.datetime, *where: Any) -> int:
        """Cancel the person's unsent shares and plan the removal of the sent ones."""
        posts = community_posts
        mine = (posts.c.person_id == person_id, posts.c.kind.in_(_SHARES), *where)
        withdrawn = {"state": "skipped", "outcome": "withdrawn", "body": ""}
        async with self._connect() as connection:
            unsent = posts.c.state.in_(["pending", "claimed"])
            cancelled = await connection.execute(
                update(posts).where(*mine, unsent).values(withdrawn)
            )
            sent = (
                await connection.execute(select(posts).where(*mine, posts.c.state == "sent"))
            ).all()
            for row in sent:
                removal = post_row(
                    row.platform, row.community, PostKind.UNSHARE, row.week, row.channel, now
                )
                await connection.execute(
                    posts.insert().values(
                        {**removal, "thread": row.thread, "message_id": row.message_id}
                    )
                )
                await connection.execute(
                    update(posts).where(posts.c.id == row.id).values(withdrawn)
                )
        return cancelled.rowcount + len(sent)
