"""Practice partners as a community's admins set them up: on or off, the day and time of
pairing, weekly or every two weeks, and (where the platform needs one) the channel whose
private threads hold the introductions. Off until an admin turns it on."""

from __future__ import annotations

from bot import brag_thread
from bot.community import here as place
from bot.community import settings_button, settings_submitted
from bot.events import Command, FormSubmission
from bot.model import Community
from bot.replies import CHANNEL_MARK, Field, FieldKind, Form, Option, Reply
from bot.routes import admins_only
from bot.schedule import next_round
from bot.turn import Turn

SETTINGS_ACTION = "admin.practice"
FORM_ID = "practice_settings"
# Platforms where a bot cannot open a group DM: introductions go in private threads of a
# channel the admins choose.
THREAD_PLATFORMS = frozenset({"discord"})


def needs_channel(community: Community) -> bool:
    """Whether this community must name a practice channel before anyone is paired."""
    return community.platform in THREAD_PLATFORMS and not community.practice_channel


def next_pairing(turn: Turn, community: Community) -> str:
    """When the next round pairs people, in words ("" if practice is off)."""
    if not community.practice:
        return ""
    _, due = next_round(
        turn.now,
        community.timezone,
        community.practice_weekday,
        community.practice_time,
        community.practice_every,
    )
    return brag_thread.when(turn.content, due, community.timezone)


def summary(turn: Turn, community: Community) -> str:
    """The practice settings in words, for the admin view."""
    content = turn.content
    if not community.practice:
        return content.text("practice_admin.summary_off")
    days = content.get("community.weekdays")
    lines = [
        content.text(
            "practice_admin.summary",
            day=days[community.practice_weekday % 7],
            time=community.practice_time.strftime("%H:%M"),
            every=content.text(f"practice_admin.every_{2 if community.practice_every > 1 else 1}"),
            when=next_pairing(turn, community),
        )
    ]
    if community.platform in THREAD_PLATFORMS:
        key = (
            "practice_admin.channel" if community.practice_channel else "practice_admin.no_channel"
        )
        lines.append(content.text(key))
    return "\n".join(lines)


async def here(turn: Turn, command: Command) -> list[Reply]:
    """``/bounceback admin practice here``: the channel whose private threads hold the
    introductions (the caller checked the sender is an admin)."""
    content = turn.content
    person = turn.person
    if person.platform not in THREAD_PLATFORMS:
        return [Reply(text=content.text("practice_admin.no_channel_needed"))]
    if not command.channel:
        return [Reply(text=content.text("admin.not_here"))]
    await place(turn)
    community = await turn.store.update_community(
        person.platform, person.community, practice_channel=command.channel
    )
    text = content.text("practice_admin.channel_set", channel=CHANNEL_MARK)
    if not community.practice:
        text = f"{text}\n{content.text('practice_admin.still_off')}"
    return [Reply(text=text, channel=community.practice_channel)]


def form(turn: Turn, community: Community) -> Form:
    """The practice settings form, showing the current values."""
    content = turn.content
    days = content.get("community.weekdays")
    return Form(
        form_id=FORM_ID,
        title=content.text("practice_admin.form_title"),
        fields=(
            Field("practice", content.text("practice_admin.on_field"), required=True,
                  max_length=3, initial="yes" if community.practice else "no"),
            Field("practice_day", content.text("practice_admin.day"), FieldKind.CHOICE,
                  required=True, options=tuple(Option(str(n), d) for n, d in enumerate(days)),
                  initial=str(community.practice_weekday)),
            Field("practice_time", content.text("practice_admin.time"), required=True,
                  max_length=5, initial=community.practice_time.strftime("%H:%M")),
            Field("practice_every", content.text("practice_admin.every"), FieldKind.CHOICE,
                  required=True, options=(
                      Option("1", content.text("practice_admin.every_1")),
                      Option("2", content.text("practice_admin.every_2")),
                  ), initial=str(community.practice_every)),
        ),
    )  # fmt: skip


@admins_only
async def submit(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """Save the practice settings, if the sender is an admin and every value is sound."""
    content = turn.content
    community, checked = await settings_submitted(turn, submission, form)
    time = checked.time("practice_time")
    on = checked.yes("practice")
    if checked.errors:
        return [checked.refusal()]
    updated = await turn.store.update_community(
        community.platform,
        community.community,
        practice=on,
        practice_weekday=int(checked.cleaned["practice_day"]),
        practice_time=time,
        practice_every=int(checked.cleaned["practice_every"]),
    )
    text = content.text("practice_admin.saved", summary=summary(turn, updated))
    if updated.practice and needs_channel(updated):
        text = f"{text}\n{content.text('practice_admin.pick_channel')}"
    return [Reply(text=text, channel=updated.practice_channel)]


CHOICES = {SETTINGS_ACTION: settings_button(form)}
FORMS = {FORM_ID: submit}
