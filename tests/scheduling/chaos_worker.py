"""A dispatcher process delivering through a platform over loopback HTTP, for chaos runs.

    python -m tests.scheduling.chaos_worker DATABASE_URL PLATFORM_URL [--recall] [--lease S]

It runs the real check-in clock and the real shutdown path (SIGTERM or SIGINT: finish the
sends in flight, hand the rest back, exit 0) until it is stopped or killed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import Sequence

import aiohttp

from bot.content import Content
from bot.delivery_ports import Messenger
from bot.dispatcher import Dispatcher
from bot.errors import DeliveryError
from bot.events import Sender
from bot.replies import Reply
from bounceback.clock import CheckinClock, instance_name
from bounceback.shutdown import Stopping, serve_until_stopped, stop_on_signals
from storage.database import create_engine
from storage.outbox import SqlOutbox


class HttpMessenger:
    """Hands each check-in to the platform stand-in: one POST per delivery."""

    platform = "console"

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self._session = session
        self._base = base

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        payload = {"key": key, "user": recipient.user_id}
        try:
            async with self._session.post(f"{self._base}/deliver", json=payload) as response:
                response.raise_for_status()
                return str((await response.json())["id"])
        except aiohttp.ClientError as error:
            raise DeliveryError(type(error).__name__) from None


class RecallingHttpMessenger(HttpMessenger):
    """The same, able to find a keyed delivery (as Slack's message metadata allows)."""

    async def delivered(self, recipient: Sender, key: str) -> str | None:
        try:
            async with self._session.get(f"{self._base}/delivered", params={"key": key}) as found:
                if found.status == 404:
                    return None
                found.raise_for_status()
                return str((await found.json())["id"])
        except aiohttp.ClientError as error:
            raise DeliveryError(type(error).__name__) from None


async def main(url: str, platform: str, recall: bool, lease: float) -> int:
    db = create_engine(url)
    try:
        async with aiohttp.ClientSession() as session:
            kind = RecallingHttpMessenger if recall else HttpMessenger
            messenger: Messenger = kind(session, platform)
            outbox = SqlOutbox(db)
            dispatcher = Dispatcher(
                outbox=outbox,
                content=Content.load(),
                messengers={"console": messenger},
                instance=instance_name(),
                lease=dt.timedelta(seconds=lease),
            )
            clock = CheckinClock(dispatcher, interval=0.05, grace=10.0)
            stopping = Stopping()
            with stop_on_signals(stopping.requested):
                print("ready", flush=True)
                try:
                    return await serve_until_stopped([], clock, stopping, 10.0)
                finally:
                    await outbox.close()
    finally:
        await db.dispose()


if __name__ == "__main__":
    options = argparse.ArgumentParser()
    options.add_argument("url")
    options.add_argument("platform")
    options.add_argument("--recall", action="store_true")
    options.add_argument("--lease", type=float, default=2.0)
    args = options.parse_args()
    sys.exit(asyncio.run(main(args.url, args.platform, args.recall, args.lease)))
