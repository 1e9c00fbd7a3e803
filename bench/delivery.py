"""Check-ins to Discord at Discord's pace: delivery time against the least Discord's limits allow.

    python bench/delivery.py [--people 10000] [--alternative-people 1000]

N people, each with one check-in due in the last two hours (in an order unlike their ids), go
through the real dispatcher (32 senders, SQLite, write-behind) and the real Discord messenger
to a fake Discord in its own process, which enforces Discord's limits: 50 requests a second
globally (a sliding window) and per-route buckets announced in ``X-RateLimit-*`` headers (30
new DM channels a second; 5 messages per channel in 5 seconds), with 429s over them.

Runs, side by side:
  1. cold: no DM channel known, so two requests a person (open the DM, send);
  2. warm, after a restart: a new check-in for each, a new messenger (nothing in memory), the
     channels kept in the database, so one request a person;
  3. the alternative: discord.py's own limiter alone (no global pace), cold.
For each: the time, the minimum the limits allow (requests / 50 per s, and each bucket's
bound), the ratio (aim: at most 1.15), 429s and those after a bucket's first (aim: none),
check-ins lost (not delivered and recorded in the run; the alternative's wait for the
dispatcher's retry) or sent twice, and whether the oldest due went first (see
``Result.in_order``). Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import random
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # discord.py imports audioop
    import discord  # noqa: F401

from sqlalchemy import bindparam, func, select, update  # noqa: E402

from adapters.discord.config import DiscordConfig  # noqa: E402
from adapters.discord.messenger import DiscordMessenger  # noqa: E402
from adapters.discord.pace import GLOBAL_PER_SECOND  # noqa: E402
from bot.content import Content  # noqa: E402
from bot.dispatcher import Dispatcher  # noqa: E402
from bot.reach import Reach  # noqa: E402
from storage.database import create_engine, upgrade  # noqa: E402
from storage.outbox import SqlOutbox  # noqa: E402
from storage.sql import SqlStore  # noqa: E402
from storage.tables import people, planned_messages  # noqa: E402
from tests.discord.fake_discord import USER_ID, FakeDiscord  # noqa: E402
from tests.discord.fake_limits import CHANNEL_MESSAGES, DM_OPEN, RateLimits  # noqa: E402
from tests.scheduling.harness import seed_due  # noqa: E402

NOW = dt.datetime(2026, 7, 14, 12, 0, tzinfo=dt.UTC)
AIM = 1.15
TOKEN = "bench-token-not-secret"


def fake_discord_process(pipe: Connection) -> None:
    """Serve the fake Discord, with its limits, in its own process; answer the bench's asks."""

    async def run() -> None:
        fake = FakeDiscord(limits=RateLimits())
        pipe.send(await fake.start())
        loop = asyncio.get_running_loop()
        while (ask := await loop.run_in_executor(None, pipe.recv)) != "stop":
            pipe.send(summary(fake) if ask == "summary" else None)
            if ask == "summary":
                fake.calls.clear()
                fake.messages.clear()
                fake.limits = RateLimits()  # a new run starts with fresh buckets
        await fake.close()

    asyncio.run(run())


def summary(fake: FakeDiscord) -> dict[str, Any]:
    """What the fake saw since the last summary: requests, 429s, and whom each message went to,
    in the order Discord created them."""
    assert fake.limits is not None
    recipients = {channel: user for user, channel in fake._dm_channels.items()}
    created = sorted(
        (m for messages in fake.messages.values() for m in messages), key=lambda m: int(m["id"])
    )
    return {
        "requests": len(fake.calls),
        "opens": sum(not c.refused for c in fake.find("POST", "/users/@me/channels")),
        "refused": len(fake.limits.refused),
        "refused_by": dict(Counter(fake.limits.refused).most_common(3)),
        "after_first": fake.limits.after_first(),
        "users": [str(recipients[int(m["channel_id"])]) for m in created],
    }


