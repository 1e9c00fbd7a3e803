"""``/bounceback admin``: a community's settings, shown to anyone, changed only by its admins.

Whether someone is an admin is the platform's word (``Sender.is_admin``), checked on every
request: on the command, on the button that opens the form, and on the form's submission.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import brag_admin, brag_thread, practice_admin
from bot.community import here, settings_button, settings_submitted
from bot.events import Command, FormSubmission
from bot.model import BragOpening, Community
from bot.replies import CHANNEL_MARK, Button, Field, FieldKind, Form, Option, Reply
from bot.routes import Routes, admins_only
from bot.schedule import known_zone
from bot.turn import Turn

SETTINGS_ACTION = "admin.settings"
FORM_ID = "community_settings"
SUPPORT_LIMIT = 1000


@admins_only
async def command(turn: Turn, command: Command) -> list[Reply]:
    """``/bounceback admin`` shows the settings; ``/bounceback admin here`` picks the channel."""
    content, channel = turn.content, command.channel
    words = command.text.strip().casefold().split()
    if words[-2:] == ["practice", "here"]:
        return await practice_admin.here(turn, command)
    if words[-1:] == ["here"]:
        if not channel:
            return [Reply(text=content.text("admin.not_here"))]
        person = turn.person
        await here(turn)  # created with defaults if this is the community's first setting
        community = await turn.store.update_community(
            person.platform, person.community, brag_channel=channel
        )
        return [channel_set(turn, community, await brag_admin.openings(turn, community))]
    community = await here(turn)
    found = await brag_admin.openings(turn, community)
    text = "\n\n".join(
        filter(
            None,
            (
                summary(turn, community),
                brag_admin.status(turn, community, found),
                practice_admin.summary(turn, community),
            ),
        )
    )
    return [
        Reply(
            heading=content.text("admin.heading"),
            text=text,
            buttons=(
                Button(content.text("admin.change"), SETTINGS_ACTION),
                *brag_admin.buttons(turn, community, found),
                Button(content.text("practice_admin.change"), practice_admin.SETTINGS_ACTION),
            ),
            channel=community.brag_channel,
        )
    ]


def channel_set(turn: Turn, community: Community, found: Sequence[BragOpening]) -> Reply:
    """The channel is chosen: when its first thread opens (never at once by itself)."""
    content = turn.content
    lines = [content.text("admin.channel_set", channel=CHANNEL_MARK)]
    following = brag_admin.upcoming(turn, found)
    if not community.brag_thread:
        lines.append(content.text("admin.thread_off"))
    elif following is not None:
        lines.append(
            content.text(
                "admin.first_thread",
                when=brag_thread.when(content, following.due, community.timezone),
            )
        )
        if following.week != brag_admin.this_week(turn, community):
            lines.append(content.text("admin.first_thread_next_week"))
    return Reply(text="\n".join(lines), channel=community.brag_channel)


@admins_only
async def submit(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """Save new settings, if the sender is an admin and every value is sound."""
    content = turn.content
    community, checked = await settings_submitted(turn, submission, form)
    times = {name: checked.time(name) for name in ("brag_time", "checkin_time")}
    zone = checked.cleaned["timezone"]
    if "timezone" not in checked.errors and not known_zone(zone):
        label = checked.label("timezone")
        checked.errors["timezone"] = content.text("checkin.bad_timezone", label=label, value=zone)
    brag_thread_on, pulse_on = checked.yes("brag_thread"), checked.yes("pulse")
    if checked.errors:
        return [checked.refusal()]
    updated = await turn.store.update_community(
        community.platform,
        community.community,
        brag_thread=brag_thread_on,
        pulse=pulse_on,
        brag_weekday=int(checked.cleaned["brag_day"]),
        brag_time=times["brag_time"],
        timezone=zone,
        checkin_time=times["checkin_time"],
        support_resources=checked.cleaned["support"],
    )
    # The planned opening follows the new day, time and zone now, not at the next tick.
    found = await brag_admin.openings(turn, updated)
    saved = content.text("admin.saved", summary=summary(turn, updated))
    text = "\n\n".join(filter(None, (saved, brag_admin.status(turn, updated, found))))
    return [Reply(text=text, channel=updated.brag_channel)]


def summary(turn: Turn, community: Community) -> str:
    """The settings in words."""
    content = turn.content
    days = content.get("community.weekdays")
    return content.text(
        "admin.summary",
        channel=CHANNEL_MARK if community.brag_channel else content.text("admin.no_channel"),
        brag=content.text("admin.on" if community.brag_thread else "admin.off"),
        day=days[community.brag_weekday % 7],
        time=community.brag_time.strftime("%H:%M"),
        timezone=community.timezone,
        pulse=content.text("admin.on" if community.pulse else "admin.off"),
        checkin_time=community.checkin_time.strftime("%H:%M"),
        support=content.text(
            "admin.custom_support" if community.support_resources else "admin.default_support"
        ),
    )


def form(turn: Turn, community: Community) -> Form:
    """The settings form, showing the current values."""
    content = turn.content
    days = content.get("community.weekdays")

    def yes_no(flag: bool) -> str:
        return "yes" if flag else "no"

    return Form(
        form_id=FORM_ID,
        title=content.text("admin.form_title"),
        fields=(
            Field("brag_thread", content.text("admin.brag_thread"), required=True,
                  max_length=3, initial=yes_no(community.brag_thread)),
            Field("brag_day", content.text("admin.brag_day"), FieldKind.CHOICE, required=True,
                  options=tuple(Option(str(n), day) for n, day in enumerate(days)),
                  initial=str(community.brag_weekday)),
            Field("brag_time", content.text("admin.brag_time"), required=True, max_length=5,
                  initial=community.brag_time.strftime("%H:%M")),
            Field("timezone", content.text("admin.timezone"), required=True, max_length=64,
                  initial=community.timezone),
            Field("pulse", content.text("admin.pulse_field"), required=True, max_length=3,
                  initial=yes_no(community.pulse)),
            Field("checkin_time", content.text("admin.checkin_time"), required=True,
                  max_length=5, initial=community.checkin_time.strftime("%H:%M")),
            Field("support", content.text("admin.support"), FieldKind.LONG_TEXT,
                  max_length=SUPPORT_LIMIT, initial=community.support_resources),
        ),
    )  # fmt: skip


# Buttons and forms only admins may use: adapters say whether the sender is one for these.
ACTIONS = frozenset({SETTINGS_ACTION, *brag_admin.CHOICES, *practice_admin.CHOICES})
FORMS = frozenset({FORM_ID, *practice_admin.FORMS})

ROUTES = Routes(
    commands={"bounceback": command},
    choices={
        SETTINGS_ACTION: settings_button(form),
        **brag_admin.CHOICES,
        **practice_admin.CHOICES,
    },
    forms={FORM_ID: submit, **practice_admin.FORMS},
)
