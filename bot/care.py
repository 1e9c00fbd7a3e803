"""Answering words that suggest a crisis: with care, losing nothing, storing nothing unasked.

A possible crisis gets a private, warm reply with support resources. Check-ins pause for a few
days, and one tap ("I'm okay, carry on") undoes exactly that pause. What the person was doing
(adding a win, logging a rejection, a check-in note, an answer) is not thrown away: they are
asked in one tap whether to keep it, and nothing is saved before they say yes.

Where the pending action lives is the privacy decision of this module:

- The parts that hold no crisis words (the command's name, a form's other fields such as mood
  or stage, what the bot was waiting for) go into the conversation state in storage, like any
  other pending question, so a keep still works after a restart.
- The typed text that holds the crisis words is never written to storage or logs. It is held
  in this process's memory (:class:`HeldWords`) for a day at most, keyed by a random token that
  the buttons carry, and saved only when the person taps "keep": their explicit yes. A restart,
  another instance answering the tap, or "let it go" loses it, and the bot says so honestly.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field, replace

from bot import plan, safety
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.model import CheckinState
from bot.replies import Button, Reply
from bot.routes import Routes
from bot.turn import Turn

TOPIC = "safety.pending"
KEEP_ACTION = "safety.keep"
DROP_ACTION = "safety.drop"
CARRY_ON_ACTION = "safety.carry_on"
HOLD_FOR = dt.timedelta(hours=24)
HOLD_LIMIT = 10_000  # held texts per process; the oldest go first


@dataclass(frozen=True, slots=True)
class Pending:
    """What the person was doing: enough to do it again if they say keep."""

    token: str
    kind: str  # "command", "form" or "message"
    name: str  # the command's name or the form's id
    context: str = ""  # the form's context or the command's channel
    fields: Mapping[str, str] = field(default_factory=dict)
    held: tuple[str, ...] = ()  # names of the fields whose text holds the crisis words
    topic: str = ""  # what the bot was waiting for, for an answer typed as a message
    data: str = ""

    def without_held(self) -> Pending:
        """This action minus every field that holds crisis words: what storage may keep."""
        kept = {name: value for name, value in self.fields.items() if name not in self.held}
        return replace(self, fields=kept)

    def to_json(self) -> str:
        """The conversation-state form (call on :meth:`without_held` only)."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Pending | None:
        """The pending action in conversation state, or None if it is not one."""
        try:
            doc = json.loads(raw)
            return cls(
                token=str(doc["token"]),
                kind=str(doc["kind"]),
                name=str(doc["name"]),
                context=str(doc["context"]),
                fields={str(k): str(v) for k, v in dict(doc["fields"]).items()},
                held=tuple(str(name) for name in doc["held"]),
                topic=str(doc["topic"]),
                data=str(doc["data"]),
            )
        except (ValueError, KeyError, TypeError):
            return None

    def event(self, sender: Sender) -> Event | None:
        """The event to handle again; None if what is left cannot stand on its own."""
        if self.kind == "form":
            return FormSubmission(sender, self.name, dict(self.fields), self.context)
        text = self.fields.get("text")
        if text is None:
            return None
        if self.kind == "command":
            return Command(sender, self.name, text, self.context)
        return Message(sender, text)


class HeldWords:
    """Crisis-bearing text waiting for a yes, in memory only; see the module docstring."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[int, dt.datetime, Pending]] = {}

    def put(self, person_id: int, pending: Pending, now: dt.datetime) -> None:
        """Hold ``pending`` (all of it) for ``person_id`` until it expires."""
        self._expire(now)
        while len(self._held) >= HOLD_LIMIT:
            del self._held[next(iter(self._held))]
        self._held[pending.token] = (person_id, now + HOLD_FOR, pending)

    def take(self, person_id: int, token: str, now: dt.datetime) -> Pending | None:
        """The held action with ``token``, removed; None if gone or someone else's."""
        self._expire(now)
        entry = self._held.get(token)
        if entry is None or entry[0] != person_id:
            return None
        del self._held[token]
        return entry[2]

    def forget(self, person_id: int) -> None:
        """Drop everything held for a person (they deleted their data)."""
        for token in [t for t, entry in self._held.items() if entry[0] == person_id]:
            del self._held[token]

    def __len__(self) -> int:
        return len(self._held)

    def _expire(self, now: dt.datetime) -> None:
        for token in [t for t, entry in self._held.items() if entry[1] <= now]:
            del self._held[token]


async def answer(
    turn: Turn, event: Event, held_fields: set[str], held: HeldWords, resources: str
) -> Reply:
    """The private, warm reply; check-ins paused; what was typed held until they answer."""
    content = turn.content
    buttons: list[Button] = []
    waiting = await turn.store.conversation(turn.person.id)
    pending = await _pending(turn, event, held_fields)
    if pending is None:
        # Whatever question was open is dropped, but an earlier keep/let-go stays answerable.
        if waiting is not None and waiting.topic != TOPIC:
            await turn.store.clear_conversation(turn.person.id)
    else:
        held.put(turn.person.id, pending, turn.now)
        durable = pending.without_held().to_json()
        await turn.store.set_conversation(turn.person.id, TOPIC, durable, turn.now)
        buttons += [
            Button(content.text("safety.keep_button"), KEEP_ACTION, pending.token),
            Button(content.text("safety.drop_button"), DROP_ACTION, pending.token),
        ]
    paused = await _pause(turn)
    if paused:
        buttons.append(Button(content.text("safety.carry_on_button"), CARRY_ON_ACTION, paused))
    text = content.text("safety.reply", resources=resources)
    if pending is not None:
        what = content.table("safety.doing").get(pending.name, content.text("safety.doing.other"))
        text = f"{text}\n\n{content.text('safety.keep_question', doing=what)}"
    return Reply(text=text, buttons=tuple(buttons), private=True)


