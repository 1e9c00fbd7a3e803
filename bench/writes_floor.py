"""The floor for what Bounceback's delivery promises write: the same reads and writes per
check-in as the outbox, on the raw driver, with nothing else.

``bench/outbox_floor.py`` only claims rows and marks them sent. Delivering exactly once asks
more of the database for each check-in, and this floor does all of it, in the outbox's own
shape, on the same seeded table:

- claim a batch of due rows, then read their people and each person's latest mood;
- before each group of sends, look once more: still claimed, the person not stopped;
- record each group in a transaction of its own (a crash repeats at most what is unrecorded):
  mark the rows sent under the claim's token and plan each person's next weekly check-in.

With ``move=True`` the next check-in moves its own row forward instead of inserting a new
one (a design the outbox does not use: a sent check-in would leave no row of its own), to show
what that design could gain at best.

No text is written and nothing is handed to a sender. SQLite runs on stdlib sqlite3 on one
thread with the outbox's settings; PostgreSQL on asyncpg with prepared statements, overlapping
the way the outbox does (the next claim while a batch is recorded, two writing connections and
one for the last looks), since on a server the round trips would otherwise leave both cores
idle.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from typing import Any

from outbox_floor import claim_text

from storage.bulk import converters_for
from storage.database import tune_sqlite
from storage.records import claimed as still_claimed
from storage.rows import PERSON_COLUMNS

BATCH = 5000  # the scheduler benchmark's batch
GROUP = 100  # about what the outbox records per transaction in that benchmark
TOKEN = "floor"
WEEK = dt.timedelta(days=7)

_LOOK = (
    "SELECT m.id FROM planned_messages m JOIN people p ON p.id = m.person_id"
    " WHERE m.id {among} AND m.claimed_by = {token} AND "
    + still_claimed("m")
    + " AND p.unreachable = '' AND p.checkins <> 'stopped'"
)
_MARK = (
    "UPDATE planned_messages SET state = 'sent', sent_at = {at}, lease_until = NULL,"
    " message_id = 'bb-' || id WHERE id {among} AND claimed_by = {token} AND " + still_claimed()
)
_MOVE = (
    "UPDATE planned_messages SET state = 'pending', sent_at = {at}, lease_until = NULL,"
    " claimed_by = '',"
    " attempts = 0, message_id = 'bb-' || id, due_at = {due}, planned_local = {local}"
    " WHERE id {among} AND claimed_by = {token} AND " + still_claimed()
)
_PLANNED = (
    "person_id, platform, rejection_id, kind, due_at, planned_local, planned_zone, state,"
    " attempts, claimed_by, message_id, outcome, created_at, application_id"
)


def _groups(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), GROUP):
        yield list(ids[start : start + GROUP])


def sqlite_writes_floor(path: str, now: dt.datetime, *, move: bool = False) -> dict[str, float]:
    """Deliver every due row of the SQLite file at ``path`` with the outbox's reads and writes."""
    connection = sqlite3.connect(path, isolation_level=None)
    tune_sqlite(connection, None)
    to_moment, _ = converters_for("sqlite")
    text = to_moment(now)
    claim = claim_text(postgres=False, returning="id, person_id")
    listed = "IN (SELECT value FROM json_each(?))"
    people = f"SELECT {', '.join(PERSON_COLUMNS)} FROM people WHERE id {listed}"
    moods = (
        "SELECT person_id, score FROM (SELECT person_id, score, row_number() OVER (PARTITION BY"
        " person_id ORDER BY created_at DESC, id DESC) AS n FROM moods"
        f" WHERE person_id {listed}) WHERE n = 1"
    )
    look = _LOOK.format(among=listed, token="?")
    # Every seeded check-in shares one slot, so its next slot is worked out once.
    next_due = to_moment(now + WEEK)
    if move:
        record = _MOVE.format(at="?", due="?", local="?", among=listed, token="?")
    else:
        record = _MARK.format(at="?", among=listed, token="?") + " RETURNING person_id, platform,"
        record += " kind, planned_zone"
    plan_next = (
        f"INSERT OR IGNORE INTO planned_messages ({_PLANNED}) SELECT json_extract(value, '$[0]'),"
        " json_extract(value, '$[1]'), NULL, json_extract(value, '$[2]'), ?, ?,"
        " json_extract(value, '$[3]'), 'pending', 0, '', '', '', ?, NULL FROM json_each(?)"
    )
    count = 0
    started = time.time()
    while True:
        connection.execute("BEGIN IMMEDIATE")
        claimed = connection.execute(claim, (TOKEN, text, text, BATCH)).fetchall()
        connection.execute("COMMIT")
        if not claimed:
            break
        persons = json.dumps(sorted({row[1] for row in claimed}))
        connection.execute(people, (persons,)).fetchall()
        connection.execute(moods, (persons,)).fetchall()
        for group in _groups([row[0] for row in claimed]):
            ids = json.dumps(group)
            held = json.dumps([row[0] for row in connection.execute(look, (ids, TOKEN))])
            connection.execute("BEGIN IMMEDIATE")
            if move:
                connection.execute(record, (text, next_due, next_due, held, TOKEN))
            else:
                done = connection.execute(record, (text, held, TOKEN)).fetchall()
                connection.execute(plan_next, (next_due, next_due, text, json.dumps(done)))
            connection.execute("COMMIT")
        count += len(claimed)
    finished = time.time()
    connection.close()
    return {"count": count, "started": started, "finished": finished}


