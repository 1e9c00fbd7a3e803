"""The composition root: settings in, a wired engine and store out. Nothing runs at import."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.dispatcher import Dispatcher
from bot.engine import Engine
from bot.ports import Messenger
from bounceback.clock import CheckinClock, instance_name
from bounceback.settings import Settings
from storage.database import create_engine, upgrade
from storage.outbox import SqlOutbox
from storage.sql import EventLog, SqlStore


@dataclass(frozen=True, slots=True)
class Services:
    """Everything an adapter needs, built once per process."""

    settings: Settings
    db: AsyncEngine
    store: SqlStore
    events: EventLog
    engine: Engine
    outbox: SqlOutbox

    def dispatcher(self, messengers: Mapping[str, Messenger]) -> Dispatcher:
        """A dispatcher delivering through ``messengers`` (by platform name)."""
        return Dispatcher(
            outbox=self.outbox,
            content=self.engine.content,
            messengers=messengers,
            instance=instance_name(),
            grace=dt.timedelta(hours=self.settings.grace_hours),
        )

    def clock(self, messengers: Mapping[str, Messenger]) -> CheckinClock:
        """The check-in clock for this process (not started)."""
        return CheckinClock(self.dispatcher(messengers), interval=self.settings.tick_seconds)


@asynccontextmanager
async def open_services(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Services]:
    """Open the database (migrating it first), build the engine, and close it all afterwards."""
    db = create_engine(settings.database_url)
    try:
        if migrate:
            await upgrade(db)
        store = SqlStore(db)
        engine = Engine(store, Content.load(), default_timezone=settings.timezone)
        yield Services(
            settings=settings,
            db=db,
            store=store,
            events=EventLog(db),
            engine=engine,
            outbox=SqlOutbox(db),
        )
    finally:
        await db.dispose()
