"""Delivery under chaos: real dispatcher processes killed mid-delivery and restarted.

    python bench/chaos.py [--count N] [--runs R] [--postgres URL]

Seeds N due weekly check-ins, delivers them through a real loopback HTTP server standing in
for the platform API (it records each delivery a few milliseconds after it arrives, whatever
becomes of the sender), interrupts the dispatcher process once a random share has arrived,
restarts it, and waits until the outbox has recorded every one; R runs for each database and
signal (SIGKILL; SIGKILL with the delivery look-up that Slack's message metadata allows;
SIGTERM). One line per database and signal: runs, delivered, lost, duplicated, the most
duplicates after one signal, people with two schedules, claims left behind by a process that
had exited. Aim: lost 0, two schedules 0; duplicates at most the in-flight bound after SIGKILL
and 0 after SIGTERM or with the look-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.dispatcher import Dispatcher  # noqa: E402
from tests.conftest import prepare  # noqa: E402
from tests.databases import create_database, drop_database  # noqa: E402
from tests.scheduling.chaos import Platform, chaos  # noqa: E402

MODES = (
    ("SIGKILL", signal.SIGKILL, False),
    ("SIGKILL + look-up", signal.SIGKILL, True),
    ("SIGTERM", signal.SIGTERM, False),
)


async def run(databases: list[tuple[str, str]], count: int, runs: int) -> None:
    platform = Platform()
    await platform.start()
    bound = 2 * Dispatcher.concurrency
    print(f"{count} check-ins a run, {runs} runs each; in-flight bound {bound}", flush=True)
    header = (
        f"{'database':<11} {'signal':<18} {'runs':>4} {'delivered':>9} {'lost':>5} "
        f"{'duplicated':>10} {'worst run':>9} {'two schedules':>13} {'left claimed':>12}"
    )
    print(header, flush=True)
    try:
        for name, url in databases:
            await prepare(url)
            for label, sign, recall in MODES:
                figures = await chaos(
                    url, platform, sign=sign, runs=runs, count=count, recall=recall
                )
                print(
                    f"{name:<11} {label:<18} {figures.runs:>4} {figures.delivered:>9} "
                    f"{figures.lost:>5} {figures.duplicated:>10} {figures.worst_run:>9} "
                    f"{figures.two_schedules:>13} {figures.left_claimed:>12}",
                    flush=True,
                )
                for error in figures.errors:
                    print(f"  a dispatcher failed: {error[-500:]}", flush=True)
    finally:
        await platform.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        databases = [("SQLite", f"sqlite:///{folder}/chaos.db")]
        fresh = create_database(args.postgres, "bounceback_chaos") if args.postgres else None
        if fresh is not None:
            databases.append(("PostgreSQL", fresh[0]))
        try:
            asyncio.run(run(databases, args.count, args.runs))
        finally:
            if fresh is not None:
                drop_database(args.postgres, fresh[1])


if __name__ == "__main__":
    main()
