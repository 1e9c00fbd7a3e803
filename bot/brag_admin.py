"""The brag thread's schedule as admins see and steer it: when it opens next, a private
preview, skipping a week, and opening this week's thread now.

Skip and open-now name the week they act on (the button carries it), so pressing twice, or
on two instances at once, acts once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot import brag_thread
from bot.community import here
from bot.events import Choice
from bot.model import BragOpening, Community, PlannedState
from bot.replies import CHANNEL_MARK, Button, Reply
from bot.routes import admins_only
from bot.schedule import iso_week, week_monday
from bot.turn import Turn

PREVIEW_ACTION = "admin.brag_preview"
SKIP_ACTION = "admin.brag_skip"
OPEN_ACTION = "admin.brag_open"
_WEEK = re.compile(r"\d{4}-W\d{2}")
_OPEN = (PlannedState.SENT, PlannedState.CLAIMED)


def this_week(turn: Turn, community: Community) -> str:
    """The ISO week it is in the community's zone."""
    return iso_week(turn.now, community.timezone)


async def openings(turn: Turn, community: Community) -> Sequence[BragOpening]:
    """This week's thread and the next opening, re-planned from the settings just read."""
    if turn.brag_schedule is None:
        return ()
    return await turn.brag_schedule.brag_openings(
        community.platform, community.community, this_week(turn, community), turn.now
    )


def upcoming(turn: Turn, found: Sequence[BragOpening]) -> BragOpening | None:
    """The next opening still to come."""
    return next((o for o in found if o.state is PlannedState.PENDING), None)


def status(turn: Turn, community: Community, found: Sequence[BragOpening]) -> str:
    """Where the thread stands, in words: open this week, skipped, and when the next opens."""
    content, week = turn.content, this_week(turn, community)
    lines = []
    current = next((o for o in found if o.week == week), None)
    if current is not None and current.state in _OPEN:
        lines.append(content.text("admin.thread_open"))
    elif current is not None and current.state is PlannedState.SKIPPED:
        lines.append(content.text("admin.thread_skipped"))
    following = upcoming(turn, found)
    if following is not None:
        key = "admin.opens_now" if following.due <= turn.now else "admin.next_thread"
        lines.append(content.text(key, **_described(turn, community, following)))
    if found:
        lines.append(content.text("admin.early_shares"))
    return "\n".join(lines)


def buttons(turn: Turn, community: Community, found: Sequence[BragOpening]) -> tuple[Button, ...]:
    """Preview, and skip and open-now where there is something to skip or open."""
    content, week = turn.content, this_week(turn, community)
    offered = [Button(content.text("admin.preview"), PREVIEW_ACTION)]
    following = upcoming(turn, found)
    if following is not None and following.due > turn.now:
        date = brag_thread.date(content, week_monday(following.week))
        offered.append(Button(content.text("admin.skip", date=date), SKIP_ACTION, following.week))
    current = next((o for o in found if o.week == week), None)
    if found and (current is None or current.state not in _OPEN):
        offered.append(Button(content.text("admin.open_now"), OPEN_ACTION, week))
    return tuple(offered)


def _described(turn: Turn, community: Community, opening: BragOpening) -> dict[str, str]:
    return {
        "when": brag_thread.when(turn.content, opening.due, community.timezone),
        "date": brag_thread.date(turn.content, week_monday(opening.week)),
    }


@admins_only
async def _preview(turn: Turn, choice: Choice) -> list[Reply]:
    """The opening exactly as it will look, with this week's pulse, to the admin alone."""
    content = turn.content
    community = await here(turn)
    following = upcoming(turn, await openings(turn, community))
    week = following.week if following is not None else this_week(turn, community)
    pulse = None
    if community.pulse and turn.brag_schedule is not None:
        pulse = await turn.brag_schedule.brag_pulse(
            community.platform, community.community, turn.now
        )
    if following is not None:
        intro = content.text("admin.preview_intro", **_described(turn, community, following))
    else:
        intro = content.text("admin.preview_unplanned")
    opening = brag_thread.opening(content, week_monday(week), pulse)
    return [Reply(text=intro), *(replace(reply, private=True) for reply in opening)]


@admins_only
async def _skip(turn: Turn, choice: Choice) -> list[Reply]:
    content = turn.content
    community = await here(turn)
    week = choice.value if _WEEK.fullmatch(choice.value) else ""
    date = brag_thread.date(content, week_monday(week)) if week else "?"
    skipped = False
    if week and turn.brag_schedule is not None:
        skipped = await turn.brag_schedule.skip_brag_thread(
            community.platform, community.community, week, turn.now
        )
    said = content.text("admin.skipped" if skipped else "admin.not_skipped", date=date)
    found = await openings(turn, community)
    text = "\n".join(filter(None, (said, status(turn, community, found))))
    return [Reply(text=text)]


@admins_only
async def _open_now(turn: Turn, choice: Choice) -> list[Reply]:
    content = turn.content
    community = await here(turn)
    week = this_week(turn, community)
    if choice.value != week:
        # A button from an earlier week: this week's thread is a new decision.
        return [Reply(text=content.text("admin.stale_button"))]
    opened = turn.brag_schedule is not None and await turn.brag_schedule.open_brag_thread(
        community.platform, community.community, week, turn.now
    )
    if not opened:
        return [Reply(text=content.text("admin.not_opened"))]
    return [
        Reply(
            text=content.text("admin.opening", channel=CHANNEL_MARK),
            channel=community.brag_channel,
        )
    ]


CHOICES = {PREVIEW_ACTION: _preview, SKIP_ACTION: _skip, OPEN_ACTION: _open_now}
