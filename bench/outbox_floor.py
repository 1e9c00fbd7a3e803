"""The physical floor for delivering check-ins: claim due rows and mark them sent, nothing else.

The same seeded ``planned_messages`` table as the outbox works on, straight on the raw driver:
stdlib sqlite3 with the outbox's settings (WAL, synchronous=NORMAL), or asyncpg with prepared
statements. Each round claims a few thousand due rows in one ``UPDATE ... RETURNING`` (``FOR
UPDATE SKIP LOCKED`` on PostgreSQL) and marks them all sent in one more statement, each in a
transaction of its own. No person is read, no text written, nothing handed to a sender: no
scheduler that records its deliveries durably can be faster on this machine.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from typing import Any

BATCH = 5000
TOKEN = "floor"

_CLAIM = (
    "UPDATE planned_messages SET state = 'claimed', claimed_by = {p1}, lease_until = {p2},"
    " attempts = attempts + 1 WHERE id {among}SELECT id FROM planned_messages"
    " WHERE state = 'pending' AND due_at <= {p3} ORDER BY due_at LIMIT {p4}{lock}{end}"
    " RETURNING {returning}"
)


def claim_text(*, postgres: bool, returning: str = "id") -> str:
    """The claim of a batch of due rows: parameters (token, lease end, now, limit) on SQLite;
    (token, now, limit) on PostgreSQL, where the ids go as an array found by primary key, as
    the outbox claims them (not by a scan of the whole table)."""
    if postgres:
        return _CLAIM.format(
            p1="$1", p2="$2", p3="$2", p4="$3", lock=" FOR UPDATE SKIP LOCKED",
            among="= ANY(ARRAY(", end="))", returning=returning,
        )  # fmt: skip
    return _CLAIM.format(
        p1="?", p2="?", p3="?", p4="?", lock="", among="IN (", end=")", returning=returning
    )


def sqlite_floor(path: str, now: dt.datetime) -> dict[str, float]:
    """Claim and mark sent every due row of the SQLite file at ``path``."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    text = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    claim = claim_text(postgres=False)
    count = 0
    started = time.time()
    while True:
        connection.execute("BEGIN IMMEDIATE")
        ids = [row for row in connection.execute(claim, (TOKEN, text, text, BATCH))]
        connection.execute("COMMIT")
        if not ids:
            break
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "UPDATE planned_messages SET state = 'sent', sent_at = ?, lease_until = NULL"
            " WHERE id = ? AND claimed_by = ?",
            [(text, row[0], TOKEN) for row in ids],
        )
        connection.execute("COMMIT")
        count += len(ids)
    finished = time.time()
    connection.close()
    return {"count": count, "started": started, "finished": finished}


async def postgres_floor(url: str, now: dt.datetime) -> dict[str, float]:
    """Claim and mark sent every due row of the PostgreSQL database at ``url``."""
    import asyncpg

    connection: Any = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    claim = await connection.prepare(claim_text(postgres=True))
    mark = await connection.prepare(
        "UPDATE planned_messages SET state = 'sent', sent_at = $1, lease_until = NULL"
        " WHERE id = ANY($2::bigint[]) AND claimed_by = $3"
    )
    count = 0
    started = time.time()
    while True:
        async with connection.transaction():
            ids = [row[0] for row in await claim.fetch(TOKEN, now, BATCH)]
        if not ids:
            break
        async with connection.transaction():
            await mark.fetch(now, ids, TOKEN)
        count += len(ids)
    finished = time.time()
    await connection.close()
    return {"count": count, "started": started, "finished": finished}
