"""Long loops over a batch, cut into slices with a turn for the event loop between them.

A claimed batch holds thousands of rows. Turning them all into messages, people and decisions
in one go holds the event loop for tens of milliseconds, and meanwhile nothing else moves: the
records and last looks the sends wait for have answered but are not read, and the database
sits idle. In slices of a few hundred, everything else gets a turn every millisecond or so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Rows per slice: about a millisecond of work for the conversions this serves.
SLICE = 256


async def mapped(convert: Callable[[T], R], items: Sequence[T], size: int = SLICE) -> list[R]:
    """``[convert(item) for item in items]``, giving the event loop a turn between slices."""
    done: list[R] = []
    for start in range(0, len(items), size):
        if start:
            await asyncio.sleep(0)
        done += map(convert, items[start : start + size])
    return done
