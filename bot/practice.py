"""``/practice``: practice partners for members. Join (with what to practise, pre-filled from
the person's own areas to work on), pause, resume, leave; and the answers to "Did you meet?",
where a yes can add a line to the bragging list or the areas to work on."""

from __future__ import annotations

import datetime as dt

from bot import practice_admin, reflection
from bot.community import here
from bot.events import Choice, Command, FormSubmission
from bot.forms import refusal, validate
from bot.model import WinKind
from bot.practice_kit import KEEP_ACTION, MET_ACTION
from bot.practice_model import Met, PracticeChoices, PracticeMember, PracticeState
from bot.practice_pairing import AVAILABILITY
from bot.replies import Button, Field, FieldKind, Form, Option, Reply
from bot.routes import Routes
from bot.text import number
from bot.turn import Turn

JOIN_FORM = "practice_join"
KEEP_FORM = "practice_keep"
AREAS_LIMIT = 5
AREA_LENGTH = 120
ROLE_LENGTH = 80
LINE_LIMIT = 300
PAUSE_WEEKS = 8


async def command(turn: Turn, command: Command) -> list[Reply]:
    """``/practice`` (where you stand), ``join``, ``pause [weeks]``, ``resume``, ``leave``."""
    content, store, person_id = turn.content, turn.store, turn.person.id
    words = command.text.strip().casefold().split()
    verb = words[0] if words else ""
    member = await store.practice_member(person_id)
    joined = member is not None and member.state is not PracticeState.LEFT
    if verb in ("join", "edit"):
        return [Reply(form=await join_form(turn, member))]
    if verb == "" and not joined:
        return [Reply(text=content.text("practice.about"))]
    if verb == "":
        return [Reply(text=await status(turn, member))]
    if not joined:
        return [Reply(text=content.text("practice.not_joined"))]
    if verb == "leave":
        await store.set_practice_state(person_id, PracticeState.LEFT, None)
        return [Reply(text=content.text("practice.left"))]
    if verb == "resume":
        await store.set_practice_state(person_id, PracticeState.ACTIVE, None)
        return [Reply(text=content.text("practice.resumed", when=await _next(turn)))]
    if verb == "pause":
        weeks = number(words[1], maximum=PAUSE_WEEKS) if len(words) > 1 else 1
        if weeks is None or weeks < 1:
            return [Reply(text=content.text("practice.pause_usage", limit=PAUSE_WEEKS))]
        until = turn.now + dt.timedelta(weeks=weeks)
        await store.set_practice_state(person_id, PracticeState.PAUSED, until)
        return [Reply(text=content.text("practice.paused", weeks=weeks))]
    return [Reply(text=content.text("practice.usage"))]


async def _next(turn: Turn) -> str:
    community = await here(turn)
    when = practice_admin.next_pairing(turn, community)
    if not when or practice_admin.needs_channel(community):
        return turn.content.text("practice.not_on_yet")
    return turn.content.text("practice.next_round", when=when)


async def status(turn: Turn, member: PracticeMember | None) -> str:
    """Where the person stands: in, paused, and what a partner sees."""
    content = turn.content
    assert member is not None
    lines = []
    if (
        member.state is PracticeState.PAUSED
        and member.paused_until
        and member.paused_until > turn.now
    ):
        lines.append(content.text("practice.status_paused"))
    else:
        lines.append(content.text("practice.status_in"))
    lines.append(
        content.text(
            "practice.shared",
            name=turn.name,
            role=member.role_kind or "?",
            areas="; ".join(member.areas),
        )
    )
    lines.append(await _next(turn))
    lines.append(content.text("practice.usage"))
    return "\n".join(lines)


async def _suggested_areas(turn: Turn) -> list[str]:
    """The person's own areas to work on: from reflections, then lessons they wrote."""
    store, person_id = turn.store, turn.person.id
    found = reflection.areas(turn.content, await store.reflections(person_id))
    for answer in await store.answers(person_id):
        if answer.kind == "lesson" and answer.value and answer.value not in found:
            found.append(answer.value)
    return found[:AREAS_LIMIT]


