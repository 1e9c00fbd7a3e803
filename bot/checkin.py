"""``/checkin``: a mood and a note now, and the person's check-in preferences."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from bot import plan
from bot.content import Content
from bot.forms import refusal, validate
from bot.model import Person, ZoneSource
from bot.replies import Button, Field, FieldKind, Form, Option, Reply
from bot.schedule import known_zone
from bot.text import clean, number
from bot.turn import Turn

FORM_ID = "checkin"
SETTINGS_FORM_ID = "checkin_settings"
MOOD_ACTION = "checkin.mood"
NOTE_LIMIT = 1000
_NUMBERISH = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?")
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", re.ASCII)


def form(content: Content) -> Form:
    """Mood and an optional note."""
    feelings = content.table("rejected.feeling_labels")
    return Form(
        form_id=FORM_ID,
        title=content.text("checkin.form_title"),
        fields=(
            Field(
                "mood",
                content.text("checkin.mood"),
                FieldKind.CHOICE,
                required=True,
                options=tuple(Option(str(n), feelings[str(n)]) for n in range(1, 6)),
            ),
            Field("note", content.text("checkin.note"), FieldKind.LONG_TEXT, max_length=NOTE_LIMIT),
        ),
    )


def mood_buttons(content: Content) -> tuple[Button, ...]:
    """One button per mood, for a quick answer."""
    feelings = content.table("rejected.feeling_labels")
    return tuple(Button(feelings[str(n)], MOOD_ACTION, str(n)) for n in range(1, 6))


def settings_form(content: Content, person: Person) -> Form:
    """The person's check-in preferences, showing what they are now."""
    return Form(
        form_id=SETTINGS_FORM_ID,
        title=content.text("checkin.settings_title"),
        fields=(
            Field(
                "timezone",
                content.text("checkin.timezone"),
                required=True,
                max_length=64,
                initial=person.timezone,
            ),
            Field(
                "checkin_time",
                content.text("checkin.checkin_time"),
                required=True,
                max_length=5,
                initial=person.checkin_time.strftime("%H:%M"),
            ),
            Field(
                "quiet_start",
                content.text("checkin.quiet_start"),
                required=True,
                max_length=5,
                initial=person.quiet_start.strftime("%H:%M"),
            ),
            Field(
                "quiet_end",
                content.text("checkin.quiet_end"),
                required=True,
                max_length=5,
                initial=person.quiet_end.strftime("%H:%M"),
            ),
            Field(
                "weekdays_only",
                content.text("checkin.weekdays_only"),
                required=True,
                max_length=3,
                initial="yes" if person.weekdays_only else "no",
            ),
        ),
    )


async def command(turn: Turn, text: str) -> list[Reply]:
    """``/checkin``, ``/checkin 3 a note``, ``/checkin settings``."""
    words = clean(text)
    first, _, rest = words.partition(" ")
    verb = first.casefold()
    if verb == "settings":
        return [Reply(form=settings_form(turn.content, turn.person))]
    if verb in ("pause", "resume", "stop"):
        return await plan.command(turn, verb, rest.strip())
    score = number(first, maximum=5)
    if score is not None:
        return await submit(turn, {"mood": str(score), "note": rest})
    if _NUMBERISH.fullmatch(first):
        # "/checkin 0" or "/checkin 7": say why before offering the form again.
        why = turn.content.text("checkin.bad_mood", value=first[:8])
        return [Reply(text=why, form=form(turn.content))]
    return [Reply(form=form(turn.content))]


async def on_button(turn: Turn, value: str) -> list[Reply]:
    """A mood button was pressed."""
    return await submit(turn, {"mood": value})


async def submit(turn: Turn, values: Mapping[str, str]) -> list[Reply]:
    """Store a mood and answer according to it."""
    content = turn.content
    blank = form(content)
    cleaned, errors = validate(blank, values, content, turn.today)
    if errors:
        return [refusal(blank, cleaned, errors)]
    score = int(cleaned["mood"])
    await turn.store.add_mood(turn.person.id, score, cleaned["note"], "checkin", turn.now)
    key = "saved_low" if score <= 2 else "saved_high" if score >= 4 else "saved_mid"
    return [Reply(text=content.text(f"checkin.{key}"))]


async def submit_settings(turn: Turn, values: Mapping[str, str]) -> list[Reply]:
    """Validate and store check-in preferences."""
    content = turn.content
    blank = settings_form(content, turn.person)
    cleaned, errors = validate(blank, values, content, turn.today)
    labels = {field.name: field.label for field in blank.fields}
    zone = cleaned.get("timezone", "")
    if "timezone" not in errors and not known_zone(zone):
        errors["timezone"] = content.text(
            "checkin.bad_timezone", label=labels["timezone"], value=zone
        )
    times: dict[str, dt.time] = {}
    for name in ("checkin_time", "quiet_start", "quiet_end"):
        if name in errors:
            continue
        parsed = parse_time(cleaned[name])
        if parsed is None:
            errors[name] = content.text("checkin.bad_time", label=labels[name])
        else:
            times[name] = parsed
    weekdays = cleaned.get("weekdays_only", "").casefold()
    if "weekdays_only" not in errors and weekdays not in ("yes", "y", "no", "n"):
        errors["weekdays_only"] = content.text("checkin.bad_yes_no", label=labels["weekdays_only"])
    if errors:
        return [refusal(blank, cleaned, errors)]
    person = await turn.store.update_settings(
        turn.person.id,
        timezone=zone,
        checkin_time=times["checkin_time"],
        quiet_start=times["quiet_start"],
        quiet_end=times["quiet_end"],
        weekdays_only=weekdays.startswith("y"),
    )
    if zone != turn.person.timezone:
        # Their own choice from now on: a platform's zone never overrides it.
        person = await turn.store.set_timezone(person.id, zone, ZoneSource.PERSON)
    await plan.replan(turn, person)
    return [
        Reply(
            text=content.text(
                "checkin.settings_saved",
                time=person.checkin_time.strftime("%H:%M"),
                timezone=person.timezone,
                quiet_start=person.quiet_start.strftime("%H:%M"),
                quiet_end=person.quiet_end.strftime("%H:%M"),
                weekdays=content.text("checkin.weekdays_suffix") if person.weekdays_only else "",
            )
        )
    ]


def parse_time(text: str) -> dt.time | None:
    """``"9:30"`` or ``"09:30"`` as a time of day, else None."""
    match = _TIME.fullmatch(text.strip())
    return dt.time(int(match[1]), int(match[2])) if match else None
