"""Carrying the engine's replies to one interaction where :mod:`adapters.placement` puts them.

In a server, answers are ephemeral (only the person sees them), or in the channel when the
engine meant them for everyone. Answers with something to act on or copy later go to the
person's DMs, with a short pointer in the server; so do files, from wherever they were asked
for. When the person's DMs are closed (:mod:`bot.reach` keeps the record), the answer is shown
ephemerally after all, with how to open DMs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace

import discord

from adapters.chart import pictured
from adapters.discord.home_card import home_messages
from adapters.discord.messenger import DirectMessages, DmsClosed
from adapters.discord.pending import FormSession, Pending
from adapters.discord.render import Control, Outgoing, escape, known_values, plan_modal, render
from adapters.discord.responder import Interaction, Responder
from adapters.discord.texts import Texts
from adapters.discord.translate import (
    DM_COMMUNITY,
    DMS_CHECK_ID,
    FORM_MEMORY_PREFIX,
    FORM_PREFIX,
    PENDING_PREFIX,
    FormState,
    form_id_for,
)
from adapters.discord.views import build_modal, build_view
from adapters.placement import DISCORD, FormAs, Place, Spoken, place
from bot.events import Sender
from bot.reach import Reach
from bot.replies import Reply

log = logging.getLogger(__name__)


class Answers:
    """Turns replies into a modal, messages in place, or DMs with a pointer."""

    def __init__(
        self, *, pending: Pending, dms: DirectMessages, reach: Reach, texts: Texts
    ) -> None:
        self._pending = pending
        self._dms = dms
        self._reach = reach
        self._texts = texts

    def responder(self, interaction: Interaction) -> Responder:
        """What answers ``interaction``, with this adapter's persistent buttons."""
        return Responder(
            interaction,
            lambda message, community: build_view(message, community, self._pending, self._texts),
            self._pending.save,
        )

    async def say(self, interaction: Interaction, text: str) -> None:
        """Answer with the adapter's own words."""
        await self.responder(interaction).send([Outgoing(escape(text))], "")

    async def answer(
        self,
        responder: Responder,
        who: Sender,
        replies: list[Reply],
        presets: Mapping[str, str],
        now: dt.datetime,
    ) -> None:
        """Send the engine's ``replies`` to ``who`` where they belong."""
        replies = pictured(replies, homes=True)
        interaction = responder.interaction
        in_guild = interaction.guild_id is not None
        marker = "" if in_guild or who.community == DM_COMMUNITY else who.community
        spoken = Spoken(
            in_dm=responder.in_dm,
            in_place=True,
            modal_ready=responder.can_open_modal(),
            public_ok=not interaction.response.is_done(),
        )
        placed = place(replies, spoken, DISCORD)
        form = placed[0].reply.form if placed and placed[0].form is FormAs.MODAL else None
        if form is not None:
            session = FormSession(form, known_values(form, presets), marker)
            await responder.modal(self.modal(session))
            return
        if any(one.form is FormAs.BUTTON for one in placed):
            # No modal possible here (a modal cannot answer a modal, nor follow a deferral):
            # the form waits behind a button, under the replies' words.
            await responder.send(self.with_forms(replies, marker, presets), marker)
            return
        where = placed[0].words if placed else Place.EPHEMERAL
        if where is Place.CHANNEL:
            responder.ephemeral = False  # the engine meant it for the channel
        messages = home_messages(replies) or render(replies, self._texts)
        if not messages:
            await responder.send([Outgoing(escape(self._texts.done))], marker)
        elif where is Place.DM and not responder.in_dm:
            await self._to_dms(responder, who, messages, now)
        else:
            await responder.send(messages, marker)

    async def _to_dms(
        self, responder: Responder, who: Sender, messages: list[Outgoing], now: dt.datetime
    ) -> None:
        interaction = responder.interaction
        await responder.defer()  # a store call and a DM or two: more than a moment
        if await self._reach.closed(who, now):
            await responder.send([*messages, self.dms_hint()], "")
            return
        try:
            sent = await self._dms.send(
                interaction.user.id, messages, key=f"i{interaction.id}", community=who.community
            )
        except DmsClosed:
            await self._reach.refused(who, now)
            await responder.send([*messages, self.dms_hint()], "")
            return
        except discord.HTTPException as error:
            log.warning("could not send a DM (HTTP %s, code %s)", error.status, error.code)
            await responder.send(messages, "")
            return
        link = Control(self._texts.open_dm, url=sent[0].jump_url) if sent else None
        pointer = Outgoing(escape(self._texts.sent_to_dms), controls=(link,) if link else ())
        await responder.send([pointer], "")

    def with_forms(
        self, replies: Sequence[Reply], marker: str, presets: Mapping[str, str] | None = None
    ) -> list[Outgoing]:
        """Replies as messages, each form as a button that opens it."""
        words: list[Reply] = []
        controls: list[Control] = []
        for reply in replies:
            if reply.form is None:
                words.append(reply)
                continue
            session = FormSession(reply.form, known_values(reply.form, presets or {}), marker)
            token = self._pending.put(session)
            label = self._texts.form_fix if reply.form.errors else self._texts.form_open
            controls.append(Control(label, custom_id=f"{PENDING_PREFIX}{token}"))
            words.append(replace(reply, form=None, text=reply.text or self._texts.form_later))
        messages = render(words, self._texts)
        if controls:
            last = messages[-1] if messages else Outgoing()
            messages[-1:] = [replace(last, controls=(*last.controls, *controls))]
        return messages

    async def offer_form(
        self, interaction: Interaction, session: FormSession, text: str, *, continued: bool
    ) -> None:
        """Answer with words and a button that opens the form of ``session``."""
        token = self._pending.put(session)
        label = self._texts.form_continue if continued else self._texts.form_open
        message = Outgoing(
            escape(text), controls=(Control(label, custom_id=f"{PENDING_PREFIX}{token}"),)
        )
        await self.responder(interaction).send([message], "")

    def modal(self, session: FormSession) -> discord.ui.Modal:
        """The modal for a form, its custom id carrying what is known so far."""
        plan = plan_modal(session.form, session.known, self._texts)
        state = FormState(
            session.form.form_id, session.form.context, session.community, session.known
        )
        custom_id = None if plan.later else form_id_for(state)
        if custom_id is None:
            custom_id = FORM_MEMORY_PREFIX + self._pending.put(session)
        assert custom_id.startswith((FORM_PREFIX, FORM_MEMORY_PREFIX))
        return build_modal(plan, custom_id)

    def dms_hint(self) -> Outgoing:
        """How to open DMs, with the button that checks they work."""
        check = Control(self._texts.dms_check, custom_id=DMS_CHECK_ID)
        return Outgoing(escape(self._texts.dms_closed), controls=(check,))
