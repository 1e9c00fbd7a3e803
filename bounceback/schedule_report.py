"""``bounceback schedule``: what is planned, per person, in their local time."""

from __future__ import annotations

import zoneinfo
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import PlannedState
from storage.crypto import Cipher, CipherError
from storage.tables import people, planned_messages


async def print_schedule(
    db: AsyncEngine, user: str | None, out: TextIO, cipher: Cipher | None = None
) -> int:
    """Print every pending or in-flight message, grouped by person; returns how many. Display
    names are sealed at rest: each is shown opened with ``cipher``, or left out when it cannot
    be opened (no key, or another key)."""
    cipher = cipher or Cipher()
    t, p = planned_messages, people
    query = (
        select(
            p.c.platform,
            p.c.community,
            p.c.user_id,
            p.c.display_name,
            p.c.timezone,
            p.c.checkins,
            p.c.paused_until,
            t.c.kind,
            t.c.due_at,
            t.c.state,
            t.c.attempts,
        )
        .join(p, p.c.id == t.c.person_id)
        .where(t.c.state.in_([PlannedState.PENDING.value, PlannedState.CLAIMED.value]))
        .order_by(p.c.platform, p.c.community, p.c.user_id, t.c.due_at)
    )
    if user is not None:
        query = query.where(p.c.user_id == user)
    async with db.connect() as connection:
        rows = list(await connection.execute(query))
    if not rows:
        out.write("Nothing planned.\n")
        return 0
    current = None
    for row in rows:
        who = (row.platform, row.community, row.user_id)
        if who != current:
            current = who
            status = row.checkins
            if row.paused_until is not None and status == "paused":
                status = f"paused until {row.paused_until:%Y-%m-%d %H:%M} UTC"
            display_name = _readable(cipher, row.display_name)
            name = f" ({display_name})" if display_name else ""
            out.write(
                f"\n{row.platform}/{row.community}/{row.user_id}{name}"
                f"  {row.timezone}  [{status}]\n"
            )
        local = row.due_at.astimezone(zoneinfo.ZoneInfo(row.timezone))
        retry = f"  attempt {row.attempts + 1}" if row.attempts else ""
        out.write(f"  {local:%a %Y-%m-%d %H:%M %Z}  {row.kind:<15} {row.state}{retry}\n")
    return len(rows)


def _readable(cipher: Cipher, stored: str) -> str:
    """A stored display name as the person is called, or "" when it cannot be opened."""
    try:
        return cipher.open(stored)
    except CipherError:
        return ""
