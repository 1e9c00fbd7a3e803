"""Practice partners on Discord: each group meets in a private thread of the channel the
admins chose (a bot cannot open a group DM on Discord), seen only by its members, the bot,
and whoever may manage threads there.

Everyone is looked up in the server first (``GET /guilds/{id}/members/{id}``, which needs no
privileged intent): someone who left is left out and the thread opens for the rest, or not
at all with fewer than two.
"""

from __future__ import annotations

import logging
from typing import Final, Literal

import discord

from adapters.discord.channels import (
    BRAG_PERMISSIONS,
    THREAD_ARCHIVE_MINUTES,
    public_messages,
    publishing,
    send_words,
    snowflake,
    thread_name,
)
from adapters.discord.texts import Texts
from bot.practice_ports import Introduction, Meeting

log = logging.getLogger(__name__)

PRIVATE_THREAD: Final[Literal[12]] = 12
# "Unknown Member" and "Unknown User": the person is no longer in the server (or anywhere).
GONE_CODES = frozenset({10007, 10013})
# What the bot needs in the practice channel besides seeing it and sending there (docs/discord.md).
PRACTICE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    create_private_threads=True,
    send_messages_in_threads=True,
)
# What the invite URL asks for: the brag thread's permissions and practice partners'.
INVITE_PERMISSIONS = discord.Permissions(BRAG_PERMISSIONS.value | PRACTICE_PERMISSIONS.value)


class PracticeThreads:
    """Opens a private thread per practice group and posts its introduction, over REST."""

    def __init__(self, client: discord.Client, texts: Texts) -> None:
        self._client = client
        self._texts = texts

    async def introduce(self, meeting: Meeting) -> Introduction:
        """A private thread in the practice channel with the people added and the
        introduction posted."""
        community, people, replies = meeting.community, meeting.people, meeting.replies
        channel_id, guild_id = snowflake(meeting.channel), snowflake(community)
        async with publishing():
            gone = [user for user in people if not await self._in_server(guild_id, user)]
            present = [user for user in people if user not in gone]
            if len(present) < 2:
                return Introduction("", tuple(gone))
            data = await self._client.http.start_thread_without_message(
                channel_id,
                name=thread_name(replies, self._texts),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                type=PRIVATE_THREAD,
                invitable=False,  # only the bot brings people in: nobody else is added
            )
            thread = int(data["id"])
            for user in present:
                try:
                    await self._client.http.add_user_to_thread(thread, snowflake(user))
                except discord.HTTPException as error:
                    if error.code not in GONE_CODES:
                        raise
                    gone.append(user)  # left the server just now
            for index, message in enumerate(public_messages(replies, self._texts)):
                await send_words(
                    self._client, community, thread, message.content, meeting.key, index
                )
        return Introduction(str(thread), tuple(gone))

    async def _in_server(self, guild_id: int, user: str) -> bool:
        try:
            await self._client.http.get_member(guild_id, snowflake(user))
        except discord.HTTPException as error:
            if error.code in GONE_CODES:
                return False
            raise
        return True
