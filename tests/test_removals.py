"""A community that removed the bot is erased once, also when the deletion failed and the
process that heard of the removal stopped before trying again: the next process's clock
finishes it. The failure is the database's own (a trigger refusing the deletion), on SQLite
and PostgreSQL, through the wiring ``bounceback run`` uses."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from bounceback.bootstrap import open_services
from bounceback.settings import Settings
from storage.tables import people, removals

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
GONE = Sender("discord", "1001", "42", "Ada")
KEPT = Sender("discord", "1002", "42", "Ada")

_REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse_deletes BEFORE DELETE ON people"
        " BEGIN SELECT RAISE(ABORT, 'the database is away'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_deletes() RETURNS trigger AS"
        " $$ BEGIN RAISE EXCEPTION 'the database is away'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_deletes BEFORE DELETE ON people"
        " FOR EACH ROW EXECUTE FUNCTION refuse_deletes()",
    ],
}
_ALLOW = {
    "sqlite": ["DROP TRIGGER refuse_deletes"],
    "postgresql": ["DROP TRIGGER refuse_deletes ON people", "DROP FUNCTION refuse_deletes()"],
}


async def _run(db: AsyncEngine, statements: list[str]) -> None:
    async with db.begin() as connection:
        for statement in statements:
            await connection.exec_driver_sql(statement)


@asynccontextmanager
async def deletions_refused(db: AsyncEngine) -> AsyncIterator[None]:
    """The database refuses to delete people until the block ends."""
    await _run(db, _REFUSE[db.dialect.name])
    try:
        yield
    finally:
        await _run(db, _ALLOW[db.dialect.name])


async def _count(db: AsyncEngine, table: Table, community: str | None = None) -> int:
    statement = select(func.count()).select_from(table)
    if community is not None:
        statement = statement.where(table.c.community == community)
    async with db.connect() as connection:
        return int(await connection.scalar(statement) or 0)


async def test_a_removal_the_database_refused_is_finished_by_the_next_process(
    database_url: str, db: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.from_mapping({"DATABASE_URL": database_url})
    async with open_services(settings) as first:
        for member in (GONE, KEPT):
            await first.store.person(member, "UTC", NOW)
        async with deletions_refused(db):
            with pytest.raises(Exception, match="away"):
                await first.shared.on_community_removed("discord", GONE.community)
        # This process stops here, before any retry of its own.
        assert await first.store.owed_removals(NOW) == [("discord", GONE.community)]
    assert await _count(db, people, community=GONE.community) == 1

    async with open_services(settings) as second:
        clock = second.clock({})
        async with deletions_refused(db):  # still away on the first round: tried, kept
            with caplog.at_level(logging.WARNING):
                await clock.tick()
        assert "owed work not finished" in caplog.text and "away" not in caplog.text
        assert await second.store.owed_removals(NOW) == [("discord", GONE.community)]
        await clock.tick()
        assert await second.store.owed_removals(NOW) == []
    assert await _count(db, people, community=GONE.community) == 0
    assert await _count(db, people, community=KEPT.community) == 1


async def test_a_removal_is_noted_and_its_note_goes_with_the_data(
    database_url: str, db: AsyncEngine
) -> None:
    settings = Settings.from_mapping({"DATABASE_URL": database_url})
    async with open_services(settings) as services:
        await services.store.person(GONE, "UTC", NOW)
        await services.store.owe_removal("discord", GONE.community, NOW)
        await services.store.owe_removal("discord", GONE.community, NOW)  # heard twice: one
        assert await _count(db, removals) == 1
        assert await services.shared.on_community_removed("discord", GONE.community) == 1
        assert await _count(db, removals) == 0 and await _count(db, people) == 0
        assert await services.removals.finish() == 0  # nothing owed
