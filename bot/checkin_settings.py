"""``/checkin``: when check-ins come (the person's settings), pausing, resuming or stopping
them; a mood given with the command goes to :mod:`bot.mood`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from bot import applications_plan, mood, plan
from bot.content import Content
from bot.events import Command, FormSubmission
from bot.forms import refusal, validate
from bot.model import CheckinState, Person, ZoneSource
from bot.replies import Field, Form, Reply
from bot.routes import Routes
from bot.schedule import Preferences, known_zone
from bot.text import clean, number, parse_time
from bot.turn import Turn

SETTINGS_FORM_ID = "checkin_settings"
TIMES = ("checkin_time", "quiet_start", "quiet_end")
_NUMBERISH = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?")


def settings_form(content: Content, person: Person) -> Form:
    """The person's check-in preferences, showing what they are now."""
    times = {
        "checkin_time": person.checkin_time,
        "quiet_start": person.quiet_start,
        "quiet_end": person.quiet_end,
    }

    def field(name: str, max_length: int, initial: str) -> Field:
        label = content.text(f"checkin.{name}")
        return Field(name, label, required=True, max_length=max_length, initial=initial)

    return Form(
        form_id=SETTINGS_FORM_ID,
        title=content.text("checkin.settings_title"),
        fields=(
            field("timezone", 64, person.timezone),
            *(field(name, 5, times[name].strftime("%H:%M")) for name in TIMES),
            field("weekdays_only", 3, "yes" if person.weekdays_only else "no"),
        ),
    )


async def command(turn: Turn, command: Command) -> list[Reply]:
    """``/checkin``, ``/checkin 3 a note``, ``/checkin settings``, ``/checkin pause [days]``,
    ``/checkin resume``, ``/checkin stop``."""
    words = clean(command.text)
    first, _, rest = words.partition(" ")
    verb = first.casefold()
    if verb == "settings":
        return [Reply(form=settings_form(turn.content, turn.person))]
    if verb in ("pause", "resume", "stop"):
        replies = await plan.command(turn, verb, rest.strip())
        if verb == "resume":
            # Stopping cancelled the reminders about applications too: they come back.
            resumed = replace(turn.person, checkins=CheckinState.ACTIVE, paused_until=None)
            await applications_plan.plan_all(replace(turn, person=resumed))
        return replies
    score = number(first, maximum=len(mood.SCALE))
    if score is not None:
        return await mood.submit(turn, {"mood": str(score), "note": rest})
    if _NUMBERISH.fullmatch(first):
        # "/checkin 0" or "/checkin 7": say why before offering the form again.
        why = turn.content.text("checkin.bad_mood", value=first[:8])
        return [Reply(text=why, form=mood.form(turn.content))]
    return [Reply(form=mood.form(turn.content))]


async def submit_settings(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """Validate and store check-in preferences."""
    content = turn.content
    blank = settings_form(content, turn.person)
    cleaned, errors = validate(blank, submission.values, content, turn.today)
    labels = {field.name: field.label for field in blank.fields}
    zone = cleaned.get("timezone", "")
    if "timezone" not in errors and not known_zone(zone):
        errors["timezone"] = content.text(
            "checkin.bad_timezone", label=labels["timezone"], value=zone
        )
    times: dict[str, dt.time] = {}
    for name in TIMES:
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
    chosen = Preferences(
        timezone=zone,
        checkin_time=times["checkin_time"],
        quiet_start=times["quiet_start"],
        quiet_end=times["quiet_end"],
        weekdays_only=weekdays.startswith("y"),
    )
    person = await turn.store.update_settings(turn.person.id, chosen)
    if zone != turn.person.timezone:
        # Their own choice from now on: a platform's zone never overrides it.
        person = await turn.store.set_timezone(person.id, zone, ZoneSource.PERSON)
    await plan.replan(turn, person)
    await applications_plan.plan_all(replace(turn, person=person))
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


ROUTES = Routes(commands={"checkin": command}, forms={SETTINGS_FORM_ID: submit_settings})
