"""Chaos runs: real dispatcher processes killed mid-delivery and restarted.

A platform stand-in (a real HTTP server on loopback) records every delivery a few
milliseconds after it arrives, whatever becomes of the process that sent it. Each run seeds
due weekly check-ins, starts a dispatcher process (``tests.scheduling.chaos_worker``), sends
it a signal once a random share of the deliveries has arrived, restarts it, and waits until
the outbox has recorded every one. Then it counts what was lost and what came twice.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import random
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine
from storage.tables import Base, people, planned_messages
from tests.loopback import Loopback, Served
from tests.scheduling.harness import seed_due

ROOT = Path(__file__).resolve().parents[2]
RUN_LIMIT = 90.0  # seconds: a run that takes longer has hung


class Platform(Served):
    """The loopback platform: ``POST /deliver`` records a key, ``GET /delivered`` finds one."""

    def __init__(self, delay: float = 0.003) -> None:
        self.delay = delay
        self.deliveries: collections.Counter[str] = collections.Counter()
        self._ids: dict[str, str] = {}
        self._changed = asyncio.Condition()
        self._loopback = Loopback()
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/deliver", self._deliver)
        app.router.add_get("/delivered", self._delivered)
        self.url = f"http://127.0.0.1:{await self._loopback.serve(app)}"

    async def close(self) -> None:
        await self._loopback.close()

    def reset(self) -> None:
        self.deliveries.clear()
        self._ids.clear()

    @property
    def total(self) -> int:
        return sum(self.deliveries.values())

    async def reached(self, count: int) -> None:
        """Until ``count`` deliveries have arrived."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.total >= count)

    async def _deliver(self, request: web.Request) -> web.Response:
        key = str((await request.json())["key"])
        # The platform takes a moment; the delivery happens whatever the sender does meanwhile.
        await asyncio.shield(self._record(key))
        return web.json_response({"id": self._ids[key]})

    async def _record(self, key: str) -> None:
        await asyncio.sleep(self.delay)
        self.deliveries[key] += 1
        self._ids.setdefault(key, f"m{len(self._ids) + 1}")
        async with self._changed:
            self._changed.notify_all()

    async def _delivered(self, request: web.Request) -> web.Response:
        found = self._ids.get(request.query.get("key", ""))
        if found is None:
            return web.json_response({}, status=404)
        return web.json_response({"id": found})


@dataclass
class Figures:
    """What the runs of one database and signal added up to."""

    runs: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    worst_run: int = 0  # the most duplicates after one signal
    two_schedules: int = 0  # people with more than one pending weekly check-in
    left_claimed: int = 0  # check-ins still claimed by a process that had exited
    exit_codes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what a process that failed printed


@contextlib.asynccontextmanager
async def worker(
    url: str, platform: Platform, *, recall: bool, lease: float, errors: list[str]
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A running dispatcher process (killed on the way out if still alive)."""
    extra = ["--recall"] if recall else []
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.scheduling.chaos_worker",
        url,
        platform.url,
        "--lease",
        str(lease),
        *extra,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        if (await process.stdout.readline()).strip() != b"ready":
            _, err = await process.communicate()
            raise RuntimeError(f"dispatcher did not start: {err.decode()[-2000:]}")
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        _, err = await process.communicate()
        if process.returncode not in (0, -signal.SIGKILL):
            errors.append(err.decode()[-3000:])


async def empty(db: AsyncEngine) -> None:
    async with db.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


async def all_recorded(db: AsyncEngine, count: int) -> None:
    """Until every seeded check-in is recorded as sent (polled: another process writes)."""
    while True:
        async with db.connect() as connection:
            sent = await connection.scalar(
                select(func.count())
                .select_from(planned_messages)
                .where(planned_messages.c.state == "sent")
            )
        if sent == count:
            return
        await asyncio.sleep(0.05)


async def claimed(db: AsyncEngine) -> int:
    async with db.connect() as connection:
        found = await connection.scalar(
            select(func.count())
            .select_from(planned_messages)
            .where(planned_messages.c.state == "claimed")
        )
    return found or 0


async def two_schedules(db: AsyncEngine) -> int:
    async with db.connect() as connection:
        pending = (
            select(planned_messages.c.person_id)
            .where(planned_messages.c.state == "pending", planned_messages.c.kind == "weekly")
            .group_by(planned_messages.c.person_id)
            .having(func.count() > 1)
            .subquery()
        )
        doubled = await connection.scalar(select(func.count()).select_from(pending))
        everyone = await connection.scalar(select(func.count()).select_from(people))
        planned = await connection.scalar(
            select(func.count(func.distinct(planned_messages.c.person_id))).where(
                planned_messages.c.state == "pending"
            )
        )
    if planned != everyone:
        raise AssertionError(f"{(everyone or 0) - (planned or 0)} people lost their schedule")
    return doubled or 0


async def chaos(
    url: str,
    platform: Platform,
    *,
    sign: signal.Signals,
    runs: int,
    count: int,
    recall: bool = False,
    lease: float = 1.0,
    seed: int = 7,
) -> Figures:
    """``runs`` runs of ``count`` check-ins, each interrupted once by ``sign``."""
    rng = random.Random(seed)
    figures = Figures()
    db = create_engine(url)
    try:
        for _ in range(runs):
            await empty(db)
            platform.reset()
            await seed_due(db, count, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
            async with asyncio.timeout(RUN_LIMIT):
                async with worker(
                    url, platform, recall=recall, lease=lease, errors=figures.errors
                ) as first:
                    await platform.reached(rng.randint(1, count - 1))
                    first.send_signal(sign)
                    figures.exit_codes.append(await first.wait())
                figures.left_claimed += await claimed(db)
                async with worker(
                    url, platform, recall=recall, lease=lease, errors=figures.errors
                ) as second:
                    await all_recorded(db, count)
                    second.send_signal(signal.SIGTERM)
                    figures.exit_codes.append(await second.wait())
            twice = sum(n - 1 for n in platform.deliveries.values())
            figures.runs += 1
            figures.delivered += len(platform.deliveries)
            figures.lost += count - len(platform.deliveries)
            figures.duplicated += twice
            figures.worst_run = max(figures.worst_run, twice)
            figures.two_schedules += await two_schedules(db)
    finally:
        await db.dispose()
    return figures
