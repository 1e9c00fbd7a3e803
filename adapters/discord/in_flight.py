"""The Discord adapter's work in progress, so a stopping process finishes it before closing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator


class InFlight:
    """Counts interactions and DMs under way; ``drain`` closes intake and waits for them."""

    def __init__(self) -> None:
        self.open = True
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Count the work done inside."""
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()

    async def drain(self, grace: float) -> None:
        """Take no new work; wait up to ``grace`` seconds for what is under way."""
        self.open = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace)
