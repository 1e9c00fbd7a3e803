"""A world for scheduler tests: the real engine, store and outbox on one database, a
recording messenger, and Sam, who logs a rejection on a Monday morning in Berlin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dispatcher import Dispatcher
from bot.engine import Engine
from bot.events import FormSubmission, Sender
from storage.outbox import SqlOutbox
from storage.sql import SqlStore
from storage.tables import planned_messages
from tests.scheduling.harness import RecordingMessenger

SAM = Sender("console", "console", "sam", "Sam")
# Monday 2026-0713, 09:00 in Berlin (07:00 UTC): Sam logs a rejection.
REJECTED_AT = dt.datetime(2026, 7, 13, 7, 0, tzinfo=dt.UTC)
DAY1 = dt.datetime(2026, 7, 14, 8, 0, tzinfo=dt.UTC)  # Tuesday 10:00 Berlin
REJECTION = {
    "company": "Acme",
    "role": "Analyst",
    "stage": "interview",
    "rejected_on": "",
    "interviewer": "Jane",
    "feeling": "3",
}


@dataclass
class World:
    db: AsyncEngine
    store: SqlStore
    engine: Engine
    outbox: SqlOutbox
    messenger: RecordingMessenger

    def dispatcher(self, instance: str = "one", **options: object) -> Dispatcher:
        return Dispatcher(
            outbox=self.outbox,
            content=self.engine.content,
            messengers={"console": self.messenger},
            instance=instance,
            **options,  # type: ignore[arg-type]
        )

    async def reject(self, at: dt.datetime = REJECTED_AT, **changes: str) -> None:
        await self.engine.handle(FormSubmission(SAM, "rejection", {**REJECTION, **changes}), at)

    async def sam(self) -> int:
        return (await self.store.person(SAM, "UTC", REJECTED_AT)).id

    async def states(self) -> list[tuple[str, str, str]]:
        async with self.db.connect() as connection:
            rows = await connection.execute(
                select(
                    planned_messages.c.kind, planned_messages.c.state, planned_messages.c.outcome
                ).order_by(planned_messages.c.due_at, planned_messages.c.id)
            )
            return [(r.kind, r.state, r.outcome) for r in rows]
