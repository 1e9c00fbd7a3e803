"""``/applied``: track applications, move them along with one tap, and turn a "no" into the
recovery plan with everything already known filled in.

``/applied [company]`` opens the form; ``/applied list [all]`` shows them with their buttons;
``/applied update N STAGE`` moves one by its number, ``/applied remove N`` deletes one;
``/applied export`` gives a CSV;
``/applied settings`` sets the days without news before a reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from bot import applications_plan, applications_settings, rejection
from bot import applications_reminders as reminders
from bot.applications_export import csv_attachment
from bot.applications_list import EDIT_ACTION, LIST_ACTION, buttons, listing
from bot.content import Content
from bot.events import Choice, Command, FormSubmission
from bot.forms import refusal, validate
from bot.model import Application, ApplicationDraft, ApplicationStage, Stage
from bot.replies import Field, FieldKind, Form, Option, Reply
from bot.routes import Routes
from bot.text import clean, number
from bot.turn import Turn
from bot.writes import ApplicationNews

FORM_ID = "application"
EDIT_FORM = "application_edit"
REJECTED_FORM = "application_rejected"
NAME_LIMIT = 100
LINK_LIMIT = 500
NOTES_LIMIT = 1000
EARLIEST = "1990-01-01"
# What a stage was, in the words of the rejection form.
REJECTED_AT = {
    ApplicationStage.APPLIED: Stage.APPLICATION,
    ApplicationStage.SCREENING: Stage.PHONE_SCREEN,
    ApplicationStage.INTERVIEW: Stage.INTERVIEW,
    ApplicationStage.FINAL_ROUND: Stage.FINAL_ROUND,
    ApplicationStage.OFFER: Stage.OFFER_WITHDRAWN,
}


def form(content: Content, today: dt.date, was: Application | None = None) -> Form:
    """The application form: a new one, or ``was``'s to edit (with its interviewer and notes)."""
    text = content.table("applied.fields")

    def line(name: str, limit: int, initial: str, required: bool = False) -> Field:
        return Field(name, text[name], required=required, max_length=limit, initial=initial)

    fields = [
        line("company", NAME_LIMIT, was.company if was else "", required=True),
        line("role", NAME_LIMIT, was.role if was else ""),
        Field("link", text["link"], max_length=LINK_LIMIT, initial=was.link if was else "",
              placeholder=text["link_hint"]),
        Field("applied_on", text["applied_on"], FieldKind.DATE, required=True, max_length=10,
              initial=(was.applied_on if was else today).isoformat(), earliest=EARLIEST),
        Field("adjacent", text["adjacent"], FieldKind.CHOICE, required=True,
              options=(Option("no", text["adjacent_no"]), Option("yes", text["adjacent_yes"])),
              initial="yes" if was and was.adjacent else "no"),
    ]  # fmt: skip
    if was is not None:
        fields.append(line("interviewer", NAME_LIMIT, was.interviewer))
        fields.append(
            Field("notes", text["notes"], FieldKind.LONG_TEXT, max_length=NOTES_LIMIT,
                  initial=was.notes)
        )  # fmt: skip
    return Form(
        form_id=EDIT_FORM if was else FORM_ID,
        title=content.text("applied.edit_title" if was else "applied.form_title"),
        fields=tuple(fields),
        context=str(was.id) if was else "",
    )


async def command(turn: Turn, command: Command) -> list[Reply]:
    """``/applied [company]``, ``list [all]``, ``update N STAGE``, ``remove N``, ``export``,
    ``settings``."""
    words = clean(command.text)
    verb, _, rest = words.partition(" ")
    verb = verb.casefold()
    if verb == "list" and rest.casefold() in ("", "all"):
        return await listing(turn, 0, every=bool(rest))
    if verb == "export" and not rest:
        applications = await turn.store.applications(turn.person.id)
        name = turn.content.text("applied.export_filename", date=turn.today.isoformat())
        attachment = csv_attachment(turn.content, applications, name)
        return [Reply(text=turn.content.text("applied.exported"), attachment=attachment)]
    if verb == "settings" and not rest:
        return [Reply(form=await applications_settings.form(turn))]
    if verb == "update":
        return await _update(turn, rest)
    if verb == "remove" and len(rest.split()) <= 1:
        return [await _remove(turn, rest)]
    blank = form(turn.content, turn.today)
    company = words[:NAME_LIMIT]
    fields = tuple(replace(f, initial=company) if f.name == "company" else f for f in blank.fields)
    return [Reply(form=replace(blank, fields=fields))]


