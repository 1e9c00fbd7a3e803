"""Lines typed into the console, read without ever holding the process back.

A read blocked on a terminal sits in a thread that nobody can interrupt. In asyncio's default
executor that thread is joined when the loop closes, so Ctrl-C at a prompt would wait for one
more Enter. Here a daemon thread reads the raw file descriptor (no Python file object, whose
lock would be held at interpreter exit) and hands complete lines to the event loop.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import threading

# One read's worth; lines longer than this arrive in several reads and are joined.
CHUNK = 65536


class FileLines:
    """Lines from file descriptor ``fd`` (standard input by default), in order; None at the end.

    ``fd=None`` is input that was closed before it began (``bounceback console <&-``): its
    number may since belong to a file the process opened, which must never be read as lines.
    """

    def __init__(self, fd: int | None = 0, encoding: str = "utf-8") -> None:
        self._fd = fd
        self._encoding = encoding
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._started = False
        self._ended = fd is None

    async def read_line(self) -> str | None:
        """The next line without its line break, or None once input has ended."""
        if self._ended:
            return None
        if not self._started:
            self._started = True
            loop = asyncio.get_running_loop()
            threading.Thread(
                target=self._pump, args=(loop,), name="console-input", daemon=True
            ).start()
        line = await self._queue.get()
        if line is None:
            self._ended = True
        return line

    def _pump(self, loop: asyncio.AbstractEventLoop) -> None:
        assert self._fd is not None
        decoder = codecs.getincrementaldecoder(self._encoding)(errors="replace")
        pending = ""
        while True:
            try:
                chunk = os.read(self._fd, CHUNK)
            except OSError:
                chunk = b""  # a closed or unreadable input is the end of input
            pending += decoder.decode(chunk, final=not chunk)
            *complete, pending = pending.split("\n")
            if not chunk and pending:
                complete.append(pending)
            for line in complete:
                if not self._hand_over(loop, line.removesuffix("\r")):
                    return
            if not chunk:
                self._hand_over(loop, None)
                return

    def _hand_over(self, loop: asyncio.AbstractEventLoop, line: str | None) -> bool:
        """Queue ``line`` on the loop's thread; False once the loop is gone (the session ended)."""
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._queue.put_nowait, line)
            return True
        return False
