"""Several bot processes on one PostgreSQL deliver each check-in exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.database import create_engine
from storage.tables import planned_messages
from tests.scheduling.harness import seed_due

ROOT = Path(__file__).resolve().parents[2]
DUE = dt.datetime(2026, 7, 14, 8, 0, tzinfo=dt.UTC)


@pytest.mark.postgres
async def test_two_processes_deliver_1000_check_ins_exactly_once(postgres_only_url: str) -> None:
    url = postgres_only_url
    db = create_engine(url)
    try:
        await seed_due(db, 1000, DUE)
        workers = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.scheduling.worker",
                url,
                DUE.isoformat(),
                name,
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for name in ("instance-a", "instance-b", "instance-c")
        ]
        outputs = await asyncio.gather(*(w.communicate() for w in workers))
        for worker, (_, err) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, err.decode()
        per_worker = [out.decode().split() for out, _ in outputs]
        delivered = [key for keys in per_worker for key in keys]

        print("deliveries per process:", [len(keys) for keys in per_worker])
        assert len(delivered) == 1000
        assert len(set(delivered)) == 1000
        async with db.connect() as connection:
            states: dict[str, int] = dict(
                (
                    await connection.execute(
                        select(planned_messages.c.state, func.count()).group_by(
                            planned_messages.c.state
                        )
                    )
                ).all()
            )
        # Each one sent, and a next weekly check-in planned for each person.
        assert states == {"sent": 1000, "pending": 1000}
    finally:
        await db.dispose()