def _checked(
    turn: Turn, blank: Form, values: Mapping[str, str]
) -> tuple[ApplicationDraft | None, Reply | None]:
    """The form's values as a draft, or the refusal that says what to fix."""
    cleaned, errors = validate(blank, values, turn.content, turn.today)
    link = cleaned.get("link", "")
    if link and "link" not in errors and not _web_link(link):
        errors["link"] = turn.content.text("applied.bad_link")
    if errors:
        return None, refusal(blank, cleaned, errors)
    draft = ApplicationDraft(
        company=cleaned["company"],
        role=cleaned["role"],
        link=link,
        applied_on=dt.date.fromisoformat(cleaned["applied_on"]),
        adjacent=cleaned["adjacent"] == "yes",
        interviewer=cleaned.get("interviewer", ""),
        notes=cleaned.get("notes", ""),
    )
    return draft, None


def _web_link(link: str) -> bool:
    """Whether ``link`` is an http(s) address (never javascript:, file: or the like)."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme.casefold() in ("http", "https") and bool(parts.netloc) and " " not in link


async def submit(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """A new application: saved, its reminder planned, and the week's count told."""
    draft, refused = _checked(turn, form(turn.content, turn.today), submission.values)
    if draft is None:
        return [refused] if refused else []
    application = await turn.store.add_application(turn.person.id, draft, turn.now)
    await applications_plan.plan_one(turn, application)
    everything = await turn.store.applications(turn.person.id)
    week = sum(a.applied_on > turn.today - dt.timedelta(days=7) for a in everything)
    content = turn.content
    text = content.text(
        "applied.saved",
        company=draft.company,
        number=len(everything),
        week=week,
    )
    if draft.adjacent:
        text = f"{text}\n{content.text('applied.saved_adjacent')}"
    return [Reply(text=text, buttons=buttons(content, application))]


