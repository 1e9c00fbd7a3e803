"""How a person feels now: a mood from 1 (awful) to 5 (good) and an optional note.

Given by the ``/checkin`` form, by ``/checkin 3 a note``, by the mood buttons under a
check-in, or by a bare number typed in a private chat.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from bot.content import Content
from bot.events import Choice, FormSubmission
from bot.forms import refusal, validate
from bot.replies import Button, Field, FieldKind, Form, Option, Reply
from bot.routes import Routes, Typed
from bot.text import number
from bot.turn import Turn

FORM_ID = "checkin"
MOOD_ACTION = "checkin.mood"
NOTE_LIMIT = 1000
SCALE = range(1, 6)


def scale_field(content: Content, name: str, label: str) -> Field:
    """A required 1-to-5 choice labelled with the feelings, for any form that asks one."""
    feelings = content.table("rejected.feeling_labels")
    options = tuple(Option(str(n), feelings[str(n)]) for n in SCALE)
    return Field(name, label, FieldKind.CHOICE, required=True, options=options)


def form(content: Content) -> Form:
    """Mood and an optional note."""
    return Form(
        form_id=FORM_ID,
        title=content.text("checkin.form_title"),
        fields=(
            scale_field(content, "mood", content.text("checkin.mood")),
            Field("note", content.text("checkin.note"), FieldKind.LONG_TEXT, max_length=NOTE_LIMIT),
        ),
    )


@cache
def buttons(content: Content) -> tuple[Button, ...]:
    """One button per mood, for a quick answer (under /checkin and under check-ins)."""
    feelings = content.table("rejected.feeling_labels")
    return tuple(Button(feelings[str(n)], MOOD_ACTION, str(n)) for n in SCALE)


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


async def _on_button(turn: Turn, choice: Choice) -> list[Reply]:
    return await submit(turn, {"mood": choice.value})


async def _on_form(turn: Turn, submission: FormSubmission) -> list[Reply]:
    return await submit(turn, submission.values)


async def _on_number(turn: Turn, typed: Typed) -> list[Reply] | None:
    # A bare 1 to 5 answers a mood check-in (the buttons' numbers), whatever else waits.
    if number(typed.text, maximum=len(SCALE)) is None:
        return None
    return await submit(turn, {"mood": typed.text.strip()})


ROUTES = Routes(choices={MOOD_ACTION: _on_button}, forms={FORM_ID: _on_form}, texts=(_on_number,))
