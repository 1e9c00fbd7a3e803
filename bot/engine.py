"""The engine: one entry point, ``Engine.handle(event, now)``, from events to replies."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot import (
    admin,
    brag,
    care,
    checkin,
    checkins,
    community,
    feedback,
    mydata,
    plan,
    progress,
    reflection,
    rejection,
    zones,
)
from bot.content import Content
from bot.errors import BouncebackError
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.ports import Store
from bot.replies import Reply
from bot.safety import CrisisWords
from bot.text import clean, number
from bot.turn import Turn

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4000
COMMAND_NAMES = (
    "rejected", "feedback", "brag", "progress", "checkin", "hired", "mydata", "bounceback", "help",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """A command as adapters register it: ``/name``, a one-line description and its usage."""

    name: str
    description: str
    usage: str


class Engine:
    """Turns platform-neutral events into replies, keeping state in a :class:`Store`."""

    def __init__(
        self,
        store: Store,
        content: Content,
        *,
        default_timezone: str = "UTC",
        crisis_words: CrisisWords | None = None,
        support_resources: str = "",
    ) -> None:
        self._store = store
        self._content = content
        self._default_timezone = default_timezone
        self._crisis_words = crisis_words or CrisisWords.load()
        self._support_resources = support_resources or content.text("safety.resources")
        # Crisis-bearing text waiting for the person's yes; memory only (see bot.care).
        self._held = care.HeldWords()
        self.commands: Sequence[CommandInfo] = tuple(
            CommandInfo(
                name,
                content.text(f"commands.{name}.description"),
                content.text(f"commands.{name}.usage"),
            )
            for name in COMMAND_NAMES
        )

    @property
    def content(self) -> Content:
        """The words the engine speaks, for adapters that need labels of their own."""
        return self._content

    async def handle(self, event: Event, now: dt.datetime) -> list[Reply]:
        """Answer one event. ``now`` must be timezone-aware; it is the only clock used."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        try:
            async with self._store.transaction():
                person = await self._store.person(event.sender, self._default_timezone, now)
                turn = Turn(self._store, self._content, person, now.astimezone(dt.UTC))
                turn = await zones.follow(turn, event.sender)
                if self._crisis_words.in_event(event):
                    return await self._care(turn, event)
                return await self._dispatch(turn, event)
        except BouncebackError as error:
            return [Reply(text=str(error))]
        except Exception:
            # Only the kind of event and the error's type: never the person's words.
            log.exception("could not handle a %s event", type(event).__name__)
            return [Reply(text=self._content.text("help.error"))]

    async def follow_zone(self, sender: Sender, now: dt.datetime) -> None:
        """The platform says ``sender.timezone`` is now the person's zone (Slack's
        ``user_change``): follow it, unless they chose one. Nobody is created for it."""
        async with self._store.transaction():
            person = await self._store.known_person(sender)
            if person is not None:
                await zones.follow(Turn(self._store, self._content, person, now), sender)

    async def _dispatch(self, turn: Turn, event: Event) -> list[Reply]:
        admin_ok = event.sender.is_admin
        match event:
            case Command(name=name, text=text, channel=channel):
                name = name.strip().lstrip("/").casefold()
                if name == "bounceback":
                    return await admin.command(turn, admin_ok, text, channel)
                return await self._command(turn, name, text)
            case Choice(action=action, value=value):
                if action == admin.SETTINGS_ACTION:
                    return await admin.on_button(turn, admin_ok)
                if action in care.ACTIONS:
                    return await self._care_choice(turn, event, action, value[:200])
                return await self._choice(turn, action, value)
            case FormSubmission(form_id=form_id, values=values, context=context):
                if form_id == admin.FORM_ID:
                    return await admin.submit(turn, admin_ok, _strings(values))
                return await self._form(turn, form_id, values, context)
            case Message(text=text):
                return await self._message(turn, text)

    async def _command(self, turn: Turn, name: str, text: str) -> list[Reply]:
        if len(text) > MESSAGE_LIMIT:
            return [self._too_long(len(text))]
        if name == "rejected":
            return await rejection.begin(turn, text)
        if name == "feedback":
            return await feedback.command(turn, text)
        if name == "brag":
            return await brag.command(turn, text)
        if name == "progress":
            return await progress.command(turn)
        if name == "checkin":
            return await checkin.command(turn, text)
        if name == "mydata":
            return await mydata.command(turn, text)
        if name == "hired":
            return await community.hired(turn)
        if name == "help":
            return [Reply(text=self._content.text("help.text"))]
        return [Reply(text=self._content.text("help.unknown_command", name=clean(name)[:40]))]

    async def _choice(self, turn: Turn, action: str, value: str) -> list[Reply]:
        value = value[:200]
        if action == reflection.ACTION:
            return await reflection.on_button(turn, value)
        if action in (feedback.NOTE_ACTION, feedback.SENT_ACTION, feedback.REPLY_ACTION):
            return await feedback.on_button(turn, action, value)
        if action == brag.KIND_ACTION:
            return await brag.on_button(turn, value)
        if action == checkin.MOOD_ACTION:
            return await checkin.on_button(turn, value)
        if action == checkins.OFFER_ACTION:
            return await community.hired(turn)
        if action.startswith("plan."):
            return await plan.on_button(turn, action, value)
        if action.startswith("community."):
            return await community.on_button(turn, action, value)
        if action == mydata.DELETE_ACTION:
            if value == "confirm":
                self._held.forget(turn.person.id)
            return await mydata.on_button(turn, value)
        return [Reply(text=self._content.text("help.unknown_message"))]

    async def _form(
        self, turn: Turn, form_id: str, values: Mapping[str, str], context: str
    ) -> list[Reply]:
        fields = _strings(values)
        if form_id == rejection.FORM_ID:
            return await rejection.submit(turn, fields)
        if form_id == feedback.REPLY_FORM:
            return await feedback.on_form(turn, fields, context)
        if form_id == checkin.FORM_ID:
            return await checkin.submit(turn, fields)
        if form_id == checkin.SETTINGS_FORM_ID:
            return await checkin.submit_settings(turn, fields)
        if form_id == community.HIRED_FORM:
            return await community.on_hired_form(turn, fields)
        return [Reply(text=self._content.text("help.unknown_message"))]

    async def _message(self, turn: Turn, text: str) -> list[Reply]:
        if len(text) > MESSAGE_LIMIT:
            return [self._too_long(len(text))]
        if clean(text).casefold().strip(" .!?") in self._content.words("plan.words.offer"):
            return await community.hired(turn)
        pending = await turn.store.conversation(turn.person.id)
        topic, data = (pending.topic, pending.data) if pending is not None else ("", "")
        answered = await plan.on_text(turn, text, topic, data)
        if answered is not None:
            return answered
        if number(text, maximum=5) is not None:
            # A bare 1 to 5 answers a mood check-in (the buttons' numbers), whatever else waits.
            return await checkin.submit(turn, {"mood": text.strip()})
        if topic == reflection.TOPIC:
            return await reflection.on_text(turn, data, text)
        return [Reply(text=self._content.text("help.unknown_message"))]

    async def _care(self, turn: Turn, event: Event) -> list[Reply]:
        """Words that suggest a crisis: answer with care, store none of them, hold the nudges."""
        place = await community.here(turn)
        resources = place.support_resources or self._support_resources
        held_fields = (
            self._crisis_words.flagged_fields(event.values)
            if isinstance(event, FormSubmission)
            else set()
        )
        return [await care.answer(turn, event, held_fields, self._held, resources)]

    async def _care_choice(
        self, turn: Turn, choice: Choice, action: str, value: str
    ) -> list[Reply]:
        if action == care.CARRY_ON_ACTION:
            return [await care.carry_on(turn, value)]
        if action == care.DROP_ACTION:
            return [await care.drop(turn, self._held, value)]
        event, note = await care.keep(turn, self._held, value, choice.sender)
        # Their explicit yes: handled as if typed just now, without asking again.
        replies = await self._dispatch(turn, event) if event is not None else []
        return [note, *replies] if note is not None else replies

    def _too_long(self, length: int) -> Reply:
        return Reply(
            text=self._content.text(
                "limits.too_long", label="A message", limit=MESSAGE_LIMIT, length=length
            )
        )


def _strings(values: Mapping[str, str]) -> dict[str, str]:
    # Platforms deliver what the client sent; keep only string fields.
    return {key: value for key, value in values.items() if isinstance(value, str)}
