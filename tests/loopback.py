"""The plumbing every fake server shares: an aiohttp app served on 127.0.0.1 at a free port."""

from __future__ import annotations

from typing import Self

from aiohttp import web


class Loopback:
    """One app served on loopback (never reachable from outside), until closed."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None

    async def serve(self, app: web.Application) -> int:
        """Start serving ``app``; returns the port it listens on."""
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runner = runner
        port: int = runner.addresses[0][1]
        return port

    async def close(self) -> None:
        """Stop serving (nothing to do if it never started)."""
        if self._runner is not None:
            await self._runner.cleanup()


class Served:
    """A fake server as ``async with``: listening inside the block, closed after it."""

    async def start(self) -> object:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
