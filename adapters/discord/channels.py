"""Posting in a server's channels over REST: the weekly brag thread
(:class:`bot.delivery_ports.Publisher`).

Only the bot's own words and what a person agreed to share come here. Everything is rendered
with the adapter's escaping and sent with ``allowed_mentions`` none, so a shared win that says
``@everyone`` or ``<@id>`` pings nobody, and with embeds suppressed, so a link in it shows no
preview. Buttons and files never go into a channel: they belong to one person.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Final, Literal, TypeVar

import aiohttp
import discord

from adapters.discord.render import Outgoing, escape, one_message, render, trim
from adapters.discord.texts import Texts
from adapters.discord.translate import nonce_for
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.replies import Reply

log = logging.getLogger(__name__)

T = TypeVar("T")

THREAD_NAME_LIMIT = 100
# A week: the thread stays open while it is this week's, then Discord archives it when idle.
THREAD_ARCHIVE_MINUTES: Final[Literal[10080]] = 10080
# What the bot needs in the brag channel (docs/discord.md explains each; its invite URL has the
# value): see it, post the opening, start the thread, post and reopen in it, react.
BRAG_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    create_public_threads=True,
    send_messages_in_threads=True,
    add_reactions=True,
    read_message_history=True,
)
# The engine names emoji; Discord wants the character itself.
EMOJI = {"tada": "🎉"}

UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
THREAD_ARCHIVED = 50083  # "Thread is archived": unarchive, then try again
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
# Refusals that no retry will change: the reason code the dispatcher records.
PERMANENT_CODES = {
    UNKNOWN_CHANNEL: "unknown_channel",
    10004: "unknown_guild",
    50001: "missing_access",
    50013: "missing_permissions",
    50024: "wrong_channel_type",  # e.g. a voice or forum channel
}


def snowflake(value: str) -> int:
    """A channel or message id as Discord's integer; a malformed one is permanent."""
    if not value.isdigit():
        raise PermanentDeliveryError("unknown_channel (not a Discord id)")
    return int(value)


def thread_name(replies: Sequence[Reply], texts: Texts) -> str:
    """The thread's name: the opening's heading on one line, within Discord's 100 characters.

    Channel names show no markdown and no mentions, so the words go unescaped.
    """
    heading = next((" ".join(r.heading.split()) for r in replies if r.heading.strip()), "")
    return trim(heading or texts.thread_name, THREAD_NAME_LIMIT, texts.ellipsis)


def public_messages(replies: Sequence[Reply], texts: Texts) -> list[Outgoing]:
    """Replies as channel messages: words only (no buttons, never files)."""
    messages = render(replies, texts)
    if any(message.files for message in messages):
        log.warning("left a file out of a channel post")
    return [Outgoing(message.content) for message in messages if message.content]


@asynccontextmanager
async def publishing(what: str = "request", *, permanent: bool = True) -> AsyncIterator[None]:
    """Discord's failures as the dispatcher's: permanent refusals of a channel post (with
    ``permanent``), and the rest worth a retry."""
    try:
        yield
    except discord.RateLimited as error:  # longer than discord.py's limiter waits
        raise DeliveryError("rate limited by Discord", retry_after=error.retry_after) from None
    except discord.HTTPException as error:
        reason = PERMANENT_CODES.get(error.code) or ("forbidden" if error.status == 403 else "")
        if reason and permanent:
            log.warning(
                "Discord refused a channel post (HTTP %s, code %s)", error.status, error.code
            )
            raise PermanentDeliveryError(f"{reason} (Discord code {error.code})") from None
        raise DeliveryError(
            f"Discord refused the {what} (HTTP {error.status}, code {error.code})",
            retry_after=retry_after(error),
        ) from None
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        raise DeliveryError(f"could not reach Discord ({type(error).__name__})") from None


