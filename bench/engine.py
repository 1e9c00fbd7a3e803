"""Time to handle ``/rejected``, ``/brag`` and ``/progress`` end to end: engine plus SQLite.

    python bench/engine.py [--runs N] [--database-url URL] [--pool-reset]

Each ``/rejected`` run is a full form submission (the person, the rejection and mood stored,
the week's check-ins planned, the first replies written, the reflection question remembered),
either from someone the bot has never met or from a returning member; each ``/brag`` adds a
win; each ``/progress`` reads a returning member's journey (by then some twenty rejections,
moods and wins each) and draws it. Prints the median and p99 in milliseconds, and how
``/rejected`` for a first contact stands against its aim (median 1.5 ms, p99 4 ms; on SQLite).

``--pool-reset`` instead times first contacts on two SQLite engines in one process, 50 at a
time in turn: Bounceback's, and one given SQLAlchemy's own reset of a connection going back to
its pool (a rollback every time, so one more trip to aiosqlite's thread after each commit).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content import Content
from bot.engine import Engine
from bot.events import Command, FormSubmission, Sender
from storage.database import create_engine, upgrade
from storage.sql import SqlStore
from tests.forms import REJECTION

AIM_MEDIAN = 1.5  # ms, /rejected for a first contact
AIM_P99 = 4.0


async def timed(runs: int, action: Callable[[int], Awaitable[object]]) -> list[float]:
    """Milliseconds for each of ``runs`` calls, after a short warm-up."""
    for index in range(20):
        await action(-1 - index)
    samples = []
    for index in range(runs):
        start = time.perf_counter()
        await action(index)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def figures(samples: list[float]) -> tuple[float, float]:
    """(median, p99) of ``samples``."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def summary(name: str, samples: list[float]) -> str:
    median, p99 = figures(samples)
    return f"{name:<22} runs={len(samples):>5}  median={median:6.2f} ms  p99={p99:6.2f} ms"


def verdict(samples: list[float]) -> str:
    median, p99 = figures(samples)
    within = median <= AIM_MEDIAN and p99 <= AIM_P99
    return f"aim for /rejected, first contact: median <= {AIM_MEDIAN} ms, p99 <= {AIM_P99} ms: " + (
        "within" if within else "OVER"
    )


async def main(runs: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database_url = url or f"sqlite:///{folder}/bench.db"
        db = create_engine(database_url)
        await upgrade(db)
        engine = Engine(SqlStore(db), Content.load())
        now = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)

        async def rejected(index: int) -> object:
            sender = Sender("bench", "bench", f"person-{index}", "Bench")
            return await engine.handle(FormSubmission(sender, "rejection", REJECTION), now)

        async def rejected_again(index: int) -> object:
            sender = Sender("bench", "bench", f"person-{index % 100}", "Bench")
            return await engine.handle(FormSubmission(sender, "rejection", REJECTION), now)

        async def brag(index: int) -> object:
            sender = Sender("bench", "bench", f"person-{index % 100}", "Bench")
            return await engine.handle(Command(sender, "brag", f"Shipped release {index}"), now)

        async def progress(index: int) -> object:
            sender = Sender("bench", "bench", f"person-{index % 100}", "Bench")
            return await engine.handle(Command(sender, "progress"), now)

        print(f"database: {db.url.render_as_string(hide_password=True)}")
        first = await timed(runs, rejected)
        print(summary("/rejected, first contact", first))
        print(summary("/rejected, returning", await timed(runs, rejected_again)))
        print(summary("/brag", await timed(runs, brag)))
        print(summary("/progress", await timed(runs, progress)))
        print(verdict(first))
        await db.dispose()


async def pool_reset(runs: int) -> None:
    """First contacts on Bounceback's engine and on one with SQLAlchemy's reset, in turn."""
    with tempfile.TemporaryDirectory() as folder:
        now = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
        engines: dict[str, Engine] = {}
        databases = []
        for name, options in (("Bounceback's", {}), ("rollback on every return", RESET)):
            db = create_engine(f"sqlite:///{folder}/{len(engines)}.db", **options)
            await upgrade(db)
            databases.append(db)
            engines[name] = Engine(SqlStore(db), Content.load())
        samples: dict[str, list[float]] = {name: [] for name in engines}
        count = itertools.count()
        for turn in range(2 + 2 * max(1, runs // 100)):
            order = list(engines) if turn % 2 == 0 else list(reversed(engines))
            for name in order:
                for _ in range(50):
                    sender = Sender("bench", "bench", f"person-{next(count)}", "Bench")
                    start = time.perf_counter()
                    await engines[name].handle(FormSubmission(sender, "rejection", REJECTION), now)
                    if turn >= 2:  # the first two turns warm up
                        samples[name].append((time.perf_counter() - start) * 1000)
        for name, taken in samples.items():
            print(summary(f"/rejected, first contact, pool reset: {name}", taken))
        for db in databases:
            await db.dispose()


# SQLAlchemy's own reset of a pooled connection, for the comparison.
RESET = {"pool_reset_on_return": "rollback"}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument(
        "--pool-reset", action="store_true", help="compare with SQLAlchemy's own pool reset"
    )
    args = parser.parse_args()
    asyncio.run(pool_reset(args.runs) if args.pool_reset else main(args.runs, args.database_url))