async def submit_edit(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """Changes to an application the person already tracks."""
    found = await _by_id(turn, submission.context)
    if found is None:
        return [Reply(text=turn.content.text("applied.not_found"))]
    draft, refused = _checked(turn, form(turn.content, turn.today, found), submission.values)
    if draft is None:
        return [refused] if refused else []
    changed = await turn.store.edit_application(turn.person.id, found.id, draft)
    if changed is None:
        return [Reply(text=turn.content.text("applied.not_found"))]
    if changed.applied_on != found.applied_on:
        await applications_plan.plan_one(turn, changed)
    return [Reply(text=turn.content.text("applied.edited", company=changed.company))]


async def move(turn: Turn, application: Application, stage: ApplicationStage) -> list[Reply]:
    """Move an application to ``stage``. A rejection opens the rejection form with all that
    is known filled in; saving it starts the recovery plan and marks the application."""
    content = turn.content
    if stage is ApplicationStage.REJECTED:
        was = REJECTED_AT.get(application.stage, Stage.APPLICATION)
        prefilled = rejection.form(
            content,
            application.company,
            role=application.role,
            stage=was.value,
            rejected_on=turn.today.isoformat(),
            interviewer=application.interviewer,
        )
        return [
            Reply(
                text=content.text("applied.rejected_form", company=application.company),
                form=Form(
                    REJECTED_FORM,
                    prefilled.title,
                    prefilled.fields,
                    prefilled.submit_label,
                    context=str(application.id),
                ),
            )
        ]
    news = ApplicationNews(stage, turn.now)
    moved = await turn.store.move_application(turn.person.id, application.id, news)
    if moved is None:
        return [Reply(text=content.text("applied.not_found"))]
    await applications_plan.plan_one(turn, moved)
    return [Reply(text=content.text(f"applied.moved.{stage.value}", company=moved.company))]


async def submit_rejected(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """The rejection form opened from an application: the plan starts, the application is
    marked rejected and linked to it, and its reminders end."""
    found = await _by_id(turn, submission.context)
    if found is None:
        return [Reply(text=turn.content.text("applied.not_found"))]
    replies, logged = await rejection.save(turn, submission)
    if logged is not None:
        news = ApplicationNews(ApplicationStage.REJECTED, turn.now, logged.id)
        await turn.store.move_application(turn.person.id, found.id, news)
        await turn.store.cancel_reminders(turn.person.id, found.id, "news")
    return replies


async def still_waiting(turn: Turn, application: Application) -> list[Reply]:
    """ "Still waiting": the count of days without news starts again today."""
    news = ApplicationNews(application.stage, turn.now)
    moved = await turn.store.move_application(turn.person.id, application.id, news)
    if moved is None:
        return [Reply(text=turn.content.text("applied.not_found"))]
    await applications_plan.plan_one(turn, moved)
    days = await applications_plan.ghost_days(turn)
    # Another reminder is promised only if plan_one planned one: an offer, say, waits no more.
    planned = {m.application_id for m in await turn.store.reminders(turn.person.id)}
    key = "applied.waiting_noted" if moved.id in planned else "applied.waiting_noted_quiet"
    return [Reply(text=turn.content.text(key, company=moved.company, days=days))]


async def _update(turn: Turn, rest: str) -> list[Reply]:
    """``/applied update N STAGE``: by the application's number in the list."""
    content = turn.content
    position_text, _, stage_text = rest.partition(" ")
    position = number(position_text)
    everything = await turn.store.applications(turn.person.id)
    if position is None or not stage_text.strip():
        return [Reply(text=content.text("applied.update_usage"))]
    if position > len(everything):
        return [Reply(text=content.text("applied.no_number", number=position))]
    stage = stage_named(content, stage_text)
    if stage is None:
        return [Reply(text=content.text("applied.bad_stage", stage=stage_text[:40]))]
    return await move(turn, everything[position - 1], stage)


async def _remove(turn: Turn, position_text: str) -> Reply:
    """``/applied remove N``: a duplicate or a mistake, gone with its reminders."""
    content = turn.content
    position = number(position_text)
    if position is None:
        return Reply(text=content.text("applied.remove_usage"))
    everything = await turn.store.applications(turn.person.id)
    if position > len(everything):
        return Reply(text=content.text("applied.no_number", number=position))
    gone = everything[position - 1]
    await turn.store.remove_application(turn.person.id, gone.id)
    return Reply(text=content.text("applied.removed", company=gone.company, number=position))


def stage_named(content: Content, text: str) -> ApplicationStage | None:
    """The stage ``text`` names, by its value ("final_round") or its label ("Final round")."""
    wanted = clean(text).casefold().replace("-", " ").replace("_", " ")
    for stage in ApplicationStage:
        names = {stage.value.replace("_", " "), content.table("applied.stages")[stage].casefold()}
        if wanted in names:
            return stage
    return None


async def _by_id(turn: Turn, value: str) -> Application | None:
    wanted = number(value, maximum=2**62)
    return next((a for a in await turn.store.applications(turn.person.id) if a.id == wanted), None)


async def on_move(turn: Turn, choice: Choice) -> list[Reply]:
    """A stage button, under the list or under a reminder."""
    ident, _, stage_value = choice.value.partition(":")
    found = await _by_id(turn, ident)
    if found is None:
        return [Reply(text=turn.content.text("applied.not_found"))]
    try:
        stage = ApplicationStage(stage_value)
    except ValueError:
        return [Reply(text=turn.content.text("applied.bad_stage", stage=stage_value[:40]))]
    return await move(turn, found, stage)


async def on_waiting(turn: Turn, choice: Choice) -> list[Reply]:
    """ "Still waiting" under a reminder."""
    found = await _by_id(turn, choice.value)
    if found is None:
        return [Reply(text=turn.content.text("applied.not_found"))]
    return await still_waiting(turn, found)


async def on_edit(turn: Turn, choice: Choice) -> list[Reply]:
    """ "Edit" under an application: its form, filled in."""
    found = await _by_id(turn, choice.value)
    if found is None:
        return [Reply(text=turn.content.text("applied.not_found"))]
    return [Reply(form=form(turn.content, turn.today, found))]


async def on_more(turn: Turn, choice: Choice) -> list[Reply]:
    """ "Show more" under a long list."""
    start_text, _, which = choice.value.partition(":")
    start = number(start_text, maximum=10_000) if start_text != "0" else 0
    return await listing(turn, start or 0, every=which == "all")


ROUTES = Routes(
    commands={"applied": command},
    choices={
        reminders.MOVE_ACTION: on_move,
        reminders.WAITING_ACTION: on_waiting,
        EDIT_ACTION: on_edit,
        LIST_ACTION: on_more,
    },
    forms={
        FORM_ID: submit,
        EDIT_FORM: submit_edit,
        REJECTED_FORM: submit_rejected,
        applications_settings.FORM_ID: applications_settings.submit,
    },
)
