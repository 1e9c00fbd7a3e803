"""Check-in delivery throughput: Bounceback's outbox dispatcher against APScheduler's job store.

    python bench/scheduler.py [--people N] [--alternative-people M] [--postgres URL]

Seeds N people, each with one check-in due now, then times the dispatcher claiming, writing
and handing every one to a null sender (which only counts), recording each as sent, on SQLite
and, when a PostgreSQL URL is given (or TEST_DATABASE_URL is set), on PostgreSQL. In the same
run it times the obvious alternative: APScheduler 3 with one persisted job per person in its
SQLAlchemyJobStore (on SQLite), doing the same work per job. Each measurement runs in a fresh
child process so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import checkin_messages as checkins  # noqa: E402
from bot.content import Content  # noqa: E402
from bot.dispatcher import Dispatcher  # noqa: E402
from bot.events import Sender  # noqa: E402
from bot.model import Due, Person, PlannedMessage, PlannedState  # noqa: E402
from bot.replies import Reply  # noqa: E402
from tests.databases import create_database, drop_database  # noqa: E402

NOW = dt.datetime(2026, 7, 14, 8, 0, tzinfo=dt.UTC)


class NullMessenger:
    """Takes every message and does nothing with it but count."""

    platform = "bench"

    def __init__(self) -> None:
        self.count = 0

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        self.count += 1
        return key


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def seed(url: str, people: int) -> None:
    """``people`` people with one weekly check-in each, due at NOW."""
    from storage.database import create_engine, upgrade
    from storage.tables import people as people_table
    from storage.tables import planned_messages
    from tests.scheduling.harness import pending_row, person_row

    db = create_engine(url)
    await upgrade(db)
    chunk = 10_000
    async with db.begin() as connection:
        for start in range(0, people, chunk):
            size = min(chunk, people - start)
            ids = (
                (
                    await connection.execute(
                        people_table.insert().returning(people_table.c.id),
                        [
                            person_row(
                                "bench", "bench", f"u{start + n}", f"Person {start + n}", NOW
                            )
                            for n in range(size)
                        ],
                    )
                )
                .scalars()
                .all()
            )
            await connection.execute(
                planned_messages.insert(),
                [pending_row(pid, "bench", "weekly", NOW) for pid in ids],
            )
    async with db.begin() as connection:
        # A database in service has statistics (autovacuum on PostgreSQL, PRAGMA optimize on
        # SQLite); one loaded a moment ago needs them made, or planners guess its size.
        await connection.exec_driver_sql("ANALYZE")
    await db.dispose()


async def run_outbox(url: str, people: int) -> dict[str, float]:
    """One dispatcher process delivering everything due (the database already seeded)."""
    from storage.database import create_engine
    from storage.outbox import SqlOutbox

    db = create_engine(url)
    messenger = NullMessenger()
    dispatcher = Dispatcher(
        outbox=SqlOutbox(db),
        content=Content.load(),
        messengers={"bench": messenger},
        instance="bench",
        batch_size=5000,
        concurrency=100,
    )
    started = time.time()
    report = await dispatcher.tick(NOW)
    finished = time.time()
    await db.dispose()
    assert messenger.count == report.claimed, (messenger.count, report.claimed)
    return {"count": report.claimed, "started": started, "finished": finished, "peak_mb": peak_mb()}


# --- the alternative: one APScheduler job per person, persisted in SQLAlchemyJobStore -------

_CONTENT: Content | None = None
_DONE: asyncio.Event | None = None
_TARGET = 0
_COUNT = 0


async def null_checkin(person_id: int) -> None:
    """The same work per check-in as the dispatcher does: write it, hand it to a null sender."""
    global _COUNT
    assert _CONTENT is not None and _DONE is not None
    person = Person(
        person_id,
        "bench",
        "bench",
        f"u{person_id}",
        "Person",
        "UTC",
        dt.time(10),
        dt.time(0),
        dt.time(0),
        False,
        NOW,
    )
    message = PlannedMessage(
        person_id, person_id, "weekly", NOW, NOW.replace(tzinfo=None), "UTC", PlannedState.CLAIMED
    )
    checkins.build(_CONTENT, Due(message, person))
    _COUNT += 1
    if _COUNT >= _TARGET:
        _DONE.set()


async def run_apscheduler(url: str, people: int) -> dict[str, float]:
    global _CONTENT, _DONE, _TARGET
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    _CONTENT, _DONE, _TARGET = Content.load(), asyncio.Event(), people
    store = SQLAlchemyJobStore(url=url)
    seeding = AsyncIOScheduler(jobstores={"default": store}, timezone=dt.UTC)
    seeding.start(paused=True)
    due = dt.datetime.now(dt.UTC)
    for person_id in range(people):
        seeding.add_job(
            null_checkin,
            "interval",
            weeks=1,
            args=[person_id],
            id=f"checkin-{person_id}",
            next_run_time=due,
            misfire_grace_time=None,
            coalesce=True,
        )
    seeding.shutdown(wait=False)

    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=url)}, timezone=dt.UTC
    )
    start = time.perf_counter()
    scheduler.start()
    await _DONE.wait()
    seconds = time.perf_counter() - start
    scheduler.shutdown(wait=False)
    return {
        "count": people,
        "seconds": seconds,
        "per_second": people / seconds,
        "peak_mb": peak_mb(),
    }


def child(kind: str, url: str, people: int) -> None:
    runner = run_outbox if kind == "outbox" else run_apscheduler
    print(json.dumps(asyncio.run(runner(url, people))))


def measure(kind: str, url: str, people: int, processes: int = 1) -> dict[str, float]:
    """Run ``processes`` children at once on the same database; wall-clock throughput."""
    if kind == "outbox":
        asyncio.run(seed(url, people))
    command = [sys.executable, __file__, "--child", kind, "--url", url, "--people", str(people)]
    start = time.perf_counter()
    children = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(processes)
    ]
    figures = []
    for process in children:
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"benchmark child failed with status {process.returncode}")
        figures.append(json.loads(out.strip().splitlines()[-1]))
    wall = time.perf_counter() - start
    count = sum(f["count"] for f in figures)
    if kind == "outbox":
        assert count == people, (count, people)  # every check-in delivered, none twice
        # From the first claim to the last delivery, across processes (start-up excluded).
        wall = max(f["finished"] for f in figures) - min(f["started"] for f in figures)
    else:
        wall = figures[0]["seconds"]
    return {
        "count": count,
        "seconds": wall,
        "per_second": count / wall,
        "peak_mb": max(f["peak_mb"] for f in figures),
    }


def line(name: str, figures: dict[str, float]) -> str:
    return (
        f"{name:<44} {int(figures['count']):>7} check-ins  {figures['seconds']:7.2f} s  "
        f"{figures['per_second']:>9,.0f}/s  peak {figures['peak_mb']:5.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--alternative-people", type=int, default=5_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument(
        "--processes", type=int, default=2, help="dispatcher processes side by side (default 2)"
    )
    parser.add_argument("--child", choices=["outbox", "apscheduler"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.people)
        return

    runs = sorted({1, args.processes})
    with tempfile.TemporaryDirectory() as folder:
        outbox: dict[str, float] = {}
        for processes in runs:
            label = f"Bounceback outbox, SQLite, {processes} process{'es' if processes > 1 else ''}"
            figures = measure(
                "outbox", f"sqlite:///{folder}/outbox{processes}.db", args.people, processes
            )
            outbox = outbox or figures
            print(line(label, figures), flush=True)
        if args.postgres:
            for processes in runs:
                url, name = create_database(args.postgres, "bounceback_bench")
                try:
                    plural = "es" if processes > 1 else ""
                    label = f"Bounceback outbox, PostgreSQL, {processes} process{plural}"
                    print(line(label, measure("outbox", url, args.people, processes)), flush=True)
                finally:
                    drop_database(args.postgres, name)
        alternative = measure("apscheduler", f"sqlite:///{folder}/jobs.db", args.alternative_people)
        print(line("APScheduler 3 SQLAlchemyJobStore, SQLite, 1 process", alternative), flush=True)
    ratio = outbox["per_second"] / alternative["per_second"]
    print(f"one outbox process on SQLite: {ratio:,.0f}x the alternative's throughput")


if __name__ == "__main__":
    main()
