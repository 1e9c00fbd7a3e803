"""The weekly brag thread's schedule: planned from the community's settings, moved when they
change, skipped or opened early by its admins, and where a share waits for its thread.

Each week has one thread row (a partial unique index), and every change to it is one UPDATE
fenced on its state (and, for a move, on the due time read), so two instances making the same
change make it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.model import BragOpening, PlannedState, PostKind, Pulse
from bot.schedule import following_week, next_weekly_post, weekly_slot
from storage.application_tables import applications
from storage.database import dialect_insert
from storage.rows import post_row
from storage.tables import communities, community_posts, people, practice_pairs, rejections
from storage.transactions import Transactional

posts = community_posts
PENDING = PlannedState.PENDING.value
CLAIMED = PlannedState.CLAIMED.value
SENT = PlannedState.SENT.value
SKIPPED = PlannedState.SKIPPED.value
THREAD = PostKind.BRAG_THREAD.value
# What an admin's button does to a week's thread (skip it, open it now): True if it did.
WeekAction = Callable[[AsyncEngine, AsyncConnection, Any, str, dt.datetime], Awaitable[bool]]
SHARES = [PostKind.SHARE_WIN.value, PostKind.SHARE_HIRED.value]
# Weeks passed over when looking for the next opening that is not skipped.
SKIPPED_WEEKS_LIMIT = 4


def enabled(row: Any) -> bool:
    """Whether a community row has a brag thread to open."""
    return bool(row.brag_thread and row.brag_channel)


class SqlBragSchedule(Transactional):
    """:class:`bot.ports.BragSchedule` on SQLAlchemy, inside the store's transaction."""

    async def brag_openings(
        self, platform: str, community: str, this_week: str, now: dt.datetime
    ) -> Sequence[BragOpening]:
        async with self._connect() as connection:
            row = await settings(connection, platform, community)
            if row is None:
                return []
            if not enabled(row):
                # Turned off (or no channel): what was planned is cancelled.
                await connection.execute(
                    delete(posts).where(*_threads(row), posts.c.state == PENDING)
                )
                return []
            await replan(connection, row, now)
            return await openings(self._engine, connection, row, this_week, now)

    async def skip_brag_thread(
        self, platform: str, community: str, week: str, now: dt.datetime
    ) -> bool:
        return await self._on_week(skip, platform, community, week, now)

    async def open_brag_thread(
        self, platform: str, community: str, week: str, now: dt.datetime
    ) -> bool:
        return await self._on_week(open_now, platform, community, week, now)

    async def _on_week(
        self, act: WeekAction, platform: str, community: str, week: str, now: dt.datetime
    ) -> bool:
        """``act`` on a community's week, in one transaction; False if it has no settings."""
        async with self._connect() as connection:
            row = await settings(connection, platform, community)
            return row is not None and await act(self._engine, connection, row, week, now)

    async def brag_pulse(self, platform: str, community: str, now: dt.datetime) -> Pulse:
        async with self._connect() as connection:
            return await pulse(connection, platform, community, now)


async def settings(connection: AsyncConnection, platform: str, community: str) -> Any:
    """The community's settings row, or None."""
    return (
        await connection.execute(
            select(communities).where(
                communities.c.platform == platform, communities.c.community == community
            )
        )
    ).first()


def _threads(row: Any) -> tuple[Any, ...]:
    return (
        posts.c.platform == row.platform,
        posts.c.community == row.community,
        posts.c.kind == THREAD,
    )


def _waiting_shares(row: Any) -> tuple[Any, ...]:
    """The community's shares still waiting to be posted (each in its week's thread)."""
    return (
        posts.c.platform == row.platform,
        posts.c.community == row.community,
        posts.c.kind.in_(SHARES),
        posts.c.state == PENDING,
    )


async def cancel_disabled(connection: AsyncConnection, platforms: list[str]) -> None:
    """A thread turned off (or without a channel) opens nothing that was planned."""
    off = select(communities.c.platform, communities.c.community).where(
        communities.c.platform.in_(platforms),
        (communities.c.brag_thread.is_(False)) | (communities.c.brag_channel == ""),
    )
    await connection.execute(
        delete(posts).where(
            posts.c.kind == THREAD,
            posts.c.state == PENDING,
            tuple_(posts.c.platform, posts.c.community).in_(off),
        )
    )


