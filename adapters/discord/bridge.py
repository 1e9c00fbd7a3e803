"""From Discord interactions to engine events and back: the adapter's one flow.

Each interaction is answered within Discord's 3 seconds: the engine gets ``ack_budget``
seconds, and if it is slower the interaction is deferred and answered by follow-up.

Where answers go: in a server, answers are ephemeral (only the person sees them). Answers with
something to act on or copy later (buttons, a drafted note) go to the person's direct
messages instead, because ephemeral messages vanish when Discord reloads; the server gets a
short pointer to them. If Discord refuses the DM (the person's DMs are closed), that is
recorded in the store, the answer is shown ephemerally after all, with how to open DMs.

Files (a ``/mydata export``) hold a person's data, so they follow the same road to the DMs
from wherever they were asked for, or come in the ephemeral answer when DMs are closed; the
responder refuses to attach one to anything others could see.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import discord

from adapters.discord.messenger import (
    UNREACHABLE_REASON,
    DirectMessages,
    DmsClosed,
    upload_files,
)
from adapters.discord.pending import ChoiceMemo, FormSession, Pending
from adapters.discord.ports import Clock, Dedupe, Handler, MemoStore, PeopleStore
from adapters.discord.render import Control, Outgoing, escape, known_values, plan_modal, render
from adapters.discord.texts import Texts
from adapters.discord.translate import (
    DM_COMMUNITY,
    DMS_CHECK_ID,
    FORM_MEMORY_PREFIX,
    FORM_PREFIX,
    FormState,
    community_of,
    form_id_for,
    parse_choice_id,
    parse_form_id,
    sender,
    submitted_values,
)
from adapters.discord.views import build_modal, build_view
from bot import admin
from bot.errors import BouncebackError
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.replies import FieldKind, Form, Reply

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
Prepared = tuple[Sender, Event] | None
HISTORY_SCAN = 25
# Buttons whose press must come from the server (the engine checks the presser's permissions).
SERVER_ACTIONS = frozenset({admin.SETTINGS_ACTION})


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


def _files(keyword: str, files: list[discord.File]) -> dict[str, Any]:
    # Only when there are files: an empty list would still change the request Discord gets.
    return {keyword: files} if files else {}


class _Responder:
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
        kinds = (discord.InteractionType.application_command, discord.InteractionType.component)
        return not self.interaction.response.is_done() and self.interaction.type in kinds

    async def defer(self) -> None:
        if not self.interaction.response.is_done():
            await self.interaction.response.defer(ephemeral=self.ephemeral, thinking=True)
            self._deferred = True

    async def modal(self, modal: discord.ui.Modal) -> None:
        await self._save()
        await self.interaction.response.send_modal(modal)

    async def send(self, messages: Sequence[Outgoing], community: str) -> None:
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
            if not self.interaction.response.is_done():
                await self.interaction.response.send_message(
                    content, ephemeral=self.ephemeral, suppress_embeds=True,
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
                    suppress_embeds=True, allowed_mentions=mentions, wait=True, **extra,
                    **_files("files", files),
                )  # fmt: skip


class InFlight:
    """The bridge's work in progress, so a stopping process finishes it before closing."""

    def __init__(self) -> None:
        self.open = True
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()

    async def drain(self, grace: float) -> None:
        """Take no new work; wait up to ``grace`` seconds for what is under way."""
        self.open = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace)


