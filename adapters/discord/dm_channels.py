"""Each person's DM channel: opened once (``POST /users/@me/channels``), then remembered in
memory and, with a store, in the database, so a returning person costs one request, the send,
also after a restart or on another instance."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import KW_ONLY, dataclass, field

import discord

from adapters.discord.pace import GlobalPace
from adapters.discord.ports import Clock, DmChannelStore, utc_now
from adapters.discord.translate import PLATFORM
from bot.events import Sender


@dataclass(eq=False, slots=True)
class DmChannels:
    """The DM channel ids of the people written to: the ``cache_size`` most recent in memory,
    every one in ``store`` (when given)."""

    client: discord.Client
    store: DmChannelStore | None = None
    _: KW_ONLY
    clock: Clock = utc_now
    cache_size: int = 10_000
    pace: GlobalPace | None = None
    _known: OrderedDict[int, int] = field(default_factory=OrderedDict, init=False, repr=False)

    async def channel_id(self, user_id: int, person: Sender | None = None) -> int:
        """The DM channel with ``user_id``: remembered, or opened now and kept for ``person``
        (the stored person it belongs to). Raises ``discord.HTTPException`` as Discord refuses."""
        known = self._known.get(user_id)
        if known is not None:
            self._known.move_to_end(user_id)
            return known
        stored = await self.store.dm_channel(PLATFORM, str(user_id)) if self.store else None
        if stored is not None and stored.isdigit():
            return self._remember(user_id, int(stored))
        if self.pace is not None:
            await self.pace.wait()
        data = await self.client.http.start_private_message(user_id)
        channel_id = int(data["id"])
        if self.store is not None and person is not None:
            await self.store.remember_dm_channel(person, str(channel_id), self.clock())
        return self._remember(user_id, channel_id)

    async def forget(self, user_id: int) -> None:
        """Discord no longer knows the channel: the next send opens another."""
        self._known.pop(user_id, None)
        if self.store is not None:
            await self.store.forget_dm_channel(PLATFORM, str(user_id))

    def _remember(self, user_id: int, channel_id: int) -> int:
        self._known[user_id] = channel_id
        while len(self._known) > self.cache_size:
            self._known.popitem(last=False)
        return channel_id
