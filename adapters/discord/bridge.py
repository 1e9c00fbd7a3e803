"""From Discord interactions to engine events and back: the adapter's one flow.

Each interaction is answered within Discord's 3 seconds: the engine gets ``ack_budget``
seconds, and if it is slower the interaction is deferred and answered by follow-up. Where the
answer goes is :mod:`adapters.discord.answers`' part; one person's events reach the engine
one at a time (:mod:`adapters.ordering`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

import discord

from adapters.discord.answers import Answers
from adapters.discord.dm_channels import DmChannels
from adapters.discord.in_flight import InFlight
from adapters.discord.messenger import DirectMessages, DmsClosed
from adapters.discord.pending import ChoiceMemo, FormSession, Pending
from adapters.discord.ports import Clock, Dedupe, Handler, MemoStore
from adapters.discord.render import Outgoing, escape
from adapters.discord.responder import Interaction, command_channel, locale_of, manages_server
from adapters.discord.texts import texts
from adapters.discord.translate import (
    DM_COMMUNITY,
    FORM_MEMORY_PREFIX,
    PLATFORM,
    FormState,
    community_of,
    parse_choice_id,
    parse_form_id,
    sender,
    submitted_values,
)
from adapters.kept import NOT_KEPT, SEEN, Inbox, KeptWork
from adapters.ordering import PersonLocks
from bot.errors import BouncebackError
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.reach import Reach
from bot.replies import FieldKind, Form, Reply

log = logging.getLogger(__name__)

Prepared = tuple[Sender, Event] | None
HISTORY_SCAN = 25


class Bridge:
    """Turns interactions and DMs into engine events and the engine's replies into messages."""

    def __init__(
        self,
        client: discord.Client,
        *,
        handler: Handler,
        reach: Reach,
        clock: Clock,
        dedupe: Dedupe | None,
        ack_budget: float = 2.0,
        memos: MemoStore | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self._client = client
        self._handler = handler
        self._reach = reach
        self._clock = clock
        self._dedupe = dedupe
        self._texts = texts()
        self._ack_budget = ack_budget
        self.pending = Pending(store=memos, clock=clock)
        self.dms = DirectMessages(client, self.pending, self._texts, DmChannels(client))
        self.in_flight = InFlight()
        self._kept = KeptWork(PLATFORM, inbox, clock)
        self._order = PersonLocks()
        self._answers = Answers(pending=self.pending, dms=self.dms, reach=reach, texts=self._texts)

    # Entry points: commands, buttons, modals, DMs.

    async def on_command(self, interaction: Interaction, name: str, text: str) -> None:
        """A slash command with free text."""

        async def prepare() -> Prepared:
            who = await self._sender(interaction)
            asker = replace(who, locale=locale_of(interaction))
            return who, Command(asker, name, text, channel=command_channel(interaction))

        await self._run(interaction, prepare)

    async def on_form_command(
        self, interaction: Interaction, name: str, form: Form, given: Mapping[str, str]
    ) -> None:
        """A slash command with typed options for ``form``'s fields.

        If the options cover every required field, they are the submission; otherwise the
        engine is asked for its form, and the options fill it in.
        """
        required = {field.name for field in form.fields if field.required}
        text_field = next((f.name for f in form.fields if f.kind is FieldKind.TEXT), "")

        async def prepare() -> Prepared:
            who = await self._sender(interaction)
            if required <= given.keys():
                return who, FormSubmission(who, form.form_id, dict(given), form.context)
            channel = command_channel(interaction)
            asker = replace(who, locale=locale_of(interaction))
            return who, Command(asker, name, given.get(text_field, ""), channel=channel)

        await self._run(interaction, prepare, presets=given)

    async def on_choice(
        self, interaction: Interaction, action: str, value: str, community: str
    ) -> None:
        """A button of the engine's was pressed."""

        async def prepare() -> Prepared:
            who = self._who(interaction, community_of(interaction.guild_id, community))
            return who, Choice(who, action, value)

        await self._run(interaction, prepare)

    async def on_pending(self, interaction: Interaction, token: str) -> None:
        """A button whose meaning is stored under a token: a long choice, or a form to (re)open."""
        entry = await self.pending.find(token)
        if isinstance(entry, ChoiceMemo):
            await self.on_choice(interaction, entry.action, entry.value, entry.community)
        elif isinstance(entry, FormSession):
            await self._answers.responder(interaction).modal(self._answers.modal(entry))
        else:
            await self._answers.say(interaction, self._texts.form_expired)

    async def on_modal_submit(self, interaction: Interaction) -> None:
        """A modal of ours was submitted."""
        data: Mapping[str, Any] = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        values = submitted_values(data.get("components", ()))
        if custom_id.startswith(FORM_MEMORY_PREFIX):
            entry = await self.pending.find(custom_id.removeprefix(FORM_MEMORY_PREFIX))
            if not isinstance(entry, FormSession):
                await self._answers.say(interaction, self._texts.form_expired)
                return
            session = replace(entry, known={**entry.known, **values})
            if any(field.name not in session.known for field in session.form.fields):
                await self._answers.offer_form(
                    interaction, session, self._texts.form_more, continued=True
                )
                return
            state = FormState(
                session.form.form_id, session.form.context, session.community, session.known
            )
        else:
            parsed = parse_form_id(custom_id)
            if parsed is None:
                return
            state = replace(parsed, known={**parsed.known, **values})

        async def prepare() -> Prepared:
            who = await self._sender(interaction, carried=state.community)
            return who, FormSubmission(who, state.form_id, dict(state.known), state.context)

        await self._run(interaction, prepare)

    async def on_dms_check(self, interaction: Interaction) -> None:
        """The "I've opened my DMs" button: a hello in the DM says whether they work now."""
        now = self._clock()
        responder = self._answers.responder(interaction)
        await responder.defer()
        who = await self._sender(interaction)

        async def hello() -> bool:
            greeting = [Outgoing(escape(self._texts.dms_hello))]
            try:
                await self.dms.send(
                    interaction.user.id, greeting, key=f"i{interaction.id}", community=""
                )
            except DmsClosed:
                return False
            return True

        works = await self._reach.recheck(who, now, hello)
        answer = self._texts.dms_working if works else self._texts.dms_still_closed
        await responder.send([Outgoing(escape(answer))], "")

    async def on_dm_message(self, message: discord.Message) -> None:
        """Words typed to the bot in a direct message: a :class:`bot.events.Message`."""
        if not self.in_flight.open:
            return  # stopping: another instance takes the conversation up
        with self.in_flight.track():
            await self._on_dm_message(message)

    async def _on_dm_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is not None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        text = message.content.strip()
        if not text:
            return
        now = self._clock()
        community = await self._dm_community(message.channel.id)
        who = sender(message.author.id, message.author.display_name, community)
        marker = community if community != DM_COMMUNITY else ""
        event = Message(who, text)
        # Kept until answered: Discord never sends a message twice.
        where = {"user": str(message.author.id), "marker": marker, "key": f"m{message.id}"}
        entry = await self._kept.keep(f"message:{message.id}", event, where)
        if entry == SEEN:
            return
        if entry == NOT_KEPT and not await self._first_time(f"discord:message:{message.id}", now):
            return
        await self._answer_dm(entry, event, where, now)

    async def _answer_dm(
        self, entry: int, event: Event, where: Mapping[str, str], now: dt.datetime
    ) -> None:
        replies = await self._handle(event, now)
        marker = where.get("marker", "")
        messages = self._answers.with_forms(replies, marker)
        try:
            await self.dms.send(
                int(where["user"]), messages, key=where.get("key", ""), community=marker
            )
        except (DmsClosed, discord.HTTPException) as error:
            log.warning("could not answer a direct message (%s)", type(error).__name__)
        await self._kept.done(entry)

    async def redo_unfinished(self) -> int:
        """Answer the direct messages a process that died left unanswered (once, here)."""
        redone = 0
        for entry, event, where in await self._kept.reclaim():
            if not where.get("user", "").isdigit():
                await self._kept.done(entry)
                continue
            with self.in_flight.track():
                await self._answer_dm(entry, event, where, self._clock())
            redone += 1
        return redone

    async def drain(self, grace: float) -> None:
        """Take no new work, finish what is under way for up to ``grace`` seconds, and hand
        back what is still unanswered for another instance to answer at once."""
        await self.in_flight.drain(grace)
        await self._kept.hand_back()

    # The flow.

    async def _run(
        self,
        interaction: Interaction,
        prepare: Callable[[], Awaitable[Prepared]],
        presets: Mapping[str, str] | None = None,
    ) -> None:
        if not self.in_flight.open:
            return  # stopping: not acknowledged, so Discord tells the person it failed
        with self.in_flight.track():
            await self._run_tracked(interaction, prepare, presets)

    async def _run_tracked(
        self,
        interaction: Interaction,
        prepare: Callable[[], Awaitable[Prepared]],
        presets: Mapping[str, str] | None,
    ) -> None:
        now = self._clock()
        responder = self._answers.responder(interaction)

        async def work() -> tuple[Sender, list[Reply]] | None:
            try:
                if not await self._first_time(f"discord:interaction:{interaction.id}", now):
                    return None  # a repeat of an interaction already answered
                prepared = await prepare()
            except Exception:
                log.exception("could not read a Discord interaction")
                return self._who(interaction, DM_COMMUNITY), [Reply(self._texts.generic_error)]
            if prepared is None:
                return None
            who, event = prepared
            return who, await self._handle(event, now)

        task = asyncio.ensure_future(work())
        done, _ = await asyncio.wait({task}, timeout=self._ack_budget)
        if not done:
            await responder.defer()
        result = await task
        if result is None:
            return
        who, replies = result
        try:
            await self._answers.answer(responder, who, replies, presets or {}, now)
        except discord.HTTPException as error:
            # Only the status and code: the payload holds the person's words.
            log.warning("Discord refused an answer (HTTP %s, code %s)", error.status, error.code)
        except Exception:
            log.exception("could not answer a Discord interaction")
            with contextlib.suppress(discord.HTTPException):
                await responder.send([Outgoing(escape(self._texts.generic_error))], "")

    async def _handle(self, event: Event, now: dt.datetime) -> list[Reply]:
        try:
            async with self._order.hold(event.sender):
                return await self._handler.handle(event, now)
        except BouncebackError as error:
            return [Reply(text=str(error))]
        except Exception:
            log.exception("the engine failed on a %s event", type(event).__name__)
            return [Reply(text=self._texts.generic_error)]

    # Helpers.

    def _who(self, interaction: Interaction, community: str) -> Sender:
        return sender(
            interaction.user.id,
            interaction.user.display_name,
            community,
            is_admin=manages_server(interaction),
        )

    async def _sender(self, interaction: Interaction, carried: str = "") -> Sender:
        """Who is talking, and in which server. In a DM with nothing carried, the server is the
        one whose conversation the DM last held (see :meth:`_dm_community`)."""
        if interaction.guild_id is not None or carried:
            return self._who(interaction, community_of(interaction.guild_id, carried))
        channel_id = interaction.channel_id
        community = await self._dm_community(channel_id) if channel_id else DM_COMMUNITY
        return self._who(interaction, community)

    async def _dm_community(self, channel_id: int) -> str:
        """The server behind the bot's latest buttons in this DM, else ``"dm"``.

        A DM belongs to no server, but the check-ins and plans sent there do: their buttons
        carry the server's id. Reading it back keeps one person's conversation in one place,
        across restarts and instances, without storing anything.
        """
        me = self._client.user
        channel = self._client.get_partial_messageable(channel_id, type=discord.ChannelType.private)
        try:
            async for past in channel.history(limit=HISTORY_SCAN):
                if me is None or past.author.id != me.id:
                    continue
                for row in past.components:
                    for child in getattr(row, "children", ()):
                        parsed = parse_choice_id(getattr(child, "custom_id", None) or "")
                        if parsed is not None:
                            return parsed[2] or DM_COMMUNITY
        except discord.HTTPException as error:
            log.info("could not read DM history (HTTP %s)", error.status)
        return DM_COMMUNITY

    async def _first_time(self, key: str, now: dt.datetime) -> bool:
        return True if self._dedupe is None else await self._dedupe.first_time(key, now)
