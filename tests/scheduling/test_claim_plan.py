"""A claim on PostgreSQL finds its rows by primary key, however many check-ins were ever sent:
never by a scan of the whole table."""

from __future__ import annotations

from sqlalchemy import text

from bot.delivery_ports import ClaimRequest
from storage import outbox
from storage.bulk import numbered
from storage.database import create_engine
from tests.scheduling.harness import seed_due
from tests.scheduling.test_delivery import DUE


async def test_a_claim_reads_by_primary_key_not_the_whole_table(postgres_only_url: str) -> None:
    db = create_engine(postgres_only_url)
    try:
        await seed_due(db, 5000, DUE, platform="bench")
        async with db.begin() as connection:
            # Sent rows make up most of a table in service; statistics as autovacuum keeps them.
            await connection.execute(
                text("UPDATE planned_messages SET state = 'sent' WHERE id % 10 <> 0")
            )
            await connection.exec_driver_sql("ANALYZE")
        request = ClaimRequest(DUE, ["bench"], "one#1", DUE, 500)
        walk = outbox._walk("postgresql", request, "pending", "due_at")
        sql, params, _ = next(walk)
        async with db.connect() as connection:
            plan = [
                row[0]
                for row in await connection.exec_driver_sql("EXPLAIN " + numbered(sql), params)
            ]
    finally:
        await db.dispose()

    assert any("Index Scan using pk_planned_messages" in line for line in plan), plan
    assert not any("Seq Scan on planned_messages" in line for line in plan), plan
