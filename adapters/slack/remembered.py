"""What Slack said about a person (``users.info``), remembered per (workspace, person).

Each answer is kept until a moment, the oldest dropped past a size; and one lookup per person
runs at a time, so a command and the button pressed right after it share one call.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

V = TypeVar("V")
Key = tuple[str, str]  # (team id, user id)
Profile = dict[str, object] | None  # users.info's user, None when Slack could not say


class Remembered(Generic[V]):
    """Answers kept per (team, user) until their moment; lookups shared while under way."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[Key, tuple[V, dt.datetime]] = OrderedDict()
        self._asking: dict[Key, asyncio.Future[Profile]] = {}

    def get(self, key: Key, now: dt.datetime) -> tuple[V] | None:
        """The answer kept for ``key`` if still good at ``now`` (in a 1-tuple), else None."""
        kept = self._kept.get(key)
        if kept is None or kept[1] <= now:
            return None
        self._kept.move_to_end(key)
        return (kept[0],)

    def keep(self, key: Key, value: V, until: dt.datetime) -> None:
        """Remember ``value`` for ``key`` until ``until``."""
        self._kept[key] = (value, until)
        self._kept.move_to_end(key)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def ask(
        self, key: Key, look_up: Callable[[], Coroutine[Any, Any, Profile]]
    ) -> asyncio.Future[Profile]:
        """The lookup under way for ``key``, or ``look_up`` started now."""
        asking = self._asking.get(key)
        if asking is None:
            asking = asyncio.ensure_future(look_up())
            self._asking[key] = asking
            asking.add_done_callback(lambda _: self._asking.pop(key, None))
        return asking

    def forget_team(self, team_id: str) -> None:
        """Drop what is remembered about a workspace that removed the app."""
        for key in [key for key in self._kept if key[0] == team_id]:
            del self._kept[key]