async def join_form(turn: Turn, member: PracticeMember | None) -> Form:
    """The join form: areas (pre-filled, editable), the kind of role, when usually free."""
    content = turn.content
    if member is not None and member.areas:
        areas = list(member.areas)
    else:
        areas = await _suggested_areas(turn)
    role = member.role_kind if member is not None else ""
    if not role:
        rejections = await turn.store.rejections(turn.person.id)
        role = rejections[-1].role if rejections else ""
    availability = member.availability if member is not None else "daytime"
    options = tuple(Option(key, content.text(f"practice.free_{key}")) for key in AVAILABILITY)
    return Form(
        form_id=JOIN_FORM,
        title=content.text("practice.form_title"),
        submit_label=content.text("practice.form_submit"),
        fields=(
            Field("areas", content.text("practice.areas_field"), FieldKind.LONG_TEXT,
                  required=True, max_length=AREAS_LIMIT * (AREA_LENGTH + 1),
                  initial="\n".join(areas), placeholder=content.text("practice.areas_hint")),
            Field("role_kind", content.text("practice.role_field"), required=True,
                  max_length=ROLE_LENGTH, initial=role[:ROLE_LENGTH],
                  placeholder=content.text("practice.role_hint")),
            Field("availability", content.text("practice.free_field"), FieldKind.CHOICE,
                  required=True, options=options, initial=availability),
        ),
    )  # fmt: skip


async def on_join(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """Save the choices: in from the next round."""
    content = turn.content
    blank = await join_form(turn, await turn.store.practice_member(turn.person.id))
    cleaned, errors = validate(blank, submission.values, content, turn.today)
    areas = [line.strip(" •-*\t") for line in cleaned["areas"].splitlines()]
    areas = [area for area in areas if area]
    if "areas" not in errors:
        if not areas:
            errors["areas"] = content.text("limits.required", label=blank.fields[0].label)
        elif len(areas) > AREAS_LIMIT or any(len(a) > AREA_LENGTH for a in areas):
            errors["areas"] = content.text(
                "practice.areas_too_many", limit=AREAS_LIMIT, length=AREA_LENGTH
            )
    if errors:
        return [refusal(blank, cleaned, errors)]
    choices = PracticeChoices(tuple(areas), cleaned["role_kind"], cleaned["availability"])
    member = await turn.store.join_practice(turn.person.id, choices, turn.now)
    shared = content.text(
        "practice.shared", name=turn.name, role=member.role_kind, areas="; ".join(member.areas)
    )
    lines = [content.text("practice.joined"), shared, await _next(turn)]
    if turn.person.unreachable:
        lines.append(content.text("practice.unreachable"))
    return [Reply(text="\n".join(lines))]


async def on_met(turn: Turn, choice: Choice) -> list[Reply]:
    """The answer to "Did you meet?" (yes, not yet, skip this week)."""
    content = turn.content
    latest = await turn.store.latest_practice(turn.person.id)
    try:
        met = Met(choice.value)
    except ValueError:
        met = Met.UNANSWERED
    if latest is None or met is Met.UNANSWERED:
        return [Reply(text=content.text("practice.no_round"))]
    await turn.store.record_practice(turn.person.id, latest[0], met, turn.now)
    if met is not Met.YES:
        return [Reply(text=content.text(f"practice.answer_{met.value}"))]
    keep = tuple(
        Button(content.text(f"practice.keep_{where}"), KEEP_ACTION, where)
        for where in ("brag", "area", "no")
    )
    return [Reply(text=content.text("practice.answer_yes"), buttons=keep)]


def keep_form(turn: Turn, where: str) -> Form:
    """One line for the bragging list (what went well) or the areas to work on."""
    content = turn.content
    field = Field("line", content.text(f"practice.keep_{where}_field"), FieldKind.LONG_TEXT,
                  required=True, max_length=LINE_LIMIT)  # fmt: skip
    return Form(KEEP_FORM, content.text("practice.keep_title"), (field,), context=where)


async def on_keep(turn: Turn, choice: Choice) -> list[Reply]:
    """After a yes: add a line somewhere, or nothing."""
    if choice.value in ("brag", "area"):
        return [Reply(form=keep_form(turn, choice.value))]
    return [Reply(text=turn.content.text("practice.kept_nothing"))]


async def on_keep_form(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """The line, added to the bragging list or the areas to work on."""
    content = turn.content
    where = "area" if submission.context == "area" else "brag"
    form = keep_form(turn, where)
    cleaned, errors = validate(form, submission.values, content, turn.today)
    if errors:
        return [refusal(form, cleaned, errors)]
    if where == "brag":
        await turn.store.add_win(turn.person.id, cleaned["line"], WinKind.SOFT_SKILL, turn.now)
        return [Reply(text=content.text("practice.kept_brag"))]
    await turn.store.add_answer(turn.person.id, "lesson", cleaned["line"], turn.now)
    return [Reply(text=content.text("practice.kept_area"))]


ROUTES = Routes(
    commands={"practice": command},
    choices={MET_ACTION: on_met, KEEP_ACTION: on_keep},
    forms={JOIN_FORM: on_join, KEEP_FORM: on_keep_form},
)
