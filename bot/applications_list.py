"""``/applied list``: the applications, a page at a time, each with a tap to each other stage."""

from __future__ import annotations

import datetime as dt

from bot import applications_reminders as reminders
from bot.content import Content
from bot.model import Application, ApplicationStage
from bot.replies import Button, Reply
from bot.turn import Turn

EDIT_ACTION = "applied.edit"
LIST_ACTION = "applied.list"
PAGE = 10


async def listing(turn: Turn, start: int, *, every: bool = False) -> list[Reply]:
    """The applications still waiting for news (``every``: all of them), newest first, a page
    at a time, each with a button per stage it can move to."""
    content = turn.content
    everything = await turn.store.applications(turn.person.id)
    if not everything:
        return [Reply(text=content.text("applied.list_empty"))]
    numbered = list(enumerate(everything, start=1))
    shown = [(n, a) for n, a in numbered if every or a.stage.waiting]
    shown.reverse()
    if not shown:
        return [Reply(text=content.text("applied.list_none_waiting", count=len(everything)))]
    page = shown[start : start + PAGE]
    heading = content.text(
        "applied.list_heading_all" if every else "applied.list_heading", count=len(shown)
    )
    replies = [Reply(heading=heading, text=content.text("applied.list_intro"))]
    replies.extend(
        Reply(text=describe(content, n, a, turn.today), buttons=buttons(content, a))
        for n, a in page
    )
    if start + PAGE < len(shown):
        more = f"{start + PAGE}:{'all' if every else 'waiting'}"
        replies.append(
            Reply(
                text=content.text("applied.list_more", left=len(shown) - start - PAGE),
                buttons=(Button(content.text("applied.list_more_button"), LIST_ACTION, more),),
            )
        )
    return replies


def describe(content: Content, position: int, application: Application, today: dt.date) -> str:
    """One application in a line or two: number, company, role, stage and how long ago."""
    stages = content.table("applied.stages")
    parts = [
        content.text(
            "applied.item",
            number=position,
            company=application.company,
            role=application.role or content.text("applied.role_fallback"),
            stage=stages[application.stage.value],
            date=application.applied_on.isoformat(),
            ago=ago(content, application.applied_on, today),
        )
    ]
    if application.adjacent:
        parts.append(content.text("applied.item_adjacent"))
    if application.link:
        parts.append(application.link)
    return "\n".join(parts)


def ago(content: Content, day: dt.date, today: dt.date) -> str:
    """ "today", "yesterday" or "12 days ago"."""
    days = (today - day).days
    return content.text(f"applied.ago.{min(days, 2)}", days=days)


def buttons(content: Content, application: Application) -> tuple[Button, ...]:
    """One tap to each other stage, and one to edit."""
    labels = content.table("applied.stages")
    ident = str(application.id)
    return (
        *(
            Button(labels[stage.value], reminders.MOVE_ACTION, f"{ident}:{stage.value}")
            for stage in ApplicationStage
            if stage is not application.stage
        ),
        Button(content.text("applied.edit_button"), EDIT_ACTION, ident),
    )
