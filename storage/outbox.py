"""The durable outbox of check-ins: claims under a lease, fenced records, hand-backs.

A claim is one atomic statement: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP
LOCKED) RETURNING`` on PostgreSQL (instances never wait on each other's rows) and the same
UPDATE on SQLite (which takes its write lock for the statement). A claim holds for a lease
under a token; rows whose lease ran out are claimed again, so a process killed mid-send
loses nothing. Every later write names the token (``WHERE claimed_by = :token AND state =
'claimed'``): a row another instance took over is never recorded, re-planned or handed back
by the first.

Records come a few dozen at a time, as sends finish, so each is one ``UPDATE ... FROM
(VALUES ...) RETURNING id``: what it returns is exactly what this claim still held, and only
those rows get their follow-ups (the next weekly check-in, the conversation).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.model import CheckinState, Due, Outcome, PlannedMessage, PlannedState
from storage.bulk import (
    converters,
    execute,
    executemany,
    fetch,
    moment,
    read_moment,
    read_wall_clock,
)
from storage.crypto import Cipher
from storage.due import assemble
from storage.tables import planned_messages

PENDING = PlannedState.PENDING.value
CLAIMED = PlannedState.CLAIMED.value

# Column types for parameters in a VALUES list, which PostgreSQL cannot infer on its own.
# (SQLite's CAST to a date-time type name would turn the text into a number: text stays.)
_TYPES = {
    "postgresql": {"id": "BIGINT", "text": "TEXT", "moment": "TIMESTAMPTZ", "local": "TIMESTAMP"},
    "sqlite": {"id": "INTEGER", "text": "TEXT", "moment": "TEXT", "local": "TEXT"},
}


class SqlOutbox:
    """:class:`bot.ports.Outbox` on SQLAlchemy."""

    def __init__(self, engine: AsyncEngine, cipher: Cipher | None = None) -> None:
        self._engine = engine
        self._cipher = cipher or Cipher()

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
            return await assemble(connection, claimed, instance, self._cipher)

    async def held(self, instance: str, planned_ids: Sequence[int], now: dt.datetime) -> set[int]:
        if not planned_ids:
            return set()
        async with self._engine.connect() as connection:
            rows = await fetch(
                connection,
                "SELECT m.id FROM planned_messages m JOIN people p ON p.id = m.person_id"
                f" WHERE m.id IN ({_markers(planned_ids)}) AND m.claimed_by = ?"
                " AND m.state = 'claimed' AND p.unreachable = '' AND p.checkins <> ?"
                " AND NOT (p.checkins = ? AND p.paused_until IS NOT NULL"
                " AND p.paused_until > ?)",
                (
                    *planned_ids,
                    instance,
                    CheckinState.STOPPED.value,
                    CheckinState.PAUSED.value,
                    moment(connection, now),
                ),
            )
        return {row[0] for row in rows}

    async def renew(self, instance: str, lease_until: dt.datetime) -> int:
        async with self._engine.begin() as connection:
            rows = await fetch(
                connection,
                "UPDATE planned_messages SET lease_until = ?"
                " WHERE claimed_by = ? AND state = 'claimed' RETURNING id",
                (moment(connection, lease_until), instance),
            )
        return len(rows)

    async def release(self, instance: str, planned_ids: Sequence[int]) -> int:
        if not planned_ids:
            return 0
        async with self._engine.begin() as connection:
            rows = await fetch(
                connection,
                "UPDATE planned_messages SET state = 'pending', lease_until = NULL,"
                " claimed_by = '', attempts = attempts - 1"
                f" WHERE id IN ({_markers(planned_ids)}) AND claimed_by = ? AND state = 'claimed'"
                f" AND {_NO_TWIN} RETURNING id",
                (*planned_ids, instance),
            )
            await _supersede_twins(connection, instance, planned_ids)
        return len(rows)

    async def record(
        self, instance: str, outcomes: Sequence[Outcome], now: dt.datetime
    ) -> Sequence[bool]:
        if not outcomes:
            return []
        by_state: dict[PlannedState, list[Outcome]] = defaultdict(list)
        for outcome in outcomes:
            by_state[outcome.state].append(outcome)
        async with self._engine.begin() as connection:
            types = _TYPES[connection.dialect.name]
            at = moment(connection, now)
            to_moment, to_wall_clock = converters(connection)
            done: set[int] = set()
            sent = by_state[PlannedState.SENT]
            done |= await _update_from_values(
                connection,
                instance,
                [("id", types["id"]), ("message_id", types["text"]), ("outcome", types["text"])],
                [(o.planned_id, o.platform_message_id[:64], o.code[:32]) for o in sent],
                "state = 'sent', sent_at = ?, lease_until = NULL,"
                " message_id = v.message_id, outcome = v.outcome",
                (at,),
            )
            retries = [o for o in by_state[PlannedState.PENDING] if o.retry is not None]
            done |= await _update_from_values(
                connection,
                instance,
                [
                    ("id", types["id"]),
                    ("due_at", types["moment"]),
                    ("planned_local", types["local"]),
                    ("planned_zone", types["text"]),
                    ("outcome", types["text"]),
                    ("give_back", types["id"]),
                ],
                [
                    (
                        o.planned_id,
                        to_moment(o.retry.due),
                        to_wall_clock(o.retry.local),
                        o.retry.zone,
                        o.code[:32],
                        0 if o.attempts_used else 1,
                    )
                    for o in retries
                    if o.retry is not None
                ],
                "state = 'pending', lease_until = NULL, due_at = v.due_at,"
                " planned_local = v.planned_local, planned_zone = v.planned_zone,"
                " outcome = v.outcome, attempts = attempts - v.give_back",
                (),
                extra=f" AND {_NO_TWIN}",
            )
            if retries:
                # A newer plan already holds a pending message of this kind: this one goes.
                done |= await _supersede_twins(
                    connection, instance, [o.planned_id for o in retries]
                )
            ended = [*by_state[PlannedState.SKIPPED], *by_state[PlannedState.FAILED]]
            done |= await _update_from_values(
                connection,
                instance,
                [("id", types["id"]), ("state", types["text"]), ("outcome", types["text"])],
                [(o.planned_id, o.state.value, o.code[:32]) for o in ended],
                "state = v.state, lease_until = NULL, outcome = v.outcome",
                (),
            )
            recorded = [o for o in outcomes if o.planned_id in done]
            await _follow_up(connection, recorded, at, to_moment, to_wall_clock)
        return [o.planned_id in done for o in outcomes]

    async def counts(self) -> dict[str, int]:
        """How many planned messages are in each state."""
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(planned_messages.c.state, func.count()).group_by(planned_messages.c.state)
            )
            return {state: count for state, count in rows}


# A message may go back to pending only if no other pending message of its kind exists for
# the person (the partial unique index forbids it; this keeps the statement from failing).
_NO_TWIN = (
    "NOT EXISTS (SELECT 1 FROM planned_messages twin WHERE twin.person_id ="
    " planned_messages.person_id AND twin.kind = planned_messages.kind"
    " AND twin.state = 'pending')"
)


def _markers(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


async def _update_from_values(
    connection: AsyncConnection,
    instance: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[tuple[Any, ...]],
    assignments: str,
    assignment_params: tuple[Any, ...],
    *,
    extra: str = "",
) -> set[int]:
    """Apply per-row values to the rows this claim still holds; the ids it changed."""
    if not rows:
        return set()
    row = "(" + ", ".join(f"CAST(? AS {kind})" for _, kind in columns) + ")"
    # VALUES columns are column1, column2... on both databases. (Not a WITH: Python's
    # sqlite3 opens its transaction only before a statement that starts with UPDATE.)
    for number, (name, _) in enumerate(columns, start=1):
        assignments = assignments.replace(f"v.{name}", f"v.column{number}")
    sql = (
        f"UPDATE planned_messages SET {assignments} FROM (VALUES {', '.join(row for _ in rows)})"
        " AS v WHERE planned_messages.id = v.column1 AND planned_messages.state = 'claimed'"
        f" AND planned_messages.claimed_by = ?{extra} RETURNING planned_messages.id"
    )
    params = (*assignment_params, *(value for values in rows for value in values), instance)
    return {found[0] for found in await fetch(connection, sql, params)}


async def _supersede_twins(
    connection: AsyncConnection, instance: str, planned_ids: Sequence[int]
) -> set[int]:
    """Rows of these still claimed here that could not go back to pending: skip them."""
    rows = await fetch(
        connection,
        "UPDATE planned_messages SET state = 'skipped', lease_until = NULL,"
        f" outcome = 'superseded' WHERE id IN ({_markers(planned_ids)})"
        " AND claimed_by = ? AND state = 'claimed' RETURNING id",
        (*planned_ids, instance),
    )
    return {row[0] for row in rows}


async def _follow_up(
    connection: AsyncConnection,
    recorded: Sequence[Outcome],
    at: Any,
    to_moment: Callable[[dt.datetime], Any],
    to_wall_clock: Callable[[dt.datetime], Any],
) -> None:
    """What recorded outcomes set in motion: the next weekly check-in (unless one is already
    pending: the schema allows one), the conversation, a person the platform cannot reach."""
    ignore = "INSERT OR IGNORE" if connection.dialect.name == "sqlite" else "INSERT"
    on_conflict = "" if connection.dialect.name == "sqlite" else " ON CONFLICT DO NOTHING"
    await executemany(
        connection,
        f"{ignore} INTO planned_messages (person_id, platform, rejection_id, kind, due_at,"
        " planned_local, planned_zone, state, attempts, claimed_by, message_id, outcome,"
        " created_at) SELECT id, platform, NULL, ?, ?, ?, ?, 'pending', 0, '', '', '', ?"
        f" FROM people WHERE id = ?{on_conflict}",
        [
            (kind, to_moment(slot.due), to_wall_clock(slot.local), slot.zone, at, o.person_id)
            for o in recorded
            if o.follow_up is not None
            for kind, slot in (o.follow_up,)
        ],
    )
    await executemany(
        connection,
        "INSERT INTO conversations (person_id, topic, data, updated_at)"
        " SELECT id, ?, ?, ? FROM people WHERE id = ?"
        " ON CONFLICT (person_id) DO UPDATE SET topic = excluded.topic,"
        " data = excluded.data, updated_at = excluded.updated_at",
        [
            (topic, data[:200], at, o.person_id)
            for o in recorded
            if o.conversation is not None
            for topic, data in (o.conversation,)
        ],
    )
    lost = {o.person_id: o.unreachable[:32] for o in recorded if o.unreachable}
    if lost:
        # The platform will never deliver to them: stop their schedule, don't retry.
        await executemany(
            connection,
            "UPDATE people SET unreachable = ?, unreachable_at = ?, checkins = ? WHERE id = ?",
            [(reason, at, CheckinState.STOPPED.value, p) for p, reason in lost.items()],
        )
        await execute(
            connection,
            "UPDATE planned_messages SET state = 'skipped', outcome = 'unreachable'"
            f" WHERE person_id IN ({_markers(list(lost))}) AND state = 'pending'",
            tuple(lost),
        )
