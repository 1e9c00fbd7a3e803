"""A stand-alone dispatcher process for the multi-instance test: prints each delivery key.

python -m tests.scheduling.worker DATABASE_URL NOW_ISO INSTANCE
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Sequence

from bot.content import Content
from bot.dispatcher import Dispatcher
from bot.events import Sender
from bot.replies import Reply
from storage.database import create_engine
from storage.outbox import SqlOutbox


class PrintingMessenger:
    platform = "console"

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        print(key, flush=True)
        return key


async def main(url: str, now: dt.datetime, instance: str) -> None:
    db = create_engine(url)
    dispatcher = Dispatcher(
        outbox=SqlOutbox(db),
        content=Content.load(),
        messengers={"console": PrintingMessenger()},
        instance=instance,
        batch_size=20,
    )
    try:
        while (await dispatcher.tick(now)).claimed:
            pass
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], dt.datetime.fromisoformat(sys.argv[2]), sys.argv[3]))
