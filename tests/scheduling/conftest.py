"""The scheduler tests' world, on each database in turn."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.engine import Engine
from storage.outbox import SqlOutbox
from storage.sql import SqlStore
from tests.scheduling.harness import RecordingMessenger
from tests.scheduling.world import World


@pytest.fixture
async def world(db: AsyncEngine) -> World:
    store = SqlStore(db)
    engine = Engine(store, Content.load(), default_timezone="Europe/Berlin")
    return World(db, store, engine, SqlOutbox(db), RecordingMessenger())
