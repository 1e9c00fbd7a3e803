"""Answering one Discord interaction: the response, the deferred original, then follow-ups.

Also what an interaction says about where it happened: the server's permissions, the
person's locale, the channel a command was typed in.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from adapters.discord.messenger import upload_files
from adapters.discord.render import Card, Outgoing

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]


def manages_server(interaction: Interaction) -> bool:
    """Whether the person may change the server's settings: Discord's Manage Server permission
    (or Administrator), from the permissions Discord sends with every guild interaction.
    Never in a DM, where no server's permissions apply."""
    if interaction.guild_id is None:
        return False
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


def locale_of(interaction: Interaction) -> str:
    """The person's Discord language and region ("en-US", "pt-BR"), given with a command so
    the engine can guess their time zone (Discord never says it)."""
    value = interaction.locale.value
    return value if isinstance(value, str) else ""


def command_channel(interaction: Interaction) -> str:
    """The channel a command was typed in, as the engine names it ("" outside a server).

    In a thread it is the thread's parent: a thread cannot hold threads of its own, and the
    parent is the channel the person sees the thread in.
    """
    if interaction.guild_id is None or interaction.channel_id is None:
        return ""
    channel = interaction.channel
    if isinstance(channel, discord.Thread) and channel.parent_id:
        return str(channel.parent_id)
    return str(interaction.channel_id)


def embed(card: Card) -> discord.Embed:
    """The home's card as a Discord embed, its picture taken from the message's files."""
    shown = discord.Embed(title=card.title, description=card.description or None)
    for name, value in card.fields:
        shown.add_field(name=name, value=value, inline=False)
    if card.image:
        shown.set_image(url=f"attachment://{card.image}")
    if card.footer:
        shown.set_footer(text=card.footer)
    return shown


def _files(keyword: str, files: list[discord.File]) -> dict[str, Any]:
    # Only when there are files: an empty list would still change the request Discord gets.
    return {keyword: files} if files else {}


class Responder:
    """Answers one interaction: first the response, then the deferred original, then follow-ups."""

    def __init__(
        self,
        interaction: Interaction,
        views: Callable[[Outgoing, str], discord.ui.View | None],
        save: Callable[[], Awaitable[None]],
    ) -> None:
        self.interaction = interaction
        # Stores what the views' long buttons and modals mean, before they are sent.
        self._save = save
        self.ephemeral = interaction.guild_id is not None
        self._views = views
        self._deferred = False
        self._original_filled = False

    @property
    def in_dm(self) -> bool:
        """Whether the interaction happened in the person's own DM with the bot."""
        return self.interaction.guild_id is None and self.interaction.context.dm_channel

    @property
    def private(self) -> bool:
        """Whether what is sent now is seen by the person only (ephemeral, or in their DM)."""
        return self.ephemeral or self.in_dm

    def can_open_modal(self) -> bool:
        """Whether a modal can still be the answer (nothing sent yet, a command or button)."""
        kinds = (discord.InteractionType.application_command, discord.InteractionType.component)
        return not self.interaction.response.is_done() and self.interaction.type in kinds

    async def defer(self) -> None:
        """Say "thinking" (privately in a server) so the answer may take longer."""
        if not self.interaction.response.is_done():
            await self.interaction.response.defer(ephemeral=self.ephemeral, thinking=True)
            self._deferred = True

    async def modal(self, modal: discord.ui.Modal) -> None:
        """Answer with ``modal``."""
        await self._save()
        await self.interaction.response.send_modal(modal)

    async def send(self, messages: Sequence[Outgoing], community: str) -> None:
        """Send ``messages`` as the answer, in order."""
        for message in messages:
            view = self._views(message, community)
            await self._save()
            extra: dict[str, Any] = {} if view is None else {"view": view}
            files = upload_files(message.files)
            if files and not self.private:
                # A file holds someone's data: never where others see it, whatever asked.
                log.warning("left a file out of a message others could see")
                files = []
            content = message.content or None
            mentions = discord.AllowedMentions.none()
            if message.card is not None:
                extra["embed"] = embed(message.card)
            # Links in the words show no preview; the home's own card is the one embed.
            quiet = message.card is None
            if not self.interaction.response.is_done():
                await self.interaction.response.send_message(
                    content, ephemeral=self.ephemeral, suppress_embeds=quiet,
                    allowed_mentions=mentions, **extra, **_files("files", files),
                )  # fmt: skip
            elif self._deferred and not self._original_filled:
                self._original_filled = True
                await self.interaction.edit_original_response(
                    content=content, allowed_mentions=mentions, **extra,
                    **_files("attachments", files),
                )  # fmt: skip
            else:
                await self.interaction.followup.send(
                    content or discord.utils.MISSING, ephemeral=self.ephemeral,
                    suppress_embeds=quiet, allowed_mentions=mentions, wait=True, **extra,
                    **_files("files", files),
                )  # fmt: skip