class ChannelPosts:
    """Opens threads, posts, reacts and deletes in a server's channels, over REST only."""

    def __init__(self, client: discord.Client, texts: Texts) -> None:
        self._client = client
        self._texts = texts

    async def open_thread(
        self, community: str, channel: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Post the opening in ``channel`` and start a public thread from it; the thread's id."""
        messages = public_messages(replies, self._texts)
        first, rest = (messages[0], messages[1:]) if messages else (Outgoing(), [])
        if not first.content:
            first = Outgoing(escape(thread_name(replies, self._texts)))
        channel_id = snowflake(channel)
        async with publishing():
            opening = await self._send(community, channel_id, first.content, key, 0)
            try:
                data = await self._client.http.start_thread_with_message(
                    channel_id,
                    opening.id,
                    name=thread_name(replies, self._texts),
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                )
                thread = int(data["id"])
            except discord.HTTPException as error:
                if error.code != THREAD_EXISTS:
                    raise
                # A retry: the nonce gave back the opening already posted, and a thread started
                # from a message has that message's id.
                thread = opening.id
            for index, message in enumerate(rest, start=1):
                await self._send(community, thread, message.content, key, index)
        return str(thread)

    async def post(
        self, community: str, channel: str, thread: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Post ``replies`` into ``thread`` as one message (so taking it down removes it all)."""
        content = one_message(public_messages(replies, self._texts), self._texts)
        if not content:
            return ""
        thread_id = snowflake(thread)
        async with publishing():
            sent = await self._unarchived(
                thread_id, lambda: self._send(community, thread_id, content, key, 0)
            )
        return str(sent.id)

    async def react(
        self, community: str, channel: str, thread: str, message_id: str, emoji: str
    ) -> None:
        """Add the reaction named ``emoji`` to a posted message."""
        character = EMOJI.get(emoji)
        if character is None or not message_id:
            log.info("no Discord emoji for %r; no reaction added", emoji)
            return
        thread_id, target = snowflake(thread), snowflake(message_id)
        async with publishing():
            await self._unarchived(
                thread_id, lambda: self._client.http.add_reaction(thread_id, target, character)
            )

    async def delete(self, community: str, channel: str, thread: str, message_id: str) -> None:
        """Take a posted message down; one already gone is fine."""
        if not message_id:
            return
        thread_id, target = snowflake(thread), snowflake(message_id)
        async with publishing():
            try:
                await self._unarchived(
                    thread_id, lambda: self._client.http.delete_message(thread_id, target)
                )
            except discord.NotFound as error:
                # The message, or the whole thread with it, was already deleted.
                if error.code not in (UNKNOWN_MESSAGE, UNKNOWN_CHANNEL):
                    raise

    async def _send(
        self, community: str, channel_id: int, content: str, key: str, index: int
    ) -> discord.Message:
        return await send_words(self._client, community, channel_id, content, key, index)

    async def _unarchived(self, thread_id: int, action: Callable[[], Awaitable[T]]) -> T:
        """Run ``action``; if Discord says the thread is archived, unarchive it and run it again.

        Last week's thread is archived once idle, and Discord refuses reactions and deletions
        there until it is open again (which needs only Send Messages in Threads).
        """
        try:
            return await action()
        except discord.HTTPException as error:
            if error.code != THREAD_ARCHIVED:
                raise
        await self._client.http.edit_channel(thread_id, archived=False)
        return await action()


async def send_words(
    client: discord.Client, community: str, channel_id: int, content: str, key: str, index: int
) -> discord.Message:
    """Send words to a server channel or thread: keyed by a nonce, pinging nobody, no link
    previews."""
    guild_id = int(community) if community.isdigit() else None
    channel = client.get_partial_messageable(channel_id, guild_id=guild_id)
    return await channel.send(
        content=content,
        nonce=nonce_for(key, index),
        allowed_mentions=discord.AllowedMentions.none(),
        suppress_embeds=True,
    )


def retry_after(error: discord.HTTPException) -> float | None:
    """The wait Discord asked for (``Retry-After``), if any."""
    header = error.response.headers.get("Retry-After") if error.response is not None else None
    try:
        return float(header) if header else None
    except ValueError:
        return None
