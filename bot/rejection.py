"""``/rejected``: log a rejection and open the recovery plan."""

from __future__ import annotations

import datetime as dt

from bot import feedback, mood, plan, reflection, zones
from bot.content import Content
from bot.events import Command, FormSubmission
from bot.forms import refusal, validate
from bot.model import RejectionDraft, Stage
from bot.replies import Button, Field, FieldKind, Form, Option, Reply
from bot.routes import Routes
from bot.text import clean
from bot.turn import Turn

FORM_ID = "rejection"
NAME_LIMIT = 100


def form(content: Content, company: str = "", zone: Field | None = None) -> Form:
    """The rejection form, with ``company`` filled in if the person typed one, and ``zone``
    (the time-zone question, see :func:`bot.zones.question`) last when it is asked."""
    stages = content.table("rejected.stage_labels")
    return Form(
        form_id=FORM_ID,
        title=content.text("rejected.form_title"),
        submit_label=content.text("rejected.submit"),
        fields=(
            Field(
                "company",
                content.text("rejected.company"),
                required=True,
                max_length=NAME_LIMIT,
                initial=company,
            ),
            Field(
                "role",
                content.text("rejected.role"),
                max_length=NAME_LIMIT,
                placeholder=content.text("rejected.role_placeholder"),
            ),
            Field(
                "stage",
                content.text("rejected.stage"),
                FieldKind.CHOICE,
                required=True,
                options=tuple(Option(stage.value, stages[stage.value]) for stage in Stage),
            ),
            Field(
                "rejected_on",
                content.text("rejected.rejected_on"),
                FieldKind.DATE,
                max_length=10,
                placeholder=content.text("rejected.rejected_on_placeholder"),
            ),
            Field(
                "interviewer",
                content.text("rejected.interviewer"),
                max_length=NAME_LIMIT,
                placeholder=content.text("rejected.interviewer_placeholder"),
            ),
            mood.scale_field(content, "feeling", content.text("rejected.feeling")),
            *((zone,) if zone is not None else ()),
        ),
    )


async def begin(turn: Turn, command: Command) -> list[Reply]:
    """Open the form, prefilled with whatever followed the command."""
    company = clean(command.text)[:NAME_LIMIT]
    return [Reply(form=form(turn.content, company, zones.question(turn)))]


async def submit(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """Save a filled-in form and answer with the first steps of the plan."""
    content, values = turn.content, submission.values
    blank = form(content, zone=zones.question(turn, values.get(zones.FIELD, "")))
    cleaned, errors = validate(blank, values, content, turn.today)
    if errors:
        return [refusal(blank, cleaned, errors)]
    if cleaned.get(zones.FIELD):
        # Asked once, on the first /rejected: the plan below already uses the answer.
        turn = await zones.choose(turn, cleaned[zones.FIELD])
    draft = RejectionDraft(
        company=cleaned["company"],
        role=cleaned["role"],
        stage=Stage(cleaned["stage"]),
        rejected_on=(
            dt.date.fromisoformat(cleaned["rejected_on"]) if cleaned["rejected_on"] else turn.today
        ),
        interviewer=cleaned["interviewer"],
        feeling=int(cleaned["feeling"]),
    )
    rejection = await turn.store.add_rejection(turn.person.id, draft, turn.now)
    feeling_key = "low" if draft.feeling <= 2 else "high" if draft.feeling >= 4 else "mid"
    body = content.text(f"rejected.by_stage.{draft.stage.value}")
    if feeling_key != "mid":
        body = f"{body}\n{content.text(f'rejected.by_feeling.{feeling_key}')}"
    scheduled = await plan.start(turn, rejection)
    heading = content.text(
        f"rejected.saved_heading.{feeling_key}", name=turn.name, company=draft.company
    )
    replies = [
        Reply(heading=heading, text=body),
        Reply(
            text=content.text("rejected.offer_note.text"),
            buttons=(
                Button(
                    content.text("rejected.offer_note.button"),
                    feedback.NOTE_ACTION,
                    str(rejection.id),
                ),
            ),
        ),
    ]
    question = await reflection.start(turn, rejection)
    if question is not None:
        replies.append(question)
    replies.append(scheduled)
    return replies


ROUTES = Routes(commands={"rejected": begin}, forms={FORM_ID: submit})
