"""The outbox's writes after a claim, as plans of statements that any driver can run.

A plan is a generator: it yields ``(sql, params, many)`` and is sent each statement's rows
back, so the same steps run through SQLAlchemy's async connection (PostgreSQL) or, in one
hop, through a plain sqlite3 connection on the outbox's own thread (``storage.direct``).
Statements use ``?`` markers; the async driver numbers them for asyncpg.

Every write names the claim's token (``claimed_by = ?`` while the row is still claimed), and
records are idempotent: written twice, the second finds nothing left to change.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Generator, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import ApplicationStage, CheckinState, Outcome, PlannedState
from storage.bulk import converters_for, executemany, fetch, next_check_ins

T = TypeVar("T")
# One statement: its SQL, its parameters (a list of tuples when ``many``), and whether it runs
# once per tuple.
Step = tuple[str, Any, bool]
Plan = Generator[Step, list[Any], T]

# The stages in which an application is still waiting for news.
WAITING_STAGES = tuple(stage.value for stage in ApplicationStage if stage.waiting)

# Column types for parameters in a VALUES list, which PostgreSQL cannot infer on its own.
# (SQLite's CAST to a date-time type name would turn the text into a number: text stays.)
_TYPES = {
    "postgresql": {"id": "BIGINT", "text": "TEXT", "moment": "TIMESTAMPTZ", "local": "TIMESTAMP"},
    "sqlite": {"id": "INTEGER", "text": "TEXT", "moment": "TEXT", "local": "TEXT"},
}

# VALUES lists up to this many rows are padded to a power of two (see _update_from_values).
PADDED_UP_TO = 512

# A message may go back to pending only if no other pending message of its kind exists for
# the person (the partial unique index forbids it; this keeps the statement from failing).
# (A reminder about an application has its own index: one pending per application.)
_NO_TWIN = (
    "NOT EXISTS (SELECT 1 FROM planned_messages twin WHERE twin.person_id ="
    " planned_messages.person_id AND twin.kind = planned_messages.kind"
    " AND twin.state = 'pending' AND twin.application_id IS NULL"
    " AND planned_messages.application_id IS NULL)"
    " AND NOT EXISTS (SELECT 1 FROM planned_messages twin WHERE twin.application_id ="
    " planned_messages.application_id AND twin.state = 'pending')"
)


def claimed(table: str = "") -> str:
    """``state = 'claimed'`` for statements that name their rows by id. Written so no index
    on ``state`` can serve it: before a database has statistics, planners take the state index
    (a whole claim's rows, and the dead versions of those already recorded) over the primary
    key, and recording a batch would grow with its square."""
    column = f"{table}.state" if table else "state"
    return f"({column} || '') = 'claimed'"


def markers(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _ids(dialect: str, column: str, ids: Sequence[int]) -> tuple[str, tuple[Any, ...]]:
    """``column`` among ``ids``: one array parameter on PostgreSQL, so the statement's text
    (and asyncpg's prepared statement) is the same whatever the count; a list elsewhere."""
    if dialect == "postgresql":
        return f"{column} = ANY(?::bigint[])", (list(ids),)
    return f"{column} IN ({markers(ids)})", tuple(ids)


async def run_async(connection: AsyncConnection, plan: Plan[T]) -> T:
    """Run ``plan`` on an async SQLAlchemy connection (inside its transaction)."""

    async def rows(sql: str, params: Any) -> list[Any]:
        return await fetch(connection, sql, params)

    async def many(sql: str, params: Any) -> None:
        await executemany(connection, sql, params)

    return await run_on(plan, rows, many)


async def run_on(
    plan: Plan[T],
    rows: Callable[[str, Any], Awaitable[list[Any]]],
    many: Callable[[str, Any], Awaitable[None]],
) -> T:
    """Run ``plan`` with ``rows`` (a statement's rows) and ``many`` (a statement once per
    parameter tuple, never called with none)."""
    try:
        step = next(plan)
        while True:
            sql, params, once_each = step
            if once_each:
                if params:
                    await many(sql, params)
                step = plan.send([])
            else:
                step = plan.send(await rows(sql, params))
    except StopIteration as finished:
        result: T = finished.value
        return result


def run_sync(connection: sqlite3.Connection, plan: Plan[T]) -> T:
    """Run ``plan`` on a plain sqlite3 connection (inside its transaction)."""

    async def rows(sql: str, params: Any) -> list[Any]:
        return connection.execute(sql, params).fetchall()

    async def many(sql: str, params: Any) -> None:
        connection.executemany(sql, params)

    return _at_once(run_on(plan, rows, many))


def _at_once(work: Coroutine[Any, Any, T]) -> T:
    """The result of ``work``, a coroutine that never waits (its statements are plain calls
    on a sqlite3 connection), run to its end right here: one way of running a plan for
    either driver."""
    try:
        work.send(None)
    except StopIteration as finished:
        result: T = finished.value
        return result
    work.close()
    raise RuntimeError("a plan on sqlite3 waited for something")


def held(dialect: str, instance: str, ids: Sequence[int], now: dt.datetime) -> Plan[set[int]]:
    """Which of ``ids`` this claim still holds and whose person is still welcome to them."""
    moment, _ = converters_for(dialect)
    among, id_params = _ids(dialect, "m.id", ids)
    rows = yield (
        "SELECT m.id FROM planned_messages m JOIN people p ON p.id = m.person_id"
        f" WHERE {among} AND m.claimed_by = ?"
        f" AND {claimed('m')} AND p.unreachable = '' AND p.checkins <> ?"
        " AND NOT (p.checkins = ? AND p.paused_until IS NOT NULL AND p.paused_until > ?)",
        (
            *id_params,
            instance,
            CheckinState.STOPPED.value,
            CheckinState.PAUSED.value,
            moment(now),
        ),
        False,
    )
    return {row[0] for row in rows}


def renew(dialect: str, instance: str, lease_until: dt.datetime) -> Plan[int]:
    """Extend the lease of every row still claimed under ``instance``."""
    moment, _ = converters_for(dialect)
    rows = yield (
        "UPDATE planned_messages SET lease_until = ?"
        " WHERE claimed_by = ? AND state = 'claimed' RETURNING id",
        (moment(lease_until), instance),
        False,
    )
    return len(rows)


def release(dialect: str, instance: str, ids: Sequence[int]) -> Plan[int]:
    """Hand claimed, unsent rows back, due as before, the claim's attempt given back."""
    among, id_params = _ids(dialect, "id", ids)
    rows = yield (
        "UPDATE planned_messages SET state = 'pending', lease_until = NULL,"
        " claimed_by = '', attempts = attempts - 1"
        f" WHERE {among} AND claimed_by = ? AND {claimed()}"
        f" AND {_NO_TWIN} RETURNING id",
        (*id_params, instance),
        False,
    )
    yield from _supersede_twins(dialect, instance, ids)
    return len(rows)


def record(
    dialect: str, instance: str, outcomes: Sequence[Outcome], now: dt.datetime
) -> Plan[list[bool]]:
    """Record what happened to claimed messages, each with what it sets in motion; per
    outcome, whether it was recorded (False: the claim was no longer ``instance``'s)."""
    by_state: dict[PlannedState, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_state[outcome.state].append(outcome)
    types = _TYPES[dialect]
    to_moment, to_wall_clock = converters_for(dialect)
    at = to_moment(now)
    done: set[int] = set()
    sent = by_state[PlannedState.SENT]
    done |= yield from _update_from_values(
        dialect,
        instance,
        [("id", types["id"]), ("message_id", types["text"]), ("outcome", types["text"])],
        [(o.planned_id, o.platform_message_id[:64], o.code[:32]) for o in sent],
        "state = 'sent', sent_at = ?, lease_until = NULL,"
        " message_id = v.message_id, outcome = v.outcome",
        (at,),
    )
    retries = [o for o in by_state[PlannedState.PENDING] if o.retry is not None]
    done |= yield from _update_from_values(
        dialect,
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
        done |= yield from _supersede_twins(dialect, instance, [o.planned_id for o in retries])
    ended = [*by_state[PlannedState.SKIPPED], *by_state[PlannedState.FAILED]]
    done |= yield from _update_from_values(
        dialect,
        instance,
        [("id", types["id"]), ("state", types["text"]), ("outcome", types["text"])],
        [(o.planned_id, o.state.value, o.code[:32]) for o in ended],
        "state = v.state, lease_until = NULL, outcome = v.outcome",
        (),
    )
    recorded = [o for o in outcomes if o.planned_id in done]
    yield from _follow_up(dialect, recorded, at, to_moment, to_wall_clock)
    return [o.planned_id in done for o in outcomes]


def _update_from_values(
    dialect: str,
    instance: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[tuple[Any, ...]],
    assignments: str,
    assignment_params: tuple[Any, ...],
    *,
    extra: str = "",
) -> Plan[set[int]]:
    """Apply per-row values to the rows this claim still holds; the ids it changed."""
    if not rows:
        return set()
    for number, (name, _) in enumerate(columns, start=1):
        assignments = assignments.replace(f"v.{name}", f"v.column{number}")
    if dialect == "postgresql":
        # One array per column: the same statement text (and prepared statement) for any
        # number of rows.
        arrays = ", ".join(f"?::{kind}[]" for _, kind in columns)
        names = ", ".join(f"column{n}" for n in range(1, len(columns) + 1))
        source = f"unnest({arrays}) AS v({names})"
        values: tuple[Any, ...] = tuple(list(column) for column in zip(*rows, strict=True))
    else:
        # VALUES columns are named column1, column2... (Not a WITH: Python's sqlite3 opens
        # its own transaction only before a statement that starts with UPDATE.)
        # Padded with rows of NULLs (which match no id) to a power of two, so a few statement
        # texts repeat and SQLite's statement cache saves compiling each (which costs more
        # than running it).
        size = _padded(len(rows))
        row = "(" + ", ".join(f"CAST(? AS {kind})" for _, kind in columns) + ")"
        source = f"(VALUES {', '.join(row for _ in range(size))}) AS v"
        values = tuple(value for one in rows for value in one)
        values += (None,) * (len(columns) * (size - len(rows)))
    sql = (
        f"UPDATE planned_messages SET {assignments} FROM {source}"
        f" WHERE planned_messages.id = v.column1 AND {claimed('planned_messages')}"
        f" AND planned_messages.claimed_by = ?{extra} RETURNING planned_messages.id"
    )
    params = (*assignment_params, *values, instance)
    found = yield (sql, params, False)
    return {row[0] for row in found}


def _padded(count: int) -> int:
    """The number of rows a VALUES list of ``count`` is padded to: the next power of two up
    to :data:`PADDED_UP_TO`, beyond that (rare: a batch decided without sending) as it is."""
    return 1 << (count - 1).bit_length() if count <= PADDED_UP_TO else count


def _supersede_twins(dialect: str, instance: str, ids: Sequence[int]) -> Plan[set[int]]:
    """Rows of these still claimed here that could not go back to pending: skip them."""
    among, id_params = _ids(dialect, "id", ids)
    found = yield (
        "UPDATE planned_messages SET state = 'skipped', lease_until = NULL,"
        f" outcome = 'superseded' WHERE {among}"
        f" AND claimed_by = ? AND {claimed()} RETURNING id",
        (*id_params, instance),
        False,
    )
    return {row[0] for row in found}


def _follow_up(
    dialect: str,
    recorded: Sequence[Outcome],
    at: Any,
    to_moment: Callable[[dt.datetime], Any],
    to_wall_clock: Callable[[dt.datetime], Any],
) -> Plan[None]:
    """What recorded outcomes set in motion: the next weekly check-in (unless one is already
    pending: the schema allows one), the conversation, a person the platform cannot reach.

    Only rows this transaction just recorded come here, so their people exist: a deletion
    removes the planned rows with the person, and then nothing was recorded for them. (On
    PostgreSQL a deletion racing this transaction fails it on the foreign key; the record is
    written again, and finds nothing left to record.)"""
    ignore = "INSERT OR IGNORE" if dialect == "sqlite" else "INSERT"
    on_conflict = "" if dialect == "sqlite" else " ON CONFLICT DO NOTHING"
    next_ones = next_check_ins(recorded, to_moment, to_wall_clock)
    if next_ones:
        yield (
            f"{ignore} INTO planned_messages (person_id, platform, kind, due_at, planned_local,"
            " planned_zone, application_id, rejection_id, state, attempts, claimed_by,"
            " message_id, outcome, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'pending', 0, '', '', '', ?)"
            f"{on_conflict}",
            [(*row, at) for row in next_ones],
            True,
        )
    yield from close_applications(at, recorded)
    waiting = [
        (o.person_id, topic, data[:200], at)
        for o in recorded
        if o.conversation is not None
        for topic, data in (o.conversation,)
    ]
    if waiting:
        yield (
            "INSERT INTO conversations (person_id, topic, data, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE SET topic = excluded.topic,"
            " data = excluded.data, updated_at = excluded.updated_at",
            waiting,
            True,
        )
    lost = {o.person_id: o.unreachable[:32] for o in recorded if o.unreachable}
    if lost:
        # The platform will never deliver to them: stop their schedule, don't retry.
        yield (
            "UPDATE people SET unreachable = ?, unreachable_at = ?, checkins = ? WHERE id = ?",
            [(reason, at, CheckinState.STOPPED.value, p) for p, reason in lost.items()],
            True,
        )
        yield (
            "UPDATE planned_messages SET state = 'skipped', outcome = 'unreachable'"
            f" WHERE person_id IN ({markers(list(lost))}) AND state = 'pending' RETURNING id",
            tuple(lost),
            False,
        )


def close_applications(at: Any, recorded: Sequence[Outcome]) -> Plan[None]:
    """Applications whose reminder just told the person "filed under no answer" are filed
    so, unless news came in the meantime."""
    closed = [
        (at, o.application_id, *WAITING_STAGES)
        for o in recorded
        if o.closes_application and o.state is PlannedState.SENT
    ]
    if closed:
        yield (
            "UPDATE applications SET stage = 'no_answer', moved_at = ?"
            f" WHERE id = ? AND stage IN ({markers(WAITING_STAGES)})",
            closed,
            True,
        )
