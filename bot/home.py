"""A member's home: their journey at a glance, the areas they work on, the next check-in and
buttons for what they do most; for a community's admins, its settings and this week's
anonymous pulse. The Slack Home tab, Discord's ``/home`` and the console show it.

Every button here runs a command exactly as if it were typed (``/checkin pause``,
``/mydata export``...), through the engine's own dispatch, so a button never does anything a
command would not. Only the person's own records are read; the admin section holds counts of
three or more people, never a name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence

from bot import admin, brag_thread, journey_chart, plan
from bot.applications_export import funnel, funnel_lines
from bot.community import here
from bot.content import Content
from bot.events import Choice, Command, Event, FormSubmission, Sender
from bot.forms import refusal, validate
from bot.home_view import HomeSection, HomeView
from bot.journey import counts, framing, journey
from bot.model import Application, CheckinState, Person
from bot.replies import Button, Field, FieldKind, Form, Reply
from bot.routes import Routes
from bot.schedule import Slot
from bot.turn import Turn

DO_ACTION = "home.do"
WIN_ACTION = "home.win"
WIN_FORM = "home_win"
WIN_LIMIT = 500
# What a home button may run (its value names one): the command and its words, as typed.
COMMANDS: dict[str, tuple[str, str]] = {
    "rejected": ("rejected", ""),
    "feedback": ("feedback", ""),
    "brag_list": ("brag", "list"),
    "settings": ("checkin", "settings"),
    "pause": ("checkin", "pause"),
    "resume": ("checkin", "resume"),
    "stop": ("checkin", "stop"),
    "export": ("mydata", "export"),
    "delete": ("mydata", "delete"),
    "home": ("home", ""),
    "applied": ("applied", ""),
    "applied_list": ("applied", "list"),
}

Redo = Callable[[Turn, Event], Awaitable[list[Reply]]]


async def view(turn: Turn, sender: Sender) -> HomeView:
    """The home of a person the bot knows, built from their own records."""
    content = turn.content
    found = await journey(turn)
    if found.empty:
        return await welcome(turn, sender)
    lines = counts(content, found)
    if found.noes:
        lines.append(framing(content, found.noes, found.hired))
    sections = [HomeSection(content.text("home.journey"), tuple(lines))]
    if found.areas:
        sections.append(HomeSection(content.text("progress.areas_heading"), tuple(found.areas)))
    sections.append(await _checkins(turn))
    sections.append(_actions(content, with_note=bool(found.rejections)))
    return HomeView(
        heading=content.text("home.heading"),
        intro=content.text("home.intro", name=turn.name),
        sections=tuple(sections),
        applications=_applications(turn, found.applications),
        admin=await admin_section(turn) if sender.is_admin else None,
        chart=await journey_chart.chart(turn, found),
    )


async def welcome(turn: Turn, sender: Sender) -> HomeView:
    """A first visit: what Bounceback does and how to start (an admin sees their section)."""
    content = turn.content
    start = HomeSection(
        content.text("home.start"),
        tuple(content.get("home.start_lines")),
        (
            Button(content.text("home.log_rejection"), DO_ACTION, "rejected"),
            Button(content.text("home.add_win"), WIN_ACTION),
        ),
    )
    return HomeView(
        heading=content.text("home.welcome_heading"),
        intro=content.text("home.welcome"),
        sections=(start,),
        new=True,
        admin=await admin_section(turn) if sender.is_admin else None,
    )


def visitor(sender: Sender, timezone: str, now: dt.datetime) -> Person:
    """Someone the bot has not met, for a home that reads nothing of theirs (never stored)."""
    return Person(
        id=0,
        platform=sender.platform,
        community=sender.community,
        user_id=sender.user_id,
        display_name=sender.display_name,
        timezone=sender.timezone or timezone,
        checkin_time=dt.time(10, 0),
        quiet_start=dt.time(21, 0),
        quiet_end=dt.time(8, 0),
        weekdays_only=False,
        created_at=now,
    )


async def admin_section(turn: Turn) -> HomeSection:
    """The community's settings and this week's pulse: counts only, each shown at three or
    more people (:func:`bot.brag_thread.pulse_line`), never who."""
    content = turn.content
    community = await here(turn)
    pulse = None
    if turn.brag_schedule is not None:
        pulse = await turn.brag_schedule.brag_pulse(
            community.platform, community.community, turn.now
        )
    line = brag_thread.pulse_line(content, pulse) or content.text("home.pulse_quiet")
    return HomeSection(
        content.text("home.admin"),
        (*admin.summary(turn, community).splitlines(), line),
        (Button(content.text("admin.change"), admin.SETTINGS_ACTION),),
        channel=community.brag_channel,
    )


async def _checkins(turn: Turn) -> HomeSection:
    """When the next check-in comes, in the person's own time, and the buttons to change it."""
    content, person = turn.content, turn.person
    settings = Button(content.text("home.settings"), DO_ACTION, "settings")
    resume = Button(content.text("home.resume"), DO_ACTION, "resume")
    if person.checkins is CheckinState.STOPPED:
        return HomeSection(content.text("home.checkins"), (content.text("home.stopped"),),
                           (resume, settings))  # fmt: skip
    if person.checkins is CheckinState.PAUSED and person.paused_until is not None:
        local = person.paused_until.astimezone(turn.zone).replace(tzinfo=None)
        until = plan.when(turn, Slot(person.paused_until, local, person.timezone))
        line = content.text("home.paused", when=until, timezone=person.timezone)
        return HomeSection(content.text("home.checkins"), (line,), (resume, settings))
    planned = await turn.store.planned(person.id)
    if planned:
        first = planned[0]
        when = plan.when(turn, Slot(first.due, first.local, first.zone))
        line = content.text("home.next_checkin", when=when, timezone=first.zone)
    else:
        line = content.text("home.nothing_planned")
    pause = Button(content.text("home.pause"), DO_ACTION, "pause")
    stop = Button(content.text("home.stop"), DO_ACTION, "stop")
    return HomeSection(content.text("home.checkins"), (line,), (settings, pause, stop))


