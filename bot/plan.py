"""The recovery plan from the person's side: planning it, pausing or stopping it, and the
answers they give to check-ins (by button or in words)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from bot import checkin_messages, feedback
from bot.events import Choice
from bot.model import CheckinState, Person, PlannedMessage, Rejection, WinKind
from bot.replies import Reply
from bot.routes import Routes, Typed
from bot.schedule import (
    Preferences,
    Slot,
    Step,
    recovery_plan,
    same_local_time,
    spread,
    tomorrow,
)
from bot.schedule import replan as replan_slot
from bot.text import clean, number
from bot.turn import Turn
from bot.writes import NewPlanned, RecoveryPlan

PAUSE_DEFAULT_DAYS = 3
PAUSE_LIMIT_DAYS = 60
ANSWER_LIMIT = 500
_APPLIED = re.compile(r"\bappl(?:ied|y|ying)\b\D{0,12}?([0-9]{1,3})\b", re.IGNORECASE)
_PUNCTUATION = " .!?"


def preferences(person: Person) -> Preferences:
    """A person's check-in preferences as the scheduling math takes them."""
    return Preferences(
        timezone=person.timezone,
        checkin_time=person.checkin_time,
        quiet_start=person.quiet_start,
        quiet_end=person.quiet_end,
        weekdays_only=person.weekdays_only,
    )


def when(turn: Turn, slot: Slot) -> str:
    """A slot as the person reads it: "Wednesday at 10:00" (day names from the content file)."""
    weekday = turn.content.get("community.weekdays")[slot.local.weekday()]
    return turn.content.text("plan.moments", weekday=weekday, time=slot.local.strftime("%H:%M"))


async def start(turn: Turn, rejection: Rejection) -> Reply:
    """Plan the week after a rejection, replacing any plan already running."""
    if turn.person.checkins is CheckinState.STOPPED:
        return Reply(text=turn.content.text("plan.not_scheduled"))
    steps = recovery_plan(turn.now, preferences(turn.person))
    plan = RecoveryPlan(turn.person.id, turn.person.platform, rejection.id, steps)
    await turn.store.replace_plan(plan, turn.now)
    return Reply(
        text=turn.content.text(
            "plan.scheduled", when=when(turn, steps[0][1]), zone=turn.person.timezone
        )
    )


async def command(turn: Turn, verb: str, rest: str) -> list[Reply]:
    """``/checkin pause [days]``, ``/checkin resume``, ``/checkin stop``."""
    if verb == "stop":
        return [await stop(turn)]
    if verb == "resume":
        return [await resume(turn)]
    days = number(rest, maximum=PAUSE_LIMIT_DAYS) if rest else PAUSE_DEFAULT_DAYS
    if days is None:
        return [Reply(text=turn.content.text("plan.pause_usage", limit=PAUSE_LIMIT_DAYS))]
    return [await pause(turn, days)]


async def stop(turn: Turn) -> Reply:
    """Nothing more arrives, ever, until the person resumes."""
    await turn.store.set_checkins(turn.person.id, CheckinState.STOPPED, None)
    await turn.store.cancel_planned(turn.person.id, "stopped")
    return Reply(text=turn.content.text("plan.stopped"))


async def pause(turn: Turn, days: int) -> Reply:
    """Hold every check-in until ``days`` from now; the dispatcher moves what comes due."""
    until = turn.now + dt.timedelta(days=days)
    await turn.store.set_checkins(turn.person.id, CheckinState.PAUSED, until)
    local = until.astimezone(turn.zone).replace(tzinfo=None)
    slot = Slot(due=until, local=local, zone=turn.person.timezone)
    until_text = f"{when(turn, slot)} ({local.date().isoformat()})"
    return Reply(text=turn.content.text("plan.paused", until=until_text))


async def resume(turn: Turn) -> Reply:
    """Back on: what is still planned moves to fresh slots from now; after a stop, a check-in
    tomorrow restarts the weekly rhythm."""
    await turn.store.set_checkins(turn.person.id, CheckinState.ACTIVE, None)
    prefs = preferences(turn.person)
    pending = await turn.store.planned(turn.person.id)
    if pending:
        moved = await _settle(turn, turn.person, pending, [(m.id, _slot_of(m)) for m in pending])
        return Reply(text=turn.content.text("plan.resumed", when=when(turn, moved[0][1])))
    slot = tomorrow(turn.now, prefs)
    plan = RecoveryPlan(turn.person.id, turn.person.platform, None, [(Step.WEEKLY, slot)])
    await turn.store.replace_plan(plan, turn.now)
    return Reply(text=turn.content.text("plan.resumed", when=when(turn, slot)))


