"""The durable outbox: claiming due messages in batches and recording what became of them.

Claims are one atomic statement: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)
RETURNING`` on PostgreSQL (so instances never wait on each other's rows) and the same UPDATE
on SQLite (which takes its write lock for the statement). A claim holds for a lease; rows whose
lease ran out are claimed again, so a process killed mid-send loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import (
    CheckinState,
    Community,
    Due,
    Outcome,
    Person,
    PlannedMessage,
    PlannedState,
    PostDue,
    PostKind,
    PostOutcome,
    Pulse,
)
from bot.schedule import weekly_post
from storage.bulk import (
    converters,
    execute,
    executemany,
    fetch,
    moment,
    read_moment,
    read_optional_moment,
    read_time,
    read_wall_clock,
    wall_clock,
)
from storage.crypto import Cipher
from storage.sql import (
    communities,
    community_from_row,
    community_posts,
    dialect_insert,
    moods,
    people,
    planned_messages,
    post_row,
    rejection_from_row,
    rejections,
    wins,
)

PENDING = PlannedState.PENDING.value
CLAIMED = PlannedState.CLAIMED.value

_STATES = {state.value: state for state in CheckinState}
# Writing a check-in never looks at when the person joined.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class SqlOutbox:
    """:class:`bot.ports.Outbox` on SQLAlchemy."""

    def __init__(self, engine: AsyncEngine, cipher: Cipher | None = None) -> None:
        self._engine = engine
        self._cipher = cipher or Cipher()

    async def plan_brag_threads(self, now: dt.datetime, platforms: Sequence[str]) -> int:
        added = 0
        async with self._engine.begin() as connection:
            rows = await connection.execute(
                select(communities).where(
                    communities.c.platform.in_(list(platforms)),
                    communities.c.brag_thread.is_(True),
                    communities.c.brag_channel != "",
                )
            )
            for row in rows.all():
                week, due = weekly_post(now, row.timezone, row.brag_weekday, row.brag_time)
                result = await connection.execute(
                    dialect_insert(self._engine, community_posts)
                    .values(
                        **post_row(row.platform, row.community, PostKind.BRAG_THREAD, week,
                                    row.brag_channel, due)
                    )
                    .on_conflict_do_nothing()
                )  # fmt: skip
                added += max(result.rowcount, 0)
        return added

    async def claim_posts(
        self,
        now: dt.datetime,
        *,
        limit: int,
        lease_until: dt.datetime,
        instance: str,
        platforms: Sequence[str],
    ) -> Sequence[PostDue]:
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
            text=row.body,
        )
        if kind is PostKind.BRAG_THREAD:
            if community.pulse:
                post = replace(post, pulse=await _pulse(connection, row, now))
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
            author = (
                await connection.scalar(
                    select(people.c.display_name).where(people.c.id == row.person_id)
                )
                or ""
            )
        text = row.body
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

    async def claim(
        self,
        now: dt.datetime,
        *,
        limit: int,
        lease_until: dt.datetime,
        instance: str,
        platforms: Sequence[str],
    ) -> Sequence[Due]:
        if not platforms:
            return []
        async with self._engine.begin() as connection:
            lock = " FOR UPDATE SKIP LOCKED" if connection.dialect.name == "postgresql" else ""
            markers = ", ".join("?" for _ in platforms)
            at = moment(connection, now)
            take = (
                "UPDATE planned_messages SET state = 'claimed', lease_until = ?, claimed_by = ?,"
                " attempts = attempts + 1 WHERE id IN (SELECT id FROM planned_messages"
                f" WHERE state = ? AND platform IN ({markers}) AND {{moment}} <= ?"
                f" ORDER BY {{moment}} LIMIT ?{lock})"
                " RETURNING id, person_id, kind, due_at, planned_local, planned_zone, attempts,"
                " rejection_id"
            )
            held = moment(connection, lease_until)
            # Two index walks rather than one OR: claims whose lease ran out first, then due
            # messages in due order. (An OR would sort every due row on each batch.)
            rows = await fetch(
                connection,
                take.format(moment="lease_until"),
                (held, instance, CLAIMED, *platforms, at, limit),
            )
            if len(rows) < limit:
                rows += await fetch(
                    connection,
                    take.format(moment="due_at"),
                    (held, instance, PENDING, *platforms, at, limit - len(rows)),
                )
            claimed = [
                PlannedMessage(
                    id_,
                    person_id,
                    kind,
                    read_moment(due),
                    read_wall_clock(local),
                    zone,
                    PlannedState.CLAIMED,
                    attempts,
                    rejection_id,
                )
                for id_, person_id, kind, due, local, zone, attempts, rejection_id in rows
            ]
            if not claimed:
                return []
            return await _assemble(connection, claimed, instance)

    async def held(self, instance: str, planned_ids: Sequence[int]) -> set[int]:
        async with self._engine.connect() as connection:
            rows = await fetch(
                connection,
                "SELECT id FROM planned_messages WHERE claimed_by = ? AND state = 'claimed'",
                (instance,),
            )
        wanted = set(planned_ids)
        return {row[0] for row in rows if row[0] in wanted}

    async def finish(self, instance: str, outcomes: Sequence[Outcome], now: dt.datetime) -> None:
        if not outcomes:
            return
        by_state: dict[PlannedState, list[Outcome]] = defaultdict(list)
        for outcome in outcomes:
            by_state[outcome.state].append(outcome)
        async with self._engine.begin() as connection:
            at = moment(connection, now)
            to_moment, to_wall_clock = converters(connection)
            # Every update checks the claim is still this instance's: a claim that ran out and
            # was taken over (or a message deleted meanwhile) is left alone.
            sent = by_state[PlannedState.SENT]
            if connection.dialect.name == "postgresql" and sent:
                # One statement for the whole batch: arrays unnested server-side.
                await execute(
                    connection,
                    "UPDATE planned_messages AS p SET state = 'sent', sent_at = ?,"
                    " lease_until = NULL, message_id = v.message_id, outcome = v.outcome"
                    " FROM unnest(?::bigint[], ?::text[], ?::text[]) AS v(id, message_id, outcome)"
                    " WHERE p.id = v.id AND p.state = 'claimed' AND p.claimed_by = ?",
                    (
                        at,
                        [o.planned_id for o in sent],
                        [o.platform_message_id[:64] for o in sent],
                        [o.code[:32] for o in sent],
                        instance,
                    ),
                )
            else:
                await executemany(
                    connection,
                    "UPDATE planned_messages SET state = 'sent', sent_at = ?, lease_until = NULL,"
                    " message_id = ?, outcome = ?"
                    " WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
                    [
                        (at, o.platform_message_id[:64], o.code[:32], o.planned_id, instance)
                        for o in sent
                    ],
                )
            await executemany(
                connection,
                "UPDATE planned_messages SET state = 'pending', lease_until = NULL,"
                " claimed_by = '', due_at = ?, planned_local = ?, planned_zone = ?, outcome = ?,"
                " attempts = attempts - ? WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
                [
                    (
                        to_moment(o.retry.due),
                        to_wall_clock(o.retry.local),
                        o.retry.zone,
                        o.code[:32],
                        0 if o.attempts_used else 1,
                        o.planned_id,
                        instance,
                    )
                    for o in by_state[PlannedState.PENDING]
                    if o.retry is not None
                ],
            )
            await executemany(
                connection,
                "UPDATE planned_messages SET state = ?, lease_until = NULL, outcome = ?"
                " WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
                [
                    (o.state.value, o.code[:32], o.planned_id, instance)
                    for o in (*by_state[PlannedState.SKIPPED], *by_state[PlannedState.FAILED])
                ],
            )
            follow_ups = [
                (o.person_id, o.platform, kind, slot)
                for o in outcomes
                if o.follow_up is not None
                for kind, slot in (o.follow_up,)
            ]
            if connection.dialect.name == "postgresql" and follow_ups:
                person_ids, platforms, kinds, slots = zip(*follow_ups, strict=True)
                await execute(
                    connection,
                    "INSERT INTO planned_messages (person_id, platform, rejection_id, kind,"
                    " due_at, planned_local, planned_zone, state, attempts, claimed_by,"
                    " message_id, outcome, created_at) SELECT v.person_id, v.platform, NULL,"
                    " v.kind, v.due_at, v.planned_local, v.planned_zone, 'pending', 0, '', '',"
                    " '', ? FROM unnest(?::bigint[], ?::text[], ?::text[], ?::timestamptz[],"
                    " ?::timestamp[], ?::text[])"
                    " AS v(person_id, platform, kind, due_at, planned_local, planned_zone)",
                    (
                        at,
                        list(person_ids),
                        list(platforms),
                        list(kinds),
                        [s.due for s in slots],
                        [s.local for s in slots],
                        [s.zone for s in slots],
                    ),
                )
            else:
                await executemany(
                    connection,
                    "INSERT INTO planned_messages (person_id, platform, rejection_id, kind, due_at,"
                    " planned_local, planned_zone, state, attempts, claimed_by, message_id,"
                    " outcome, created_at) VALUES (?, ?, NULL, ?, ?, ?, ?, 'pending', 0, '', '',"
                    " '', ?)",
                    [
                        (
                            person_id,
                            platform,
                            kind,
                            moment(connection, slot.due),
                            wall_clock(connection, slot.local),
                            slot.zone,
                            at,
                        )
                        for person_id, platform, kind, slot in follow_ups
                    ],
                )
            await executemany(
                connection,
                "INSERT INTO conversations (person_id, topic, data, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (person_id) DO UPDATE SET topic = excluded.topic,"
                " data = excluded.data, updated_at = excluded.updated_at",
                [
                    (o.person_id, topic, data[:200], at)
                    for o in outcomes
                    if o.conversation is not None
                    for topic, data in (o.conversation,)
                ],
            )
            lost = {o.person_id: o.unreachable for o in outcomes if o.unreachable}
            if lost:
                # The platform will never deliver to them: stop their schedule, don't retry.
                await connection.execute(
                    update(people)
                    .where(people.c.id == bindparam("b_person"))
                    .values(
                        unreachable=bindparam("b_reason"),
                        unreachable_at=now,
                        checkins=CheckinState.STOPPED.value,
                    ),
                    [{"b_person": p, "b_reason": r[:32]} for p, r in lost.items()],
                )
                await connection.execute(
                    update(planned_messages)
                    .where(
                        planned_messages.c.person_id.in_(list(lost)),
                        planned_messages.c.state == PENDING,
                    )
                    .values(state=PlannedState.SKIPPED.value, outcome="unreachable")
                )

    async def counts(self) -> dict[str, int]:
        """How many planned messages are in each state."""
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(planned_messages.c.state, func.count()).group_by(planned_messages.c.state)
            )
            return {state: count for state, count in rows}


async def _assemble(connection: Any, claimed: list[PlannedMessage], instance: str) -> list[Due]:
    """Each claimed message with its person, their latest mood and its rejection.

    A few set-based queries per batch, never one per message, each finding the batch by
    joining on this instance's claim rather than by a long list of ids.
    """
    t = planned_messages
    batch = select(t.c.person_id).where(t.c.claimed_by == instance, t.c.state == CLAIMED)
    by_person = {
        person.id: person
        for person in (
            Person(
                id_,
                platform,
                community,
                user_id,
                display_name,
                zone,
                read_time(checkin),
                read_time(quiet_start),
                read_time(quiet_end),
                bool(weekdays),
                _EPOCH,
                unreachable,
                _STATES[checkins],
                read_optional_moment(paused_until),
            )
            for (
                id_,
                platform,
                community,
                user_id,
                display_name,
                zone,
                checkin,
                quiet_start,
                quiet_end,
                weekdays,
                unreachable,
                checkins,
                paused_until,
            ) in await fetch(
                connection,
                "SELECT id, platform, community, user_id, display_name, timezone, checkin_time,"
                " quiet_start, quiet_end, weekdays_only, unreachable, checkins, paused_until"
                " FROM people WHERE id IN (SELECT person_id FROM planned_messages"
                " WHERE claimed_by = ? AND state = 'claimed')",
                (instance,),
            )
        )
    }
    ranked = (
        select(
            moods.c.person_id,
            moods.c.score,
            func.row_number()
            .over(
                partition_by=moods.c.person_id,
                order_by=(moods.c.created_at.desc(), moods.c.id.desc()),
            )
            .label("rank"),
        )
        .where(moods.c.person_id.in_(batch.scalar_subquery()))
        .subquery()
    )
    latest_mood = {
        row.person_id: row.score
        for row in await connection.execute(
            select(ranked.c.person_id, ranked.c.score).where(ranked.c.rank == 1)
        )
    }
    by_rejection = {}
    if any(m.rejection_id is not None for m in claimed):
        claimed_rejections = select(t.c.rejection_id).where(
            t.c.claimed_by == instance, t.c.state == CLAIMED, t.c.rejection_id.is_not(None)
        )
        by_rejection = {
            row.id: rejection_from_row(row)
            for row in await connection.execute(
                select(rejections).where(rejections.c.id.in_(claimed_rejections.scalar_subquery()))
            )
        }
    wrap_ups = [m for m in claimed if m.kind == "day7_wrap_up" and m.rejection_id in by_rejection]
    wins_since: dict[int, int] = {}
    if wrap_ups:
        since = {m.person_id: by_rejection[m.rejection_id].created_at for m in wrap_ups}
        rows = await connection.execute(
            select(wins.c.person_id, wins.c.created_at).where(wins.c.person_id.in_(list(since)))
        )
        for row in rows:
            if row.created_at >= since[row.person_id]:
                wins_since[row.person_id] = wins_since.get(row.person_id, 0) + 1
    return [
        Due(
            message=message,
            person=by_person[message.person_id],
            latest_mood=latest_mood.get(message.person_id),
            rejection=by_rejection.get(message.rejection_id) if message.rejection_id else None,
            wins_since_rejection=wins_since.get(message.person_id, 0),
        )
        for message in claimed
        if message.person_id in by_person
    ]


async def _pulse(connection: Any, row: Any, now: dt.datetime) -> Pulse:
    """Anonymous counts of the community's last seven days."""
    since = now - dt.timedelta(days=7)
    members = select(people.c.id).where(
        people.c.platform == row.platform, people.c.community == row.community
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
            community_posts.c.platform == row.platform,
            community_posts.c.community == row.community,
            community_posts.c.kind == PostKind.SHARE_WIN.value,
            community_posts.c.state.in_([PENDING, CLAIMED, "sent"]),
            community_posts.c.created_at >= since,
        )
    )
    return Pulse(setbacks=setbacks or 0, notes=notes or 0, wins=shared or 0)