def _applications(turn: Turn, tracked: Sequence[Application]) -> HomeSection:
    """The application funnel, as ``/progress`` shows it, with the buttons to add and move one."""
    content = turn.content
    lines = funnel_lines(content, funnel(tracked, turn.today)) if tracked else []
    return HomeSection(
        content.text("home.applications"),
        tuple(lines or [content.text("home.no_applications")]),
        (
            Button(content.text("home.log_application"), DO_ACTION, "applied"),
            *((Button(content.text("home.applications_list"), DO_ACTION, "applied_list"),)
              if tracked else ()),
        ),
    )  # fmt: skip


def _actions(content: Content, *, with_note: bool) -> HomeSection:
    note = (Button(content.text("home.see_note"), DO_ACTION, "feedback"),) if with_note else ()
    return HomeSection(
        content.text("home.actions"),
        (),
        (
            Button(content.text("home.log_rejection"), DO_ACTION, "rejected"),
            Button(content.text("home.add_win"), WIN_ACTION),
            *note,
            Button(content.text("home.brag_list"), DO_ACTION, "brag_list"),
            Button(content.text("home.export"), DO_ACTION, "export"),
            Button(content.text("home.delete"), DO_ACTION, "delete"),
        ),
    )


def win_form(content: Content) -> Form:
    """One line for a win; saved exactly as ``/brag`` saves it."""
    return Form(
        form_id=WIN_FORM,
        title=content.text("home.win_title"),
        fields=(
            Field("win", content.text("home.win_field"), FieldKind.LONG_TEXT, required=True,
                  max_length=WIN_LIMIT, placeholder=content.text("home.win_placeholder")),
        ),
        submit_label=content.text("home.win_save"),
    )  # fmt: skip


def reply(home: HomeView) -> Reply:
    """The home as one private reply: words and buttons anywhere, the home itself (and its
    picture) where the adapter can show more."""
    return Reply(
        heading=home.heading, text=home.as_text(), buttons=home.buttons(), home=home,
        chart=home.chart, channel=home.admin.channel if home.admin is not None else "",
    )  # fmt: skip


def routes(redo: Redo) -> Routes:
    """``/home``, its buttons and the win form; ``redo`` runs a command as if typed."""

    async def on_command(turn: Turn, command: Command) -> list[Reply]:
        return [reply(await view(turn, command.sender))]

    async def on_do(turn: Turn, choice: Choice) -> list[Reply]:
        found = COMMANDS.get(choice.value)
        if found is None:
            return [Reply(text=turn.content.text("home.stale"))]
        name, text = found
        return await redo(turn, Command(choice.sender, name, text))

    async def on_win(turn: Turn, choice: Choice) -> list[Reply]:
        return [Reply(form=win_form(turn.content))]

    async def on_win_form(turn: Turn, submission: FormSubmission) -> list[Reply]:
        blank = win_form(turn.content)
        cleaned, errors = validate(blank, submission.values, turn.content, turn.today)
        if errors:
            return [refusal(blank, cleaned, errors)]
        return await redo(turn, Command(submission.sender, "brag", cleaned["win"]))

    return Routes(
        commands={"home": on_command},
        choices={DO_ACTION: on_do, WIN_ACTION: on_win},
        forms={WIN_FORM: on_win_form},
    )
