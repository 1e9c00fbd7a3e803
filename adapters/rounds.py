"""Work an adapter repeats while it runs: now, then every so often, until cancelled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("bounceback.adapters")


async def regularly(work: Callable[[], Awaitable[object]], every: float, what: str) -> None:
    """Until cancelled: ``work`` now and then every ``every`` seconds. A round that fails (the
    database away, say) is logged as ``what`` with the error's type alone, and the next round
    tries again."""
    while True:
        try:
            await work()
        except Exception as error:
            log.warning("%s failed: %s", what, type(error).__name__)
        await asyncio.sleep(every)