class Bridge:
    """Turns interactions and DMs into engine events and the engine's replies into messages."""

    def __init__(
        self,
        client: discord.Client,
        *,
        handler: Handler,
        store: PeopleStore,
        default_timezone: str,
        clock: Clock,
        dedupe: Dedupe | None,
        texts: Texts,
        ack_budget: float = 2.0,
        pending: Pending | None = None,
        memos: MemoStore | None = None,
    ) -> None:
        self._client = client
        self._handler = handler
        self._store = store
        self._timezone = default_timezone
        self._clock = clock
        self._dedupe = dedupe
        self._texts = texts
        self._ack_budget = ack_budget
        self.pending = pending or Pending(store=memos, clock=clock)
        self.dms = DirectMessages(client, self.pending, texts)
        self.in_flight = InFlight()

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
            await self._responder(interaction).modal(self._modal(entry))
        else:
            await self._say(interaction, self._texts.form_expired)

    async def on_modal_submit(self, interaction: Interaction) -> None:
        """A modal of ours was submitted."""
        data: Mapping[str, Any] = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        values = submitted_values(data.get("components", ()))
        if custom_id.startswith(FORM_MEMORY_PREFIX):
            entry = await self.pending.find(custom_id.removeprefix(FORM_MEMORY_PREFIX))
            if not isinstance(entry, FormSession):
                await self._say(interaction, self._texts.form_expired)
                return
            session = replace(entry, known={**entry.known, **values})
            if any(field.name not in session.known for field in session.form.fields):
                await self._offer_form(interaction, session, self._texts.form_more, continued=True)
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
        """The "I've opened my DMs" button: try a DM, and forget the closed mark if it works."""
        now = self._clock()
        responder = self._responder(interaction)
        await responder.defer()
        who = await self._sender(interaction)
        hello = [Outgoing(escape(self._texts.dms_hello))]
        try:
            await self.dms.send(interaction.user.id, hello, key=f"i{interaction.id}", community="")
        except DmsClosed:
            answer = self._texts.dms_still_closed
        else:
            person = await self._store.person(who, self._timezone, now)
            if person.unreachable:
                await self._store.set_unreachable(person.id, "", now)
            answer = self._texts.dms_working
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
        if not await self._first_time(f"discord:message:{message.id}", now):
            return
        community = await self._dm_community(message.channel.id)
        who = sender(message.author.id, message.author.display_name, community)
        replies = await self._handle(Message(who, text), now)
        marker = community if community != DM_COMMUNITY else ""
        messages = self._with_forms(replies, marker)
        try:
            await self.dms.send(message.author.id, messages, key=f"m{message.id}", community=marker)
        except (DmsClosed, discord.HTTPException) as error:
            log.warning("could not answer a direct message (%s)", type(error).__name__)

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
        responder = self._responder(interaction)

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
            await self._answer(responder, who, replies, presets or {}, now)
        except discord.HTTPException as error:
            # Only the status and code: the payload holds the person's words.
            log.warning("Discord refused an answer (HTTP %s, code %s)", error.status, error.code)
        except Exception:
            log.exception("could not answer a Discord interaction")
            with contextlib.suppress(discord.HTTPException):
                await responder.send([Outgoing(escape(self._texts.generic_error))], "")

    async def _handle(self, event: Event, now: dt.datetime) -> list[Reply]:
        try:
            return await self._handler.handle(event, now)
        except BouncebackError as error:
            return [Reply(text=str(error))]
        except Exception:
            log.exception("the engine failed on a %s event", type(event).__name__)
            return [Reply(text=self._texts.generic_error)]

    async def _answer(
        self,
        responder: _Responder,
        who: Sender,
        replies: list[Reply],
        presets: Mapping[str, str],
        now: dt.datetime,
    ) -> None:
        interaction = responder.interaction
        in_guild = interaction.guild_id is not None
        marker = "" if in_guild or who.community == DM_COMMUNITY else who.community
        forms = [reply for reply in replies if reply.form is not None]
        files = any(reply.attachment is not None for reply in replies)
        if forms and len(replies) == 1 and not files and responder.can_open_modal():
            form = forms[0].form
            assert form is not None
            session = FormSession(form, known_values(form, presets), marker)
            await responder.modal(self._modal(session))
            return
        if forms:
            # No modal possible here (a modal cannot answer a modal, nor follow a deferral):
            # the form waits behind a button, under the replies' words.
            await responder.send(self._with_forms(replies, marker, presets), marker)
            return
        messages = render(replies, self._texts)
        private = files or any(reply.private for reply in replies)
        if in_guild and not private and not interaction.response.is_done():
            responder.ephemeral = False  # the engine meant it for the channel
        keep = any(reply.buttons or reply.quote for reply in replies)
        # A settings button pressed in a DM could not show the server's permissions, so the
        # answer that carries it stays (ephemeral) in the server.
        keep = keep and not any(
            button.action in SERVER_ACTIONS for reply in replies for button in reply.buttons
        )
        if not messages:
            await responder.send([Outgoing(escape(self._texts.done))], marker)
        elif (files and not responder.in_dm) or (in_guild and private and keep):
            await self._to_dms(responder, who, messages, now)
        else:
            await responder.send(messages, marker)

    async def _to_dms(
        self, responder: _Responder, who: Sender, messages: list[Outgoing], now: dt.datetime
    ) -> None:
        interaction = responder.interaction
        await responder.defer()  # a store call and a DM or two: more than a moment
        person = await self._store.person(who, self._timezone, now)
        if person.unreachable:
            await responder.send([*messages, self._dms_hint()], "")
            return
        try:
            sent = await self.dms.send(
                interaction.user.id, messages, key=f"i{interaction.id}", community=who.community
            )
        except DmsClosed:
            await self._store.set_unreachable(person.id, UNREACHABLE_REASON, now)
            await responder.send([*messages, self._dms_hint()], "")
            return
        except discord.HTTPException as error:
            log.warning("could not send a DM (HTTP %s, code %s)", error.status, error.code)
            await responder.send(messages, "")
            return
        link = Control(self._texts.open_dm, url=sent[0].jump_url) if sent else None
        pointer = Outgoing(escape(self._texts.sent_to_dms), controls=(link,) if link else ())
        await responder.send([pointer], "")

    # Helpers.

    def _with_forms(
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
            token = self.pending.put(session)
            label = self._texts.form_fix if reply.form.errors else self._texts.form_open
            controls.append(Control(label, custom_id=f"bbx:{token}"))
            words.append(replace(reply, form=None, text=reply.text or self._texts.form_later))
        messages = render(words, self._texts)
        if controls:
            last = messages[-1] if messages else Outgoing()
            messages[-1:] = [replace(last, controls=(*last.controls, *controls))]
        return messages

    async def _offer_form(
        self, interaction: Interaction, session: FormSession, text: str, *, continued: bool
    ) -> None:
        token = self.pending.put(session)
        label = self._texts.form_continue if continued else self._texts.form_open
        message = Outgoing(escape(text), controls=(Control(label, custom_id=f"bbx:{token}"),))
        await self._responder(interaction).send([message], "")

    def _modal(self, session: FormSession) -> discord.ui.Modal:
        plan = plan_modal(session.form, session.known, self._texts)
        state = FormState(
            session.form.form_id, session.form.context, session.community, session.known
        )
        custom_id = None if plan.later else form_id_for(state)
        if custom_id is None:
            custom_id = FORM_MEMORY_PREFIX + self.pending.put(session)
        assert custom_id.startswith((FORM_PREFIX, FORM_MEMORY_PREFIX))
        return build_modal(plan, custom_id)

    def _dms_hint(self) -> Outgoing:
        check = Control(self._texts.dms_check, custom_id=DMS_CHECK_ID)
        return Outgoing(escape(self._texts.dms_closed), controls=(check,))

    async def _say(self, interaction: Interaction, text: str) -> None:
        await self._responder(interaction).send([Outgoing(escape(text))], "")

    def _responder(self, interaction: Interaction) -> _Responder:
        return _Responder(
            interaction,
            lambda message, community: build_view(message, community, self.pending, self._texts),
            self.pending.save,
        )

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
        return True if self._dedupe is None else await self._dedupe(key, now)
