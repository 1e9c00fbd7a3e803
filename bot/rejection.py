"""``/rejected``: log a rejection and open the recovery plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot import feedback, mood, plan, reflection, zones
from bot.content import Content
from bot.events import Command, FormSubmission
from bot.forms import refusal, validate
from bot.model import Rejection, RejectionDraft, Stage
from bot.replies import Button, Field, FieldKind, Form, Option, Reply
from bot.routes import Routes
from bot.text import clean
from bot.turn import Turn

FORM_ID = "rejection"
NAME_LIMIT = 100


def form(content: Content, company: str = "", zone: Field | None = None, **known: str) -> Form:
    """The rejection form, with ``company`` filled in if the person typed one, and ``zone``
    (the time-zone question, see :func:`bot.zones.question`) last when it is asked. ``known``
    fills in other fields by name (role, stage, rejected_on, interviewer) from what the bot
    already knows, so nothing is typed twice."""
    stages = content.table("rejected.stage_labels")

    def optional(
        name: str, kind: FieldKind = FieldKind.TEXT, max_length: int = NAME_LIMIT
    ) -> Field:
        """A field that may stay empty, with its label and example from ``rejected.<name>``."""
        return Field(
            name,
            content.text(f"rejected.{name}"),
            kind,
            max_length=max_length,
            initial=known.get(name, ""),
            placeholder=content.text(f"rejected.{name}_placeholder"),
        )

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
            optional("role"),
            Field(
                "stage",
                content.text("rejected.stage"),
                FieldKind.CHOICE,
                required=True,
                options=tuple(Option(stage.value, stages[stage.value]) for stage in Stage),
                initial=known.get("stage", ""),
            ),
            optional("rejected_on", FieldKind.DATE, max_length=10),
            optional("interviewer"),
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
    replies, _ = await save(turn, submission)
    return replies


async def save(turn: Turn, submission: FormSubmission) -> tuple[list[Reply], Rejection | None]:
    """Save a filled-in rejection form (``/rejected``'s, or one opened from a tracked
    application: its id and context come back with a refusal) and plan the week; the
    replies, and the rejection if one was saved."""
    content, values = turn.content, submission.values
    blank = replace(
        form(content, zone=zones.question(turn, values.get(zones.FIELD, ""))),
        form_id=submission.form_id or FORM_ID,
        context=submission.context,
    )
    cleaned, errors = validate(blank, values, content, turn.today)
    if errors:
        return [refusal(blank, cleaned, errors)], None
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
    return replies, rejection


ROUTES = Routes(commands={"rejected": begin}, forms={FORM_ID: submit})