async def keep(
    turn: Turn, held: HeldWords, token: str, sender: Sender
) -> tuple[Event | None, Reply | None]:
    """Their yes: the action to handle again (as ``sender``), and a word if part of it is gone.

    After a restart only the stored parts are left: a form is handled with those (it asks
    again for what is missing), and the person is told their own words could not be kept.
    """
    full = held.take(turn.person.id, token, turn.now)
    durable = await _durable(turn, token)
    pending = full or durable
    if pending is not None and durable is not None:
        await turn.store.clear_conversation(turn.person.id)
    event = pending.event(sender) if pending is not None else None
    if pending is None or event is None:
        return None, Reply(text=turn.content.text("safety.keep_gone"))
    if pending.kind == "message" and pending.topic:
        await turn.store.set_conversation(turn.person.id, pending.topic, pending.data, turn.now)
    partly = full is None and bool(pending.held)
    return event, Reply(text=turn.content.text("safety.keep_partly")) if partly else None


async def drop(turn: Turn, held: HeldWords, token: str) -> Reply:
    """Their no: forget the held text and the pending action."""
    held.take(turn.person.id, token, turn.now)
    if await _durable(turn, token) is not None:
        await turn.store.clear_conversation(turn.person.id)
    return Reply(text=turn.content.text("safety.dropped"))


async def carry_on(turn: Turn, value: str) -> Reply:
    """The "I'm okay, carry on" button: undo the pause the care reply made, nothing else."""
    hold, _, prior = value.partition(":")
    person = turn.person
    ours = (
        person.checkins is CheckinState.PAUSED
        and person.paused_until is not None
        and str(int(person.paused_until.timestamp())) == hold
    )
    if not ours or not prior.isdigit():
        return Reply(text=turn.content.text("safety.carry_on_unchanged"))
    before = dt.datetime.fromtimestamp(int(prior), dt.UTC) if int(prior) else None
    if before is not None and before > turn.now:
        await turn.store.set_checkins(person.id, CheckinState.PAUSED, before)
    else:
        await turn.store.set_checkins(person.id, CheckinState.ACTIVE, None)
        await plan.replan(turn, replace(person, checkins=CheckinState.ACTIVE, paused_until=None))
    return Reply(text=turn.content.text("safety.carry_on"))


async def _pending(turn: Turn, event: Event, held_fields: set[str]) -> Pending | None:
    token = secrets.token_hex(6)
    match event:
        case Command(name=name, text=text, channel=channel):
            name = name.strip().lstrip("/").casefold()
            return Pending(token, "command", name, channel, {"text": text}, ("text",))
        case FormSubmission(form_id=form_id, values=values, context=context):
            fields = {k: v for k, v in values.items() if isinstance(v, str)}
            return Pending(token, "form", form_id, context, fields, tuple(sorted(held_fields)))
        case Message(text=text):
            # A message is something to keep only when it answered a question.
            waiting = await turn.store.conversation(turn.person.id)
            if waiting is None or waiting.topic == TOPIC:
                return None
            return Pending(
                token,
                "message",
                "message",
                fields={"text": text},
                held=("text",),
                topic=waiting.topic,
                data=waiting.data,
            )
    return None


async def _durable(turn: Turn, token: str) -> Pending | None:
    waiting = await turn.store.conversation(turn.person.id)
    if waiting is None or waiting.topic != TOPIC:
        return None
    pending = Pending.from_json(waiting.data)
    return pending if pending is not None and pending.token == token else None


async def _pause(turn: Turn) -> str:
    """Hold check-ins for a few days; the carry-on button's value, or "" if nothing changed."""
    person = turn.person
    if person.checkins is CheckinState.STOPPED:
        return ""
    until = turn.now + dt.timedelta(days=safety.HOLD_DAYS)
    if person.paused_until is not None and person.paused_until >= until:
        return ""
    await turn.store.set_checkins(person.id, CheckinState.PAUSED, until)
    prior = person.paused_until if person.checkins is CheckinState.PAUSED else None
    return f"{int(until.timestamp())}:{int(prior.timestamp()) if prior else 0}"


def routes(held: HeldWords, redo: Callable[[Turn, Event], Awaitable[list[Reply]]]) -> Routes:
    """The care reply's buttons, answered with ``held`` (this process's held words); ``redo``
    handles a kept action again, as if typed just now."""

    async def on_keep(turn: Turn, choice: Choice) -> list[Reply]:
        event, note = await keep(turn, held, choice.value, choice.sender)
        # Their explicit yes: handled as if typed just now, without asking again.
        replies = await redo(turn, event) if event is not None else []
        return [note, *replies] if note is not None else replies

    async def on_drop(turn: Turn, choice: Choice) -> list[Reply]:
        return [await drop(turn, held, choice.value)]

    async def on_carry_on(turn: Turn, choice: Choice) -> list[Reply]:
        return [await carry_on(turn, choice.value)]

    return Routes(
        choices={KEEP_ACTION: on_keep, DROP_ACTION: on_drop, CARRY_ON_ACTION: on_carry_on}
    )
