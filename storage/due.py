"""Claimed planned messages with what it takes to write them: the person, their latest mood,
the rejection the plan is about, and wins since then.

A few set-based queries per batch, never one per message, each finding the batch by joining
on the claim's token rather than by a long list of ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from bot.model import CheckinState, Due, Person, PlannedMessage, PlannedState
from storage.bulk import fetch, read_optional_moment, read_time
from storage.crypto import Cipher
from storage.sql import moods, planned_messages, rejection_from_row, rejections, wins

CLAIMED = PlannedState.CLAIMED.value
_STATES = {state.value: state for state in CheckinState}
# Writing a check-in never looks at when the person joined.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


async def assemble(
    connection: Any, claimed: list[PlannedMessage], instance: str, cipher: Cipher
) -> list[Due]:
    """Each message claimed under ``instance`` with its person, mood, rejection and wins
    (sealed names and employers opened with ``cipher``)."""
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
                cipher.open(display_name),
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
            row.id: rejection_from_row(row, cipher)
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
