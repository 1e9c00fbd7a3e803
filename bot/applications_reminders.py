"""Reminders about applications gone quiet ("ghosting"): their kinds, how one leads to the
next, and the words of each, written when the dispatcher sends it.

No news for the person's number of days brings one gentle "Any news from Acme?" with a
follow-up note to send; no answer to it brings a second a week later; no answer to that, a
week on, files the application under "no answer" (a no on the road, nothing more) and says so.
Any news (a button, a new stage) cancels what is pending and starts the count again.
"""

from __future__ import annotations

import datetime as dt

from bot.content import Content
from bot.model import Application, ApplicationStage, Due
from bot.replies import Button, Reply
from bot.schedule import Preferences, Slot, first_slot_after

FIRST = "app_nudge"
SECOND = "app_again"
CLOSING = "app_close"
KINDS = (FIRST, SECOND, CLOSING)
GAP = dt.timedelta(days=7)

WAITING_ACTION = "applied.waiting"
MOVE_ACTION = "applied.move"
# The answers a reminder offers, besides "still waiting".
ANSWERS = (ApplicationStage.INTERVIEW, ApplicationStage.REJECTED, ApplicationStage.NO_ANSWER)


def follow_up(kind: str, previous: Slot, prefs: Preferences) -> tuple[str, Slot] | None:
    """The reminder after ``kind`` when it goes unanswered, a week after ``previous``."""
    following = {FIRST: SECOND, SECOND: CLOSING}.get(kind)
    if following is None:
        return None
    return following, first_slot_after(previous.due, prefs, previous.local.date() + GAP)


def build(content: Content, due: Due) -> list[Reply]:
    """The reminder's replies: the question with its answers, and the note to send."""
    application = due.application
    if application is None:  # gone since the claim: the dispatcher skips it before this
        return []
    person = due.person
    today = due.message.local.date()
    values = {
        "company": application.company,
        "role": application.role or content.text("applied.role_fallback"),
        "date": application.applied_on.isoformat(),
        "days": (today - application.applied_on).days,
    }
    kind = due.message.kind if due.message.kind in KINDS else FIRST
    ident = str(application.id)
    if kind == CLOSING:
        buttons = tuple(
            Button(content.text(f"applied.answer.{stage.value}"), MOVE_ACTION, f"{ident}:{stage}")
            for stage in ANSWERS[:2]
        )
        return [Reply(text=content.text("applied.reminder.closed", **values), buttons=buttons)]
    buttons = (
        Button(content.text("applied.answer.waiting"), WAITING_ACTION, ident),
        *(
            Button(content.text(f"applied.answer.{stage.value}"), MOVE_ACTION, f"{ident}:{stage}")
            for stage in ANSWERS
        ),
    )
    name = person.display_name or person.user_id
    return [
        Reply(text=content.text(f"applied.reminder.{kind}", **values), buttons=buttons),
        Reply(
            heading=content.text("applied.note.heading"),
            quote=note(content, application, name),
        ),
    ]


def note(content: Content, application: Application, name: str) -> str:
    """A short, polite follow-up the person may send: only what they told, nothing invented."""
    greetings = content.table("applied.note.greeting")
    greeting = (
        greetings["named"].format(interviewer=application.interviewer)
        if application.interviewer
        else greetings["unnamed"]
    )
    return content.text(
        "applied.note.body",
        greeting=greeting,
        company=application.company,
        role=application.role or content.text("applied.role_fallback"),
        date=application.applied_on.isoformat(),
        name=name,
    )
