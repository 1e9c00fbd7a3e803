"""The daily sweep: old moods, check-in answers and button memos go, and so does the
dispatcher's history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import checkpoint, inbox_path
from storage.event_log import EventLog
from storage.inbox_file import forget_done
from storage.tables import answers, button_memos, inbox, moods, planned_messages, practice_pairs

# Platforms stop retrying an event within minutes; a day of ids is plenty to catch repeats.
EVENT_MEMORY = dt.timedelta(days=1)


async def sweep(db: AsyncEngine, now: dt.datetime, keep: dt.timedelta) -> dict[str, int]:
    """Delete what is older than ``keep`` (moods, check-in answers, button memos, practice
    rounds, finished planned messages) and event ids older than a day; returns how many rows
    went, by table.

    Then the SQLite WAL is checkpointed, so swept notes are gone from the files as well (and,
    once a day at least, whatever else was overwritten or withdrawn since the last one).
    """
    cutoff = now - keep
    removed: dict[str, int] = {}
    async with db.begin() as connection:
        for name, statement in (
            ("moods", delete(moods).where(moods.c.created_at < cutoff)),
            ("answers", delete(answers).where(answers.c.created_at < cutoff)),
            # A long Discord button's or form's meaning, half-typed values included: a memo
            # names no person, so it cannot go with their data; it goes with time instead.
            ("button_memos", delete(button_memos).where(button_memos.c.created_at < cutoff)),
            # Practice history is needed for a few rounds (no repeated pairs), not for ever.
            (
                "practice_pairs",
                delete(practice_pairs).where(practice_pairs.c.created_at < cutoff),
            ),
            (
                "planned_messages",
                delete(planned_messages).where(
                    planned_messages.c.state.in_(["sent", "skipped", "failed"]),
                    planned_messages.c.due_at < cutoff,
                ),
            ),
        ):
            removed[name] = (await connection.execute(statement)).rowcount
    removed["processed_events"] = await EventLog(db).forget_before(now - EVENT_MEMORY)
    async with db.begin() as connection:
        removed["inbox"] = (
            await connection.execute(
                delete(inbox).where(
                    inbox.c.state != "pending", inbox.c.received_at < now - EVENT_MEMORY
                )
            )
        ).rowcount
    inbox_file = inbox_path(db)
    if inbox_file is not None:
        removed["inbox"] += await forget_done(inbox_file, now - EVENT_MEMORY)
    await checkpoint(db)
    return removed
