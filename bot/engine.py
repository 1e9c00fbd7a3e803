"""The engine: one entry point, ``Engine.handle(event, now)``, from events to replies."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot import (
    admin,
    applications,
    brag,
    care,
    checkin_settings,
    community,
    feedback,
    home,
    mood,
    mydata,
    plan,
    practice,
    progress,
    reflection,
    rejection,
    routes,
    zones,
)
from bot.codec import CodecError, decode_event
from bot.content import Content
from bot.errors import BouncebackError
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.home_view import HomeView
from bot.model import Person
from bot.ports import BragSchedule, Store
from bot.replies import Reply
from bot.routes import Routes, Typed
from bot.safety import CrisisWords
from bot.schedule import known_zone
from bot.text import clean
from bot.turn import Turn

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4000
COMMAND_NAMES = (
    "rejected", "applied", "feedback", "brag", "progress", "checkin", "hired", "practice",
    "mydata", "bounceback", "help", "home",
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
        brag_schedule: BragSchedule | None = None,
    ) -> None:
        self._store = store
        self._brag_schedule = brag_schedule
        self._content = content
        self._default_timezone = default_timezone
        self._crisis_words = crisis_words or CrisisWords.load()
        self._support_resources = support_resources or content.text("safety.resources")
        # Crisis-bearing text waiting for the person's yes; memory only (see bot.care).
        self._held = care.HeldWords()
        # The order of ``texts`` matters: the first module whose handler answers typed words
        # wins ("I got an offer!" before any question waiting, a bare 1 to 5 before reflection).
        self._routes = routes.merge(
            community.ROUTES,
            rejection.ROUTES,
            applications.ROUTES,
            feedback.ROUTES,
            brag.ROUTES,
            progress.ROUTES,
            practice.ROUTES,
            checkin_settings.ROUTES,
            plan.ROUTES,
            mood.ROUTES,
            reflection.ROUTES,
            mydata.routes(self._held.forget),
            admin.ROUTES,
            care.routes(self._held, self._dispatch),
            home.routes(self._dispatch),
            Routes(commands={"help": self._help}),
        )
        # Adapters register COMMAND_NAMES: each must have a route, and each route a name.
        unmatched = set(COMMAND_NAMES) ^ set(self._routes.commands)
        if unmatched:
            raise ValueError(f"COMMAND_NAMES and the routes differ: {sorted(unmatched)}")
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

    def may_keep(self, payload: str) -> bool:
        """Whether ``payload`` (an event as ``bot.codec`` writes it, or plain text) may be
        written down while its answer is on its way: words that suggest a crisis are never
        stored, not even for a moment."""
        try:
            event, _ = decode_event(payload)
        except CodecError:
            return not self._crisis_words.found_in(payload)
        # Only what the person typed is searched: the JSON around it (ids, URLs, our own
        # button values) is several times longer, and matching is on the acknowledgement's path.
        return not self._crisis_words.in_event(event)

    async def handle(self, event: Event, now: dt.datetime) -> list[Reply]:
        """Answer one event. ``now`` must be timezone-aware; it is the only clock used."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        try:
            # Someone new starts in the zone their platform gave (if any): no second write,
            # and nothing planned to move, in the transaction that holds the write lock.
            zone = event.sender.timezone if known_zone(event.sender.timezone) else ""
            async with self._store.transaction():
                person = await self._store.person(
                    event.sender, self._default_timezone, now, platform_zone=zone
                )
                return await self._answer(person, event, now)
        except BouncebackError as error:
            return [Reply(text=str(error))]
        except Exception:
            # Only the kind of event and the error's type: never the person's words.
            log.exception("could not handle a %s event", type(event).__name__)
            return [Reply(text=self._content.text("help.error"))]

    async def _answer(self, person: Person, event: Event, now: dt.datetime) -> list[Reply]:
        turn = Turn(
            self._store,
            self._content,
            person,
            now.astimezone(dt.UTC),
            brag_schedule=self._brag_schedule,
        )
        turn = await zones.follow(turn, event.sender)
        if self._crisis_words.in_event(event):
            return await self._care(turn, event)
        return await self._dispatch(turn, event)

    async def home(self, sender: Sender, now: dt.datetime) -> HomeView:
        """The home of ``sender``, for them alone: their own records (a welcome if the bot has
        not met them; nobody is created for a look), and the community's section if the
        platform says they administer it."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        async with self._store.transaction():
            person = await self._store.known_person(sender)
            known = person is not None
            if person is None:
                person = home.visitor(sender, self._default_timezone, now)
            turn = Turn(
                self._store, self._content, person, now.astimezone(dt.UTC),
                brag_schedule=self._brag_schedule,
            )  # fmt: skip
            return await (home.view(turn, sender) if known else home.welcome(turn, sender))

    async def follow_zone(self, sender: Sender, now: dt.datetime) -> None:
        """The platform says ``sender.timezone`` is now the person's zone (Slack's
        ``user_change``): follow it, unless they chose one. Nobody is created for it."""
        async with self._store.transaction():
            person = await self._store.known_person(sender)
            if person is not None:
                await zones.follow(Turn(self._store, self._content, person, now), sender)

    async def _dispatch(self, turn: Turn, event: Event) -> list[Reply]:
        table = self._routes
        match event:
            case Command(name=name, text=text):
                if len(text) > MESSAGE_LIMIT:
                    return [self._too_long(len(text))]
                name = name.strip().lstrip("/").casefold()
                command = table.commands.get(name)
                if command is None:
                    unknown = self._content.text("help.unknown_command", name=clean(name)[:40])
                    return [Reply(text=unknown)]
                return await command(turn, event)
            case Choice(action=action, value=value):
                choice = table.choices.get(action)
                if choice is not None:
                    return await choice(turn, replace(event, value=value[:200]))
            case FormSubmission(form_id=form_id, values=values):
                form = table.forms.get(form_id)
                if form is not None:
                    return await form(turn, replace(event, values=_strings(values)))
            case Message(text=text):
                if len(text) > MESSAGE_LIMIT:
                    return [self._too_long(len(text))]
                pending = await turn.store.conversation(turn.person.id)
                typed = Typed(text, pending.topic, pending.data) if pending else Typed(text)
                for answer in table.texts:
                    answered = await answer(turn, typed)
                    if answered is not None:
                        return answered
        return [Reply(text=self._content.text("help.unknown_message"))]

    async def _help(self, turn: Turn, command: Command) -> list[Reply]:
        return [Reply(text=self._content.text("help.text"))]

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

    def _too_long(self, length: int) -> Reply:
        return Reply(
            text=self._content.text(
                "limits.too_long", label="A message", limit=MESSAGE_LIMIT, length=length
            )
        )


def _strings(values: Mapping[str, str]) -> dict[str, str]:
    # Platforms deliver what the client sent; keep only string fields.
    return {key: value for key, value in values.items() if isinstance(value, str)}
