"""Check-in delivery throughput: Bounceback's outbox against the floor and APScheduler.

    python bench/scheduler.py [--people N] [--alternative-people M] [--postgres URL]

Seeds N people, each with one check-in due now, then times the dispatcher claiming, writing
and handing every one to a null sender (which only counts), recording each as sent, on SQLite
and, when a PostgreSQL URL is given (or TEST_DATABASE_URL is set), on PostgreSQL. In the same
run it times, on the same seeded table, the physical floor (``bench/outbox_floor.py``: claim
and mark sent on the raw driver, nothing else), the floor of the outbox's own reads and writes
(``bench/writes_floor.py``: what delivering exactly once writes, on the raw driver, and the
same with each row moved forward instead of a new one planned) and the obvious alternative:
APScheduler 3 with one persisted job per person in its SQLAlchemyJobStore on SQLite, its engine
tuned exactly as Bounceback's (WAL, synchronous=NORMAL), doing the same work per job. Each
measurement runs in a fresh child process so its peak memory (max RSS) is its own; the outbox
also runs on a tenth of the people, to show its memory does not grow with the backlog.
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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import outbox_floor  # noqa: E402  (this folder is on the path when run as a script)
import writes_floor  # noqa: E402

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
    outbox = SqlOutbox(db)
    dispatcher = Dispatcher(
        outbox=outbox,
        content=Content.load(),
        messengers={"bench": messenger},
        instance="bench",
        batch_size=5000,
        concurrency=100,
    )
    started = time.time()
    report = await dispatcher.tick(NOW)
    finished = time.time()
    await outbox.close()
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
    store = SQLAlchemyJobStore(engine=tuned_engine(url))
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
        jobstores={"default": SQLAlchemyJobStore(engine=tuned_engine(url))}, timezone=dt.UTC
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


def tuned_engine(url: str) -> Any:
    """A synchronous engine on ``url`` with every SQLite setting Bounceback's own engine and
    outbox use (WAL, synchronous=NORMAL, ...), so the alternative is not timed on defaults."""
    import sqlalchemy

    from storage.database import tune_sqlite

    engine = sqlalchemy.create_engine(url)
    sqlalchemy.event.listen(engine, "connect", tune_sqlite)
    return engine


async def run_floor(url: str, people: int) -> dict[str, float]:
    """The floor's loop on the raw driver (the database already seeded)."""
    if url.startswith("sqlite"):
        figures = outbox_floor.sqlite_floor(url.removeprefix("sqlite:///"), NOW)
    else:
        figures = await outbox_floor.postgres_floor(url, NOW)
    return {**figures, "peak_mb": peak_mb()}


async def run_writes_floor(url: str, people: int, *, move: bool = False) -> dict[str, float]:
    """The floor of the outbox's own reads and writes on the raw driver (already seeded)."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        figures = writes_floor.sqlite_writes_floor(path, NOW, move=move)
    else:
        figures = await writes_floor.postgres_writes_floor(url, NOW, move=move)
    return {**figures, "peak_mb": peak_mb()}


async def run_moved_floor(url: str, people: int) -> dict[str, float]:
    """The same, each check-in's row moved forward to its next slot instead of a new row."""
    return await run_writes_floor(url, people, move=True)


RUNNERS = {
    "outbox": run_outbox,
    "apscheduler": run_apscheduler,
    "floor": run_floor,
    "writes": run_writes_floor,
    "moved": run_moved_floor,
}


def child(kind: str, url: str, people: int) -> None:
    print(json.dumps(asyncio.run(RUNNERS[kind](url, people))))


REPEAT = 2


def measure(
    kind: str, url: Callable[[str], str], name: str, people: int, processes: int = 1
) -> dict[str, float]:
    """The best of :data:`REPEAT` runs, each on a database of its own made by ``url`` (the
    machine may be busy with other work)."""
    runs = [once(kind, url(f"{name}{n}"), people, processes) for n in range(REPEAT)]
    return max(runs, key=lambda figures: figures["per_second"])


def once(kind: str, url: str, people: int, processes: int = 1) -> dict[str, float]:
    """Run ``processes`` children at once on the same database; wall-clock throughput."""
    if kind != "apscheduler":
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
    if kind != "apscheduler":
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