async def replan(connection: AsyncConnection, row: Any, now: dt.datetime) -> None:
    """Move each pending opening still ahead to the time the settings now give, with the
    shares waiting for it. A time this week that has already passed moves the opening to next
    week's, as on first set-up: a change of settings never opens a thread by itself."""
    pending = await connection.execute(
        select(posts.c.id, posts.c.week, posts.c.due_at, posts.c.channel).where(
            *_threads(row), posts.c.state == PENDING, posts.c.due_at > now
        )
    )
    for found in pending.all():
        week = found.week
        due = weekly_slot(week, row.timezone, row.brag_weekday, row.brag_time)
        while due < now:
            week = following_week(week)
            due = weekly_slot(week, row.timezone, row.brag_weekday, row.brag_time)
        if (week, due, row.brag_channel) == (found.week, found.due_at, found.channel):
            continue
        fence = (posts.c.id == found.id, posts.c.state == PENDING, posts.c.due_at == found.due_at)
        taken = week != found.week and await connection.scalar(
            select(posts.c.id).where(*_threads(row), posts.c.week == week)
        )
        values = (
            {"state": SKIPPED, "outcome": "moved"}
            if taken
            else {"week": week, "due_at": due, "channel": row.brag_channel}
        )
        moved = await connection.execute(update(posts).where(*fence).values(**values))
        if moved.rowcount == 1:
            await shares_follow(connection, row, found.week, week, due)


async def plan_next(
    engine: AsyncEngine, connection: AsyncConnection, row: Any, now: dt.datetime
) -> BragOpening | None:
    """The next opening after ``now`` (planned if it was not), passing over skipped weeks.

    Never a time already past: a thread set up after this week's time opens next week."""
    week, due = next_weekly_post(now, row.timezone, row.brag_weekday, row.brag_time)
    for _ in range(SKIPPED_WEEKS_LIMIT):
        await connection.execute(
            dialect_insert(engine, posts)
            .values(**post_row(row.platform, row.community, PostKind.BRAG_THREAD, week,
                               row.brag_channel, due))
            .on_conflict_do_nothing()
        )  # fmt: skip
        found = (
            await connection.execute(
                select(posts.c.state, posts.c.due_at).where(*_threads(row), posts.c.week == week)
            )
        ).one()
        if found.state != SKIPPED:
            return BragOpening(week, found.due_at, PlannedState(found.state))
        week = following_week(week)
        due = weekly_slot(week, row.timezone, row.brag_weekday, row.brag_time)
    return None


async def openings(
    engine: AsyncEngine, connection: AsyncConnection, row: Any, this_week: str, now: dt.datetime
) -> list[BragOpening]:
    """This week's thread (if it has a row) and the next opening, in week order."""
    found = (
        await connection.execute(
            select(posts.c.week, posts.c.due_at, posts.c.state).where(
                *_threads(row), posts.c.week == this_week
            )
        )
    ).first()
    result = [BragOpening(found.week, found.due_at, PlannedState(found.state))] if found else []
    following = await plan_next(engine, connection, row, now)
    if following is not None and following.week != this_week:
        result.append(following)
    return result


async def skip(
    engine: AsyncEngine, connection: AsyncConnection, row: Any, week: str, now: dt.datetime
) -> bool:
    """Skip a week's pending thread; its waiting shares move to the next opening."""
    skipped = await connection.execute(
        update(posts)
        .where(*_threads(row), posts.c.week == week, posts.c.state == PENDING)
        .values(state=SKIPPED, outcome="skipped", lease_until=None)
    )
    if skipped.rowcount != 1:
        return False
    following = await plan_next(engine, connection, row, now)
    if following is not None:
        await shares_follow(connection, row, week, following.week, max(following.due, now))
    return True


