"""The event log: which platform events were handled, so a retried delivery is handled once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import dialect_insert
from storage.tables import processed_events


class EventLog:
    """Remembers which platform events were handled, across every instance sharing the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def first_time(self, key: str, now: dt.datetime) -> bool:
        """True the first time ``key`` is seen, False on every later call."""
        statement = (
            dialect_insert(self._engine, processed_events)
            .values(key=key[:200], seen_at=now)
            .on_conflict_do_nothing()
            .returning(processed_events.c.key)
        )
        async with self._engine.begin() as connection:
            return (await connection.execute(statement)).first() is not None

    async def forget_before(self, moment: dt.datetime) -> int:
        """Drop keys older than ``moment`` (platforms stop retrying long before); returns how
        many went."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(processed_events).where(processed_events.c.seen_at < moment)
            )
        return result.rowcount