async def replan(turn: Turn, person: Person) -> None:
    """Move what is planned to a person's new time, zone or quiet hours: each check-in keeps
    its local day where it can, and no two land on one day."""
    prefs = preferences(person)
    pending = await turn.store.planned(person.id)
    await _settle(turn, person, pending, [(m.id, replan_slot(m.local, prefs)) for m in pending])


async def follow_zone(turn: Turn, person: Person) -> None:
    """A person moved to another zone: what is planned keeps its local times there (Wednesday
    10:00 stays Wednesday 10:00), moved on where that moment has already passed."""
    prefs = preferences(person)
    pending = await turn.store.planned(person.id)
    await _settle(
        turn, person, pending, [(m.id, same_local_time(_slot_of(m), prefs)) for m in pending]
    )


async def _settle(
    turn: Turn,
    person: Person,
    pending: Sequence[PlannedMessage],
    wanted: Sequence[tuple[int | None, Slot]],
) -> list[tuple[int | None, Slot]]:
    """Spread ``wanted`` (planned message id, the slot it should have; None for one not stored
    yet) over separate days from now, store the moves, and return where each landed. Of two
    wanting one moment, the one listed first keeps it."""
    ordered = sorted(wanted, key=lambda item: item[1].due)
    slots = spread([slot for _, slot in ordered], preferences(person), turn.now)
    placed = [(planned_id, slot) for (planned_id, _), slot in zip(ordered, slots, strict=True)]
    stored = {message.id: _slot_of(message) for message in pending}
    moves = [(i, slot) for i, slot in placed if i is not None and stored.get(i) != slot]
    if moves:
        await turn.store.move_planned(person.id, moves)
    return placed


async def weekly(turn: Turn, choice: Choice) -> list[Reply]:
    """Keep the weekly check-ins after the plan's last step, or stop them."""
    if choice.value == "stop":
        return [await stop(turn)]
    next_one = await turn.store.planned(turn.person.id)
    if not next_one:
        return [await resume(turn)]
    when_next = when(turn, _slot_of(next_one[0]))
    return [Reply(text=turn.content.text("plan.kept_weekly", when=when_next))]


def _slot_of(message: PlannedMessage) -> Slot:
    return Slot(due=message.due, local=message.local, zone=message.zone)


async def snooze(turn: Turn, value: str) -> Reply:
    """ "Remind me tomorrow" under a check-in: ask the same thing again tomorrow."""
    planned_id, _, rest = value.partition(":")
    kind, _, rejection_id = rest.partition(":")
    step = Step.of(kind)
    if turn.person.checkins is CheckinState.STOPPED or step is None:
        return Reply(text=turn.content.text("plan.snooze_gone"))
    prefs = preferences(turn.person)
    wanted = number(planned_id, maximum=2**62)
    pending = await turn.store.planned(turn.person.id)
    known = wanted if any(m.id == wanted for m in pending) else None
    # The snoozed step comes tomorrow; anything already planned from then on makes room.
    placed = await _settle(
        turn,
        turn.person,
        pending,
        [
            (known, tomorrow(turn.now, prefs)),
            *((m.id, _slot_of(m)) for m in pending if m.id != known),
        ],
    )
    slot = next(s for i, s in placed if i == known)
    if known is None:
        # Already sent (the usual case): plan the same step once more, for tomorrow.
        own = {r.id for r in await turn.store.rejections(turn.person.id)}
        rejection = number(rejection_id, maximum=2**62)
        again = NewPlanned(
            turn.person.id,
            turn.person.platform,
            step,
            slot,
            rejection_id=rejection if rejection in own else None,
        )
        await turn.store.add_planned(again, turn.now)
    return Reply(text=turn.content.text("plan.snoozed", when=when(turn, slot)))