async def open_now(
    engine: AsyncEngine, connection: AsyncConnection, row: Any, week: str, now: dt.datetime
) -> bool:
    """Open a week's thread at the next tick instead of at its time (a skipped one too);
    every share still waiting goes into it."""
    if not enabled(row):
        return False
    added = await connection.execute(
        dialect_insert(engine, posts)
        .values(**post_row(row.platform, row.community, PostKind.BRAG_THREAD, week,
                           row.brag_channel, now))
        .on_conflict_do_nothing()
    )  # fmt: skip
    if added.rowcount != 1:
        moved = await connection.execute(
            update(posts)
            .where(
                *_threads(row),
                posts.c.week == week,
                ((posts.c.state == PENDING) & (posts.c.due_at > now)) | (posts.c.state == SKIPPED),
            )
            .values(state=PENDING, due_at=now, outcome="", channel=row.brag_channel)
        )
        if moved.rowcount != 1:
            return False
    await connection.execute(
        update(posts).where(*_waiting_shares(row)).values(week=week, due_at=now)
    )
    return True


async def shares_follow(
    connection: AsyncConnection, row: Any, week: str, to_week: str, due: dt.datetime
) -> None:
    """Shares waiting for a week's thread go where and when it now opens."""
    await connection.execute(
        update(posts)
        .where(*_waiting_shares(row), posts.c.week == week)
        .values(week=to_week, due_at=due)
    )


async def thread_for_share(
    engine: AsyncEngine, connection: AsyncConnection, row: Any, this_week: str, now: dt.datetime
) -> tuple[str, dt.datetime]:
    """The week a share goes to, and when: into this week's thread at once if it is open,
    otherwise queued for the next opening and posted right after it (never opening it early)."""
    found = (
        await connection.execute(
            select(posts.c.week, posts.c.state, posts.c.due_at)
            .where(
                *_threads(row),
                posts.c.week >= this_week,
                posts.c.state.in_([PENDING, CLAIMED, SENT]),
            )
            .order_by(posts.c.week)
            .limit(1)
        )
    ).first()
    if found is None:
        following = await plan_next(engine, connection, row, now)
        if following is None:
            return this_week, now
        return following.week, max(following.due, now)
    if found.state == SENT:
        return found.week, now
    return found.week, max(found.due_at, now)


async def pulse(
    connection: AsyncConnection, platform: str, community: str, now: dt.datetime
) -> Pulse:
    """Anonymous counts of the community's last seven days."""
    since = now - dt.timedelta(days=7)
    members = select(people.c.id).where(
        people.c.platform == platform, people.c.community == community
    )
    setbacks = await connection.scalar(
        select(func.count(func.distinct(rejections.c.person_id))).where(
            rejections.c.person_id.in_(members), rejections.c.created_at >= since
        )
    )
    notes = await connection.scalar(
        select(func.count(func.distinct(rejections.c.person_id))).where(
            rejections.c.person_id.in_(members), rejections.c.note_sent_at >= since
        )
    )
    shared = await connection.scalar(
        select(func.count(func.distinct(community_posts.c.person_id))).where(
            community_posts.c.platform == platform,
            community_posts.c.community == community,
            community_posts.c.kind == PostKind.SHARE_WIN.value,
            community_posts.c.state.in_([PENDING, CLAIMED, "sent"]),
            community_posts.c.created_at >= since,
        )
    )
    sent = (
        await connection.execute(
            select(func.count(), func.count(func.distinct(applications.c.person_id))).where(
                applications.c.person_id.in_(members),
                applications.c.applied_on >= since.date(),
            )
        )
    ).one()
    pairs = practice_pairs
    sessions = await connection.scalar(
        select(func.count()).select_from(
            select(pairs.c.week, pairs.c.grp)
            .where(
                pairs.c.platform == platform,
                pairs.c.community == community,
                pairs.c.met == "yes",
                pairs.c.met_at >= since,
            )
            .distinct()
            .subquery()
        )
    )
    return Pulse(
        setbacks=setbacks or 0,
        notes=notes or 0,
        wins=shared or 0,
        applications=sent[0] or 0,
        applicants=sent[1] or 0,
        practice=sessions or 0,
    )