@dataclass
class Result:
    name: str
    seconds: float
    minimum: float
    bounds: str
    requests: int
    refused: int
    refused_by: dict[str, int]
    after_first: int
    lost: int
    twice: int
    overtaking: int
    in_flight: int

    @property
    def in_order(self) -> bool:
        """No message overtook more than could be under way beside it: the senders' messages
        in flight, and a second's worth of requests (while discord.py waits out the reset of
        a bucket, up to a second for DM opens, the one it holds waits and others pass)."""
        return self.overtaking <= self.in_flight + GLOBAL_PER_SECOND

    def line(self) -> str:
        order = "yes" if self.in_order else "NO"
        return (
            f"{self.name:<36} {self.requests:>8} {self.seconds:>8.1f} {self.minimum:>8.1f} "
            f"{self.seconds / self.minimum:>6.3f} {self.refused:>6} {self.after_first:>7} "
            f"{self.lost:>5} {self.twice:>6}  {order} (max overtaking {self.overtaking})"
        )


HEADER = (
    f"{'run':<36} {'requests':>8} {'time s':>8} {'min s':>8} {'ratio':>6} {'429s':>6} "
    f"{'>first':>7} {'lost':>5} {'twice':>6}  oldest first"
)


def minimum(opens: int, posts: int, per_second: int = 50) -> tuple[float, str]:
    """The least time Discord's limits allow for ``opens`` DM opens and ``posts`` messages (one
    per channel), and how each limit bounds it."""
    bounds = {
        f"{opens + posts} requests / {per_second} per s": (opens + posts) / per_second,
        f"{opens} DM opens / {DM_OPEN.limit} per {DM_OPEN.per:g} s": opens
        * DM_OPEN.per
        / DM_OPEN.limit,
        # One message per channel: each channel's bucket (5 per 5 s) never fills.
        f"1 message per channel, {CHANNEL_MESSAGES.limit} per {CHANNEL_MESSAGES.per:g} s": 0.0,
    }
    text = "; ".join(f"{name} = {seconds:.1f} s" for name, seconds in bounds.items())
    return max(bounds.values()), text


async def seed(url: str, count: int) -> dict[str, dt.datetime]:
    """``count`` Discord people with one check-in each, due in the two hours before NOW."""
    db = create_engine(url)
    await upgrade(db)
    users = [str(USER_ID + n) for n in range(count)]
    dues = due_moments(count, NOW, seed=1)
    await seed_due(db, count, NOW, platform="discord", user_ids=users, dues=dues)
    await db.dispose()
    return dict(zip(users, dues, strict=True))


def due_moments(count: int, now: dt.datetime, seed: int) -> list[dt.datetime]:
    """Distinct moments in the two hours before ``now``, shuffled."""
    step = 7200 / max(count, 1)
    moments = [now - dt.timedelta(seconds=step * (n + 1)) for n in range(count)]
    random.Random(seed).shuffle(moments)
    return moments


async def plan_again(url: str, now: dt.datetime) -> dict[str, dt.datetime]:
    """Each person's next check-in (planned when the last went out) moved to a moment in the
    two hours before ``now``."""
    db = create_engine(url)
    async with db.begin() as connection:
        rows = (
            await connection.execute(
                select(planned_messages.c.id, people.c.user_id)
                .join(people, people.c.id == planned_messages.c.person_id)
                .where(planned_messages.c.state == "pending")
            )
        ).all()
        dues = due_moments(len(rows), now, seed=2)
        await connection.execute(
            update(planned_messages)
            .where(planned_messages.c.id == bindparam("row"))
            .values(due_at=bindparam("due"), planned_local=bindparam("local")),
            [{"row": row.id, "due": due, "local": due.replace(tzinfo=None)}
             for row, due in zip(rows, dues, strict=True)],
        )  # fmt: skip
    await db.dispose()
    return {row.user_id: due for row, due in zip(rows, dues, strict=True)}


