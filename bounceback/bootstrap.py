"""The composition root: settings in, a wired engine and store out. Nothing runs at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.engine import Engine
from bounceback.settings import Settings
from storage.database import create_engine, upgrade
from storage.sql import EventLog, SqlStore


@dataclass(frozen=True, slots=True)
class Services:
    """Everything an adapter needs, built once per process."""

    settings: Settings
    db: AsyncEngine
    store: SqlStore
    events: EventLog
    engine: Engine


@asynccontextmanager
async def open_services(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Services]:
    """Open the database (migrating it first), build the engine, and close it all afterwards."""
    db = create_engine(settings.database_url)
    try:
        if migrate:
            await upgrade(db)
        store = SqlStore(db)
        engine = Engine(store, Content.load(), default_timezone=settings.timezone)
        yield Services(settings=settings, db=db, store=store, events=EventLog(db), engine=engine)
    finally:
        await db.dispose()