async def postgres_writes_floor(
    url: str, now: dt.datetime, *, move: bool = False
) -> dict[str, float]:
    """Deliver every due row of the PostgreSQL database at ``url`` with the outbox's reads and
    writes."""
    import asyncpg

    dsn = url.replace("postgresql+asyncpg", "postgresql")
    claiming, looking, *writing = [await asyncpg.connect(dsn) for _ in range(4)]
    claim = await claiming.prepare(claim_text(postgres=True, returning="id, person_id"))
    listed = "= ANY($1::bigint[])"
    people = await looking.prepare(
        f"SELECT {', '.join(PERSON_COLUMNS)} FROM people WHERE id {listed}"
    )
    moods = await looking.prepare(
        "SELECT DISTINCT ON (person_id) person_id, score FROM moods"
        f" WHERE person_id {listed} ORDER BY person_id, created_at DESC, id DESC"
    )
    look = await looking.prepare(_LOOK.format(among=listed, token="$2"))
    if move:
        text = _MOVE.format(at="$3", due="due_at + $4::interval", local="planned_local +"
                            " $4::interval", among=listed, token="$2")  # fmt: skip
    else:
        # Marked and planned in one statement, as the outbox records a group.
        text = (
            f"WITH done AS ({_MARK.format(at='$3', among=listed, token='$2')}"
            " RETURNING person_id, platform, kind, due_at, planned_local, planned_zone)"
            f" INSERT INTO planned_messages ({_PLANNED}) SELECT person_id, platform, NULL, kind,"
            " due_at + $4::interval, planned_local + $4::interval, planned_zone, 'pending', 0,"
            " '', '', '', $3, NULL FROM done ON CONFLICT DO NOTHING"
        )
    records = [await connection.prepare(text) for connection in writing]
    groups: asyncio.Queue[list[int] | None] = asyncio.Queue()
    look_lock = asyncio.Lock()

    async def writer(record: Any) -> None:
        while (group := await groups.get()) is not None:
            async with look_lock:
                held = [row[0] for row in await look.fetch(group, TOKEN)]
            await record.fetch(held, TOKEN, now, WEEK)
            groups.task_done()

    async def claimed() -> list[Any]:
        async with claiming.transaction():
            return list(await claim.fetch(TOKEN, now, BATCH))

    count = 0
    started = time.time()
    writers = [asyncio.ensure_future(writer(record)) for record in records]
    ahead = asyncio.ensure_future(claimed())
    while rows := await ahead:
        ahead = asyncio.ensure_future(claimed())  # the next batch while this one is recorded
        persons = sorted({row[1] for row in rows})
        async with look_lock:
            await people.fetch(persons)
            await moods.fetch(persons)
        for group in _groups([row[0] for row in rows]):
            groups.put_nowait(group)
        await groups.join()  # at most one batch claimed ahead, as in the outbox
        count += len(rows)
    for _ in writers:
        groups.put_nowait(None)
    await asyncio.gather(*writers)
    finished = time.time()
    for connection in (claiming, looking, *writing):
        await connection.close()
    return {"count": count, "started": started, "finished": finished}