async def offer(turn: Turn) -> Reply:
    """The best news: celebrate and end the plan."""
    await turn.store.add_answer(turn.person.id, "offer", "", turn.now)
    await turn.store.set_checkins(turn.person.id, CheckinState.STOPPED, None)
    await turn.store.cancel_planned(turn.person.id, "offer")
    await turn.store.clear_conversation(turn.person.id)
    return Reply(text=turn.content.text("plan.offer"))


async def applied(turn: Turn, value: str) -> list[Reply]:
    """Record how many applications went out this week."""
    count = 0 if value.strip() == "0" else number(value, maximum=999)
    if count is None:
        return [Reply(text=turn.content.text("limits.bad_number", example="3"))]
    await turn.store.add_answer(turn.person.id, "applied", str(count), turn.now)
    await turn.store.clear_conversation(turn.person.id)
    key = "plan.applied_saved_one" if count == 1 else "plan.applied_saved"
    return [Reply(text=turn.content.text(key, count=count))]


async def on_text(turn: Turn, typed: Typed) -> list[Reply] | None:
    """Words typed in a private chat that answer a check-in; None if they answer nothing."""
    content, topic = turn.content, typed.topic
    words = clean(typed.text)
    phrase = words.casefold().strip(_PUNCTUATION)
    if _unwrapped(phrase, content.words("plan.words.polite")) in content.words("plan.words.stop"):
        return [await stop(turn)]
    if phrase in content.words("plan.words.pause"):
        return [await pause(turn, PAUSE_DEFAULT_DAYS)]
    if phrase in content.words("plan.words.offer"):
        return [await offer(turn)]
    if phrase in content.words("plan.words.sent"):
        latest = await _latest_rejection(turn)
        if latest is not None:
            return await feedback.on_button(turn, feedback.SENT_ACTION, str(latest.id))
    if phrase in content.words("plan.words.reply"):
        latest = await _latest_rejection(turn)
        if latest is not None:
            return await feedback.on_button(turn, feedback.REPLY_ACTION, str(latest.id))
    found = _APPLIED.search(words)
    if found is not None or (topic == checkin_messages.APPLIED_TOPIC and phrase.isdigit()):
        return await applied(turn, found.group(1) if found else phrase)
    if len(words) > ANSWER_LIMIT:
        return [
            Reply(
                text=content.text(
                    "limits.too_long", label="An answer", limit=ANSWER_LIMIT, length=len(words)
                )
            )
        ]
    if topic == checkin_messages.STRENGTH_TOPIC and words:
        await turn.store.add_win(turn.person.id, words, WinKind.ACCOMPLISHMENT, turn.now)
        await turn.store.clear_conversation(turn.person.id)
        return [Reply(text=content.text("plan.strength_saved"))]
    if topic == feedback.LESSON_TOPIC and words:
        await turn.store.add_answer(turn.person.id, "lesson", words, turn.now)
        await turn.store.clear_conversation(turn.person.id)
        return [Reply(text=content.text("plan.lesson_saved"))]
    return None


def _unwrapped(phrase: str, polite: Sequence[str]) -> str:
    """``phrase`` without the courtesies around it: "please stop messaging me, thanks" ->
    "stop messaging me"."""
    words = phrase.replace(",", " ").split()
    changed = True
    while changed and words:
        changed = False
        for courtesy in polite:
            size = len(courtesy.split())
            if words[:size] == courtesy.split() and len(words) > size:
                words, changed = words[size:], True
            elif words[-size:] == courtesy.split() and len(words) > size:
                words, changed = words[:-size], True
    return " ".join(words).strip(_PUNCTUATION)


async def _latest_rejection(turn: Turn) -> Rejection | None:
    rejections = await turn.store.rejections(turn.person.id)
    return rejections[-1] if rejections else None


async def _snooze(turn: Turn, choice: Choice) -> list[Reply]:
    return [await snooze(turn, choice.value)]


async def _applied(turn: Turn, choice: Choice) -> list[Reply]:
    return await applied(turn, choice.value)


async def _not_yet(turn: Turn, choice: Choice) -> list[Reply]:
    return [Reply(text=turn.content.text("plan.not_yet_saved"))]


ROUTES = Routes(
    choices={
        checkin_messages.SNOOZE_ACTION: _snooze,
        checkin_messages.APPLIED_ACTION: _applied,
        checkin_messages.NOT_YET_ACTION: _not_yet,
        checkin_messages.WEEKLY_ACTION: weekly,
    },
    texts=(on_text,),
)
