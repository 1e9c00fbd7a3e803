"""The outbox's hot statements on SQLite: a handful of steps whatever the number of rows.

The outbox's SQLite connection runs on a thread of its own, and Python's sqlite3 hands the GIL
back and forth around every step of a statement: each row an ``executemany`` writes, each row
a ``RETURNING`` or a ``SELECT`` gives back. While the event loop is busy writing check-ins,
every one of those hand-overs waits for the loop to let go: in a 100,000-row tick a record's
statements took three times their own work. Here the rows travel as one JSON text each way:
a statement reads its rows with ``json_each`` and answers in one row (``group_concat``,
``json_group_array``), so a claim, a last look and a common record are a few steps each. A
statement that returns nothing goes as a one-row ``executemany``, which either driver runs
without asking it for rows. (The JSON functions are built into SQLite since 3.38, and into the
usual Python builds' SQLite long before.)

Groups holding anything rarer (a retry, a person the platform cannot reach) are recorded by
:mod:`storage.records`' general plan.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from bot.delivery_ports import ClaimRequest
from bot.model import CheckinState, Outcome, PlannedState
from storage import records
from storage.bulk import converters_for, next_check_ins
from storage.records import claimed, markers
from storage.rows import PLANNED_COLUMNS

CLAIMED = PlannedState.CLAIMED.value
SENT = PlannedState.SENT.value
_LISTED = "id IN (SELECT value FROM json_each(?))"


def _item(n: int, row: str = "value") -> str:
    return f"json_extract({row}, '$[{n}]')"


# A claimed row as RETURNING would give it, in PLANNED_COLUMNS order.
_AS_CLAIMED = {"state": f"'{CLAIMED}'", "attempts": "attempts + 1"}
_CLAIMED_ROW = "json_array(" + ", ".join(_AS_CLAIMED.get(c, c) for c in PLANNED_COLUMNS) + ")"


def claim(request: ClaimRequest, state: str, moment: str) -> records.Plan[list[Any]]:
    """Claim up to ``request.limit`` rows in ``state`` whose ``moment`` (a column) has come,
    oldest first: the claimed rows. The rows are read and then taken by id within the one
    write transaction, so nothing can come between."""
    now, limit, platforms = request.now, request.limit, request.platforms
    lease_until, instance = request.lease_until, request.instance
    to_moment, _ = converters_for("sqlite")
    found = yield (
        f"SELECT json_group_array({_CLAIMED_ROW}) FROM (SELECT * FROM planned_messages"
        f" WHERE state = ? AND platform IN ({markers(platforms)}) AND {moment} <= ?"
        f" ORDER BY {moment} LIMIT ?)",
        (state, *platforms, to_moment(now), limit),
        False,
    )
    taken: list[Any] = json.loads(found[0][0])
    if taken:
        yield (
            "UPDATE planned_messages SET state = 'claimed', lease_until = ?, claimed_by = ?,"
            f" attempts = attempts + 1 WHERE {_LISTED} AND state = ?",
            [(to_moment(lease_until), instance, json.dumps([row[0] for row in taken]), state)],
            True,
        )
    return taken


def held(instance: str, ids: Sequence[int], now: dt.datetime) -> records.Plan[set[int]]:
    """Which of ``ids`` this claim still holds and whose person is still welcome to them."""
    to_moment, _ = converters_for("sqlite")
    found = yield (
        "SELECT group_concat(m.id) FROM planned_messages m JOIN people p ON p.id = m.person_id"
        f" WHERE m.{_LISTED} AND m.claimed_by = ?"
        f" AND {claimed('m')} AND p.unreachable = '' AND p.checkins <> ?"
        " AND NOT (p.checkins = ? AND p.paused_until IS NOT NULL AND p.paused_until > ?)",
        (
            json.dumps(list(ids)),
            instance,
            CheckinState.STOPPED.value,
            CheckinState.PAUSED.value,
            to_moment(now),
        ),
        False,
    )
    return _ids(found)


def common(outcomes: Sequence[Outcome]) -> bool:
    """Whether :func:`record` takes these (sent, skipped or failed, nobody unreachable)."""
    return not any(o.state is PlannedState.PENDING or o.unreachable for o in outcomes)


# One statement marks every row of a group still claimed under the token: sent rows with
# their message id, skipped and failed ones with their state.
_MARK = (
    "UPDATE planned_messages SET lease_until = NULL,"
    f" state = {_item(1, 'v.value')}, outcome = {_item(3, 'v.value')},"
    f" sent_at = CASE WHEN {_item(1, 'v.value')} = '{SENT}' THEN ? ELSE sent_at END,"
    f" message_id = CASE WHEN {_item(1, 'v.value')} = '{SENT}' THEN {_item(2, 'v.value')}"
    " ELSE message_id END"
    f" FROM json_each(?) AS v WHERE planned_messages.id = {_item(0, 'v.value')}"
    f" AND planned_messages.claimed_by = ? AND {claimed('planned_messages')}"
)
_PLAN_NEXT = (
    "INSERT OR IGNORE INTO planned_messages (person_id, platform, rejection_id, kind, due_at,"
    " planned_local, planned_zone, state, attempts, claimed_by, message_id, outcome,"
    " created_at, application_id)"
    f" SELECT {_item(0)}, {_item(1)}, NULL, {_item(2)}, {_item(3)}, {_item(4)}, {_item(5)},"
    f" 'pending', 0, '', '', '', ?, {_item(6)} FROM json_each(?)"
)
# (WHERE true: SQLite reads ON CONFLICT after a bare FROM as the join's constraint.)
_CONVERSE = (
    "INSERT INTO conversations (person_id, topic, data, updated_at)"
    f" SELECT {_item(0)}, {_item(1)}, {_item(2)}, ? FROM json_each(?) WHERE true"
    " ON CONFLICT (person_id) DO UPDATE SET topic = excluded.topic,"
    " data = excluded.data, updated_at = excluded.updated_at"
)


def record(
    instance: str, outcomes: Sequence[Outcome], now: dt.datetime
) -> records.Plan[list[bool]]:
    """Record a :func:`common` group under ``instance``'s claim, with the next check-in of
    each row recorded and what it waits for; per outcome, whether it was recorded."""
    to_moment, to_wall_clock = converters_for("sqlite")
    at = to_moment(now)
    ids = json.dumps([o.planned_id for o in outcomes])
    found = yield (
        f"SELECT group_concat(id) FROM planned_messages WHERE {_LISTED}"
        f" AND claimed_by = ? AND {claimed()}",
        (ids, instance),
        False,
    )
    done = _ids(found)
    recorded = [o for o in outcomes if o.planned_id in done]
    if recorded:
        marks = [
            (o.planned_id, o.state.value, o.platform_message_id[:64], o.code[:32]) for o in recorded
        ]
        yield (_MARK, [(at, json.dumps(marks), instance)], True)
        following = next_check_ins(recorded, to_moment, to_wall_clock)
        if following:
            yield (_PLAN_NEXT, [(at, json.dumps(following))], True)
        yield from records.close_applications(at, recorded)
        talk = [(o.person_id, *o.conversation) for o in recorded if o.conversation is not None]
        if talk:
            yield (_CONVERSE, [(at, json.dumps([(p, t, d[:200]) for p, t, d in talk]))], True)
    return [o.planned_id in done for o in outcomes]


def _ids(found: list[Any]) -> set[int]:
    """The ids of a one-row ``group_concat`` answer."""
    text = found[0][0] if found else None
    return {int(part) for part in text.split(",")} if text else set()