def line(
    name: str,
    figures: dict[str, float],
    floor: dict[str, float] | None = None,
    writes: dict[str, float] | None = None,
) -> str:
    share = f"  {figures['per_second'] / floor['per_second']:4.0%} of the floor" if floor else ""
    if writes:
        share += f", {figures['per_second'] / writes['per_second']:4.0%} of its writes' floor"
    return (
        f"{name:<50} {int(figures['count']):>7}  {figures['seconds']:6.2f} s"
        f"  {figures['per_second']:>8,.0f}/s  peak {figures['peak_mb']:4.0f} MB{share}"
    )


def database(
    name: str, url: Callable[[str], str], people: int, runs: Sequence[int]
) -> dict[str, float]:
    """The floor and the outbox (1..n processes, and on a tenth of the people) on one kind of
    database, printed as they come; the one-process outbox's figures."""
    floor = measure("floor", url, "floor", people)
    print(line(f"floor (raw driver: claim + mark sent), {name}", floor), flush=True)
    writes = measure("writes", url, "writes", people)
    print(line(f"floor of the outbox's reads and writes, {name}", writes, floor), flush=True)
    moved = measure("moved", url, "moved", people)
    print(line("  the same, each row moved forward (not used)", moved, floor), flush=True)
    one: dict[str, float] = {}
    for processes in runs:
        label = f"Bounceback outbox, {name}, {processes} process{'es' if processes > 1 else ''}"
        figures = measure("outbox", url, f"outbox{processes}-", people, processes)
        one = one or figures
        print(line(label, figures, floor, writes), flush=True)
    small = measure("outbox", url, "small", people // 10)
    print(line(f"Bounceback outbox, {name}, 1 process, a tenth", small, floor), flush=True)
    grown = one["peak_mb"] - small["peak_mb"]
    rows = one["count"] - small["count"]
    print(
        f"  memory, {name}: peak {small['peak_mb']:.0f} MB for {int(small['count']):,} rows,"
        f" {one['peak_mb']:.0f} MB for {int(one['count']):,}"
        f" ({max(grown, 0) * 2**20 / rows:,.0f} bytes per row more)"
    )
    return {**one, "floor": floor["per_second"], "writes": writes["per_second"]}


def main() -> None:
    global REPEAT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--alternative-people", type=int, default=5_000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument(
        "--processes", type=int, default=2, help="dispatcher processes side by side (default 2)"
    )
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, help="runs of each, the best kept (default 2)"
    )
    parser.add_argument("--child", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    REPEAT = args.repeat
    if args.child:
        child(args.child, args.url, args.people)
        return

    runs = sorted({1, args.processes})
    print(f"{'':<50} {'rows':>7}  {'time':>8}  {'rate':>10}  memory")
    summary = []
    with tempfile.TemporaryDirectory() as folder:

        def in_folder(name: str) -> str:
            return f"sqlite:///{folder}/{name}.db"

        sqlite = database("SQLite", in_folder, args.people, runs)
        summary.append(("SQLite", sqlite))
        alternative = measure("apscheduler", in_folder, "jobs", args.alternative_people)
        label = "APScheduler 3 SQLAlchemyJobStore, SQLite (WAL)"
        print(line(label, alternative), flush=True)
        if args.postgres:
            names: list[str] = []

            def fresh(_: str) -> str:
                url, name = create_database(args.postgres, "bounceback_bench")
                names.append(name)
                return url

            try:
                summary.append(("PostgreSQL", database("PostgreSQL", fresh, args.people, runs)))
            finally:
                for name in names:
                    drop_database(args.postgres, name)
    for name, figures in summary:
        print(
            f"one outbox process, {name}: {figures['per_second']:,.0f}/s,"
            f" {figures['per_second'] / figures['floor']:.0%} of the floor"
            f" ({figures['floor']:,.0f}/s); {figures['per_second'] / figures['writes']:.0%} of"
            f" its writes' floor ({figures['writes']:,.0f}/s)"
        )
    ratio = sqlite["per_second"] / alternative["per_second"]
    print(
        f"one outbox process on SQLite: {ratio:,.1f}x APScheduler's throughput on the same"
        f" settings (APScheduler: {alternative['per_second'] / sqlite['floor']:.1%} of the floor)"
    )


if __name__ == "__main__":
    main()
