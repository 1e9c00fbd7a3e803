"""The community-post outbox: the weekly brag thread and what people chose to share in it.

Claims and leases work like the check-in outbox (``storage.outbox``); a partial unique index
lets each community's weekly thread be planned once, whatever the number of instances. When
it opens, and the admins' skip and open-now, are ``storage.brag_schedule``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import or_, select, update

from bot.delivery_ports import ClaimRequest
from bot.model import Community, PlannedState, PostDue, PostKind, PostOutcome
from bot.posting import NOT_TRIED
from storage import brag_schedule
from storage.part import SqlPart
from storage.rows import community_from_row
from storage.tables import communities, community_posts, people, wins

PENDING = PlannedState.PENDING.value
CLAIMED = PlannedState.CLAIMED.value


class SqlCommunityPosts(SqlPart):
    """:class:`bot.delivery_ports.CommunityPosts` on SQLAlchemy."""

    async def plan_brag_threads(self, now: dt.datetime, platforms: Sequence[str]) -> int:
        planned = 0
        async with self._engine.begin() as connection:
            await brag_schedule.cancel_disabled(connection, list(platforms))
            rows = await connection.execute(
                select(communities)
                .where(
                    communities.c.platform.in_(list(platforms)),
                    communities.c.brag_thread.is_(True),
                    communities.c.brag_channel != "",
                )
                # One order on every instance, so two planning at once never wait on each other
                # in a circle.
                .order_by(communities.c.platform, communities.c.community)
            )
            for row in rows.all():
                # Settings changed by an instance that died before re-planning are caught here.
                await brag_schedule.replan(connection, row, now)
                if await brag_schedule.plan_next(self._engine, connection, row, now):
                    planned += 1
        return planned

    async def claim_posts(self, request: ClaimRequest) -> Sequence[PostDue]:
        now, limit, lease_until = request.now, request.limit, request.lease_until
        instance, platforms = request.instance, request.platforms
        posts = community_posts
        due = (
            select(posts.c.id)
            .where(
                posts.c.platform.in_(list(platforms)),
                or_(
                    (posts.c.state == PENDING) & (posts.c.due_at <= now),
                    (posts.c.state == CLAIMED) & (posts.c.lease_until < now),
                ),
            )
            # Threads first, so shares that arrive together find their thread open.
            .order_by((posts.c.kind != PostKind.BRAG_THREAD.value), posts.c.due_at, posts.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(posts)
            .where(posts.c.id.in_(due.scalar_subquery()))
            .values(
                state=CLAIMED,
                lease_until=lease_until,
                claimed_by=instance,
                attempts=posts.c.attempts + 1,
            )
            .returning(*posts.c)
        )
        async with self._engine.begin() as connection:
            claimed = sorted(
                (await connection.execute(claim)).all(),
                key=lambda r: (r.kind != PostKind.BRAG_THREAD.value, r.due_at, r.id),
            )
            if not claimed:
                return []
            return [await self._assemble_post(connection, row, now) for row in claimed]

    async def _assemble_post(self, connection: Any, row: Any, now: dt.datetime) -> PostDue:
        found = (
            await connection.execute(
                select(communities).where(
                    communities.c.platform == row.platform,
                    communities.c.community == row.community,
                )
            )
        ).first()
        if found is not None:
            community = community_from_row(found)
        else:
            # The community was removed meanwhile: nothing more is posted there.
            community = Community(
                row.platform, row.community, "UTC", brag_thread=False, pulse=False
            )
        kind = PostKind(row.kind)
        if row.channel and kind is not PostKind.UNSHARE:
            community = replace(community, brag_channel=row.channel)
        post = PostDue(
            id=row.id,
            kind=kind,
            community=community,
            week=row.week,
            due=row.due_at,
            attempts=row.attempts,
            thread=row.thread,
            message_id=row.message_id,
            text=self._cipher.open(row.body),
        )
        if kind is PostKind.PRACTICE_ROUND:
            return post
        if kind is PostKind.BRAG_THREAD:
            if community.pulse:
                pulse = await brag_schedule.pulse(connection, row.platform, row.community, now)
                post = replace(post, pulse=pulse)
            return post
        if kind is PostKind.UNSHARE:
            return replace(post, community=replace(community, brag_channel=row.channel))
        thread = (
            await connection.execute(
                select(community_posts.c.thread, community_posts.c.state).where(
                    community_posts.c.platform == row.platform,
                    community_posts.c.community == row.community,
                    community_posts.c.kind == PostKind.BRAG_THREAD.value,
                    community_posts.c.week == row.week,
                )
            )
        ).first()
        author = ""
        if row.person_id is not None:
            sealed_name = await connection.scalar(
                select(people.c.display_name).where(people.c.id == row.person_id)
            )
            author = self._cipher.open(sealed_name) if sealed_name else ""
        text = post.text
        if kind is PostKind.SHARE_WIN and row.win_id is not None:
            sealed = await connection.scalar(select(wins.c.text).where(wins.c.id == row.win_id))
            text = self._cipher.open(sealed) if sealed else ""
        return replace(
            post,
            thread=thread.thread if thread is not None and thread.state == "sent" else "",
            thread_pending=thread is not None and thread.state != "sent",
            author=author,
            text=text,
        )

    async def renew_posts(self, instance: str, lease_until: dt.datetime) -> int:
        posts = community_posts
        async with self._engine.begin() as connection:
            renewed = await connection.execute(
                update(posts)
                .where(posts.c.claimed_by == instance, posts.c.state == CLAIMED)
                .values(lease_until=lease_until)
                .returning(posts.c.id)
            )
            return len(renewed.all())

    async def finish_posts(
        self, instance: str, outcomes: Sequence[PostOutcome], now: dt.datetime
    ) -> None:
        posts = community_posts
        async with self._engine.begin() as connection:
            for outcome in outcomes:
                values: dict[str, Any] = {
                    "state": outcome.state.value,
                    "outcome": outcome.code[:32],
                    "lease_until": None,
                }
                if outcome.state is PlannedState.SENT:
                    values.update(thread=outcome.thread[:64], message_id=outcome.message_id[:64])
                if outcome.state is PlannedState.PENDING:
                    values.update(claimed_by="", due_at=outcome.retry_at or now)
                    if outcome.code in NOT_TRIED:
                        # Waiting for the week's thread to open, or handed back by a
                        # stopping process, is no failed attempt.
                        values["attempts"] = posts.c.attempts - 1
                if outcome.state is not PlannedState.PENDING:
                    values["body"] = ""  # shared advice is kept only until it is posted
                await connection.execute(
                    update(posts)
                    .where(
                        posts.c.id == outcome.post_id,
                        posts.c.state == CLAIMED,
                        posts.c.claimed_by == instance,
                    )
                    .values(**values)
                )
