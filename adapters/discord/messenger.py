"""Direct messages over Discord's REST API: for answers moved out of a server, and for
scheduled check-ins (:class:`DiscordMessenger`), which any instance can send without a gateway.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord.api import quiet_library_logs, use_api_base
from adapters.discord.channels import ChannelPosts, publishing
from adapters.discord.config import DiscordConfig
from adapters.discord.dm_channels import DmChannels
from adapters.discord.pace import GlobalPace
from adapters.discord.pending import Pending
from adapters.discord.ports import Clock, DmChannelStore, utc_now
from adapters.discord.practice_threads import PracticeThreads
from adapters.discord.render import Outgoing, render
from adapters.discord.texts import Texts, texts
from adapters.discord.translate import PLATFORM, nonce_for
from adapters.discord.views import build_view
from bot.errors import PermanentDeliveryError
from bot.events import Sender
from bot.practice_ports import Introduction, Meeting
from bot.reach import DMS_CLOSED, Reach
from bot.replies import Attachment, Reply

log = logging.getLogger(__name__)

# "Cannot send messages to this user" (DMs closed, or no shared server) and "Unknown user".
DMS_CLOSED_CODES = frozenset({50007, 10013})
# Long rate limits are handed back to the scheduler (DeliveryError.retry_after) instead of
# holding a delivery for minutes; 30 s is the least discord.py accepts.
MAX_RATELIMIT_WAIT = 30.0


class DmsClosed(Exception):
    """Discord will not deliver direct messages from the bot to this person."""


def upload_files(files: Sequence[Attachment]) -> list[discord.File]:
    """Fresh ``discord.File`` objects for ``files`` (discord.py consumes one per send)."""
    return [discord.File(io.BytesIO(file.content), filename=file.filename) for file in files]


@dataclass(eq=False, slots=True)
class DirectMessages:
    """Sends messages to a person's DM channel over REST, with nonces and persistent buttons.

    The channel is opened once per person and kept (``channels``).
    """

    client: discord.Client
    pending: Pending
    texts: Texts
    channels: DmChannels
    pace: GlobalPace | None = None

    async def channel_id(self, user_id: int, person: Sender | None = None) -> int:
        """The DM channel with ``user_id``, opened once and remembered (for ``person``)."""
        try:
            return await self.channels.channel_id(user_id, person)
        except discord.HTTPException as error:
            if error.code in DMS_CLOSED_CODES:
                raise DmsClosed from error
            raise

    async def send(
        self,
        user_id: int,
        messages: Sequence[Outgoing],
        *,
        key: str,
        community: str,
        person: Sender | None = None,
    ) -> list[discord.Message]:
        """Send ``messages`` in order, files uploaded with theirs; raises :class:`DmsClosed` if
        Discord refuses the person. ``person``: whom a newly opened channel is kept for."""
        channel_id = await self.channel_id(user_id, person)
        channel = self.client.get_partial_messageable(channel_id, type=discord.ChannelType.private)
        sent: list[discord.Message] = []
        for index, message in enumerate(messages):
            view = build_view(message, community, self.pending, self.texts)
            await self.pending.save()  # a long button's meaning is stored before it is sent
            files: dict[str, Any] = {"files": upload_files(message.files)} if message.files else {}
            if self.pace is not None:
                await self.pace.wait()
            try:
                sent.append(
                    await channel.send(
                        content=message.content or None,
                        view=view,  # type: ignore[arg-type]  # None is accepted at runtime
                        nonce=nonce_for(key, index),
                        allowed_mentions=discord.AllowedMentions.none(),
                        suppress_embeds=True,
                        **files,
                    )
                )
            except discord.HTTPException as error:
                if error.code in DMS_CLOSED_CODES:
                    raise DmsClosed from error
                if error.code == 10003:  # Unknown channel: forget it, the next try reopens
                    await self.channels.forget(user_id)
                raise
        return sent


class DiscordMessenger:
    """:class:`bot.delivery_ports.Messenger` for Discord: check-ins and nudges as direct
    messages; and :class:`bot.delivery_ports.Publisher`: the weekly brag thread in a server's
    channel.

    REST only, so it works in any instance, with or without a gateway connection. With
    ``reach`` it records a person whose DMs are closed and stops trying them; with
    ``dm_channels`` each person's DM channel is kept, so a returning person costs one request.
    Requests go at Discord's pace: per route as discord.py reads it from Discord's headers,
    and globally as the client's :class:`~adapters.discord.pace.GlobalPace` keeps it.
    """

    platform = PLATFORM
    # Practice partners meet in private threads of a channel the admins chose.
    needs_channel = True

    def __init__(
        self,
        client: discord.Client,
        *,
        reach: Reach | None = None,
        clock: Clock = utc_now,
        pending: Pending | None = None,
        dm_channels: DmChannelStore | None = None,
        pace: GlobalPace | None = None,
    ) -> None:
        self._reach = reach
        self._clock = clock
        self._texts = texts()
        channels = DmChannels(client, dm_channels, clock=clock, pace=pace)
        self._dms = DirectMessages(client, pending or Pending(), self._texts, channels, pace)
        self._channels = ChannelPosts(client, self._texts)
        self._practice = PracticeThreads(client, self._texts)

    @classmethod
    @asynccontextmanager
    async def connect(
        cls,
        config: DiscordConfig,
        *,
        reach: Reach | None = None,
        clock: Clock = utc_now,
        dm_channels: DmChannelStore | None = None,
    ) -> AsyncIterator[DiscordMessenger]:
        """A messenger with its own REST session (no gateway), closed on exit."""
        if not config.token:
            raise ValueError("DISCORD_TOKEN is not set")
        use_api_base(config.api_url)
        quiet_library_logs()
        pace = GlobalPace(config.requests_per_second)
        client = discord.Client(
            intents=discord.Intents.none(),
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            http_trace=pace.trace(),
        )
        try:
            await client.login(config.token)
            yield cls(client, reach=reach, clock=clock, dm_channels=dm_channels, pace=pace)
        finally:
            await client.close()

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        """Send ``replies`` to ``recipient``'s DMs; returns the last message's id."""
        if recipient.platform != PLATFORM:
            raise ValueError(f"cannot deliver to {recipient.platform!r} people")
        now = self._clock()
        closed = await self._reach.closed(recipient, now) if self._reach is not None else ""
        if closed:
            # The first word is the reason code the dispatcher records.
            raise PermanentDeliveryError(f"{closed} (recorded before)")
        if any(reply.form is not None for reply in replies):
            # A form needs an interaction to open; a check-in has none. Its words still go.
            log.warning("a scheduled reply carried a form; the form was left out")
        messages = render(replies, self._texts)
        if not messages:
            return ""
        community = recipient.community if recipient.community.isdigit() else ""
        async with publishing("message", permanent=False):
            try:
                sent = await self._dms.send(
                    int(recipient.user_id),
                    messages,
                    key=key,
                    community=community,
                    person=recipient,
                )
            except DmsClosed:
                reason = DMS_CLOSED
                if self._reach is not None:
                    reason = await self._reach.refused(recipient, now)
                raise PermanentDeliveryError(f"{reason} (Discord refused the DM)") from None
        return str(sent[-1].id)

    # The brag thread (bot.delivery_ports.Publisher): see adapters.discord.channels.

    async def open_thread(
        self, community: str, channel: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Post the week's opening in ``channel`` and start its thread; the thread's id."""
        return await self._channels.open_thread(community, channel, replies, key)

    async def post(
        self, community: str, channel: str, thread: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Post a shared win (or offer news) into ``thread``; the message's id."""
        return await self._channels.post(community, channel, thread, replies, key)

    async def react(
        self, community: str, channel: str, thread: str, message_id: str, emoji: str
    ) -> None:
        """React to a post with the emoji the engine names ("tada" is 🎉)."""
        await self._channels.react(community, channel, thread, message_id, emoji)

    async def delete(self, community: str, channel: str, thread: str, message_id: str) -> None:
        """Take a post down; one already gone is fine."""
        await self._channels.delete(community, channel, thread, message_id)

    async def introduce(self, meeting: Meeting) -> Introduction:
        """A practice group's private thread (see adapters.discord.practice_threads)."""
        return await self._practice.introduce(meeting)