async def deliver(
    url: str, api_url: str, now: dt.datetime, per_second: int
) -> tuple[float, int, int]:
    """One tick of the real dispatcher through a new Discord messenger; the seconds it took,
    how many were recorded sent, and the senders' bound on messages in flight."""
    db = create_engine(url)
    store = SqlStore(db)
    outbox = SqlOutbox(db)
    config = DiscordConfig(token=TOKEN, api_url=api_url, requests_per_second=per_second)
    async with DiscordMessenger.connect(config, reach=Reach(store), dm_channels=store) as sender:
        dispatcher = Dispatcher(outbox, Content.load(), {"discord": sender}, "bench")
        started = time.perf_counter()
        await dispatcher.tick(now)
        seconds = time.perf_counter() - started
    async with db.connect() as connection:
        sent = await connection.scalar(
            select(func.count()).where(
                planned_messages.c.state == "sent", planned_messages.c.due_at <= now
            )
        )
    await outbox.close()
    await db.dispose()
    return seconds, int(sent or 0), dispatcher.in_flight


def overtaking(users: list[str], dues: dict[str, dt.datetime]) -> int:
    """The most places any message went ahead of (or behind) its place in due order."""
    rank = {user: n for n, user in enumerate(sorted(dues, key=dues.__getitem__))}
    return max((abs(n - rank[user]) for n, user in enumerate(users) if user in rank), default=0)


def run(name: str, pipe: Connection, url: str, api_url: str, now: dt.datetime,
        dues: dict[str, dt.datetime], per_second: int, recorded_before: int) -> Result:  # fmt: skip
    seconds, sent, in_flight = asyncio.run(deliver(url, api_url, now, per_second))
    pipe.send("summary")
    seen = pipe.recv()
    users = seen["users"]
    least, bounds = minimum(seen["opens"], len(dues))
    return Result(
        name=name,
        seconds=seconds,
        minimum=least,
        bounds=bounds,
        requests=seen["requests"],
        refused=seen["refused"],
        refused_by=seen["refused_by"],
        after_first=seen["after_first"],
        # Not messaged, or messaged and not recorded as sent.
        lost=len(dues) - min(len(set(users) & set(dues)), sent - recorded_before),
        twice=len(users) - len(set(users)),
        overtaking=overtaking(users, dues),
        in_flight=in_flight,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--alternative-people", type=int, default=1_000)
    args = parser.parse_args()

    pipe, child_end = multiprocessing.Pipe()
    fake = multiprocessing.Process(target=fake_discord_process, args=(child_end,), daemon=True)
    fake.start()
    api_url = pipe.recv()
    results: list[Result] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/delivery.db"
            dues = asyncio.run(seed(url, args.people))
            pipe.send("summary")  # the fake starts counting now
            pipe.recv()
            print(HEADER, flush=True)
            results.append(run("cold: open each DM, then send", pipe, url, api_url, NOW, dues,
                               50, 0))  # fmt: skip
            print(results[-1].line(), flush=True)
            later = NOW + dt.timedelta(days=1)
            again = asyncio.run(plan_again(url, later))
            results.append(run("warm, after a restart: send only", pipe, url, api_url, later,
                               again, 50, args.people))  # fmt: skip
            print(results[-1].line(), flush=True)
        if args.alternative_people:
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{folder}/alternative.db"
                dues = asyncio.run(seed(url, args.alternative_people))
                pipe.send("summary")
                pipe.recv()
                name = "alternative: discord.py alone, cold"
                results.append(run(name, pipe, url, api_url, NOW, dues, 1_000_000, 0))
                print(results[-1].line(), flush=True)
    finally:
        pipe.send("stop")
        fake.join(timeout=10)
    print()
    for result in results:
        print(f"{result.name}: minimum = max({result.bounds})")
        if result.refused:
            print(f"    429s from: {result.refused_by}")
    ours = results[:2]
    held = all(
        r.seconds / r.minimum <= AIM and not r.after_first and not r.lost and r.in_order
        for r in ours
    )
    print(f"aim (ratio <= {AIM}, no 429 after a bucket's first, nothing lost, oldest first): "
          f"{'met' if held else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
