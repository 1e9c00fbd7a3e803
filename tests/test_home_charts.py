"""Each member's Home chart file, remembered in the database (SQLite and PostgreSQL): replaced,
forgotten, part of their export, and gone with their community."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from storage.home_charts import SqlChartFiles
from storage.sql import SqlStore

NOW = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)


async def test_a_chart_file_is_remembered_replaced_and_forgotten(db: AsyncEngine) -> None:
    files = SqlChartFiles(db)
    assert await files.chart_file("T1", "U1") is None

    await files.remember_chart("T1", "U1", "F1", "a" * 32, NOW)
    await files.remember_chart("T1", "U2", "F2", "b" * 32, NOW)
    await files.remember_chart("T1", "U1", "F3", "c" * 32, NOW)

    assert await files.chart_file("T1", "U1") == ("F3", "c" * 32)
    assert await files.chart_file("T2", "U1") is None  # another workspace's U1 is someone else
    await files.forget_chart("T1", "U1")
    assert await files.chart_file("T1", "U1") is None
    assert await files.chart_file("T1", "U2") == ("F2", "b" * 32)


async def test_the_chart_file_is_in_the_export_and_goes_with_the_community(
    db: AsyncEngine,
) -> None:
    store, files = SqlStore(db), SqlChartFiles(db)
    async with store.transaction():
        person = await store.person(Sender("slack", "T1", "U1"), "UTC", NOW)
    await files.remember_chart("T1", "U1", "F7", "d" * 32, NOW)

    exported = await store.export(person.id)
    assert [row["file_id"] for row in exported["home_chart"]] == ["F7"]

    await store.delete_community("slack", "T1")
    assert await files.chart_file("T1", "U1") is None
