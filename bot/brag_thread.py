"""Words for the weekly brag thread: its opening (with the anonymous pulse) and shared posts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from bot.content import Content
from bot.model import Pulse
from bot.replies import Reply

# A count is shown only when at least this many people are in it, so no one can be singled out.
PULSE_MINIMUM = 3


def opening(content: Content, week_start: dt.date, pulse: Pulse | None) -> list[Reply]:
    """The thread's first message."""
    text = content.text("community.thread_text")
    line = pulse_line(content, pulse)
    if line:
        text = f"{text}\n\n{line}"
    heading = content.text("community.thread_heading", date=date(content, week_start))
    return [Reply(heading=heading, text=text, private=False)]


def date(content: Content, day: dt.date) -> str:
    """A date in the content's own format and month names (never the process's locale)."""
    months = content.get("community.months")
    return content.text("community.date", day=day.day, month=months[day.month - 1], year=day.year)


def when(content: Content, moment: dt.datetime, zone: str) -> str:
    """When an opening happens, in the community's zone: "Monday 7 December 2026 at 10:00"."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    days = content.get("community.weekdays")
    return content.text(
        "community.when",
        weekday=days[local.weekday()],
        date=date(content, local.date()),
        time=local.strftime("%H:%M"),
        timezone=zone,
    )


def pulse_line(content: Content, pulse: Pulse | None) -> str:
    """The week in counts, each shown only if it is at least :data:`PULSE_MINIMUM`."""
    if pulse is None:
        return ""
    parts = [
        content.text(key, count=count)
        for key, count in (
            ("community.pulse_setbacks", pulse.setbacks),
            ("community.pulse_notes", pulse.notes),
            ("community.pulse_wins", pulse.wins),
        )
        if count >= PULSE_MINIMUM
    ]
    if pulse.applicants >= PULSE_MINIMUM:
        # A count of applications, shown only once enough people sent some to hide anyone's.
        parts.append(content.text("community.pulse_applications", count=pulse.applications))
    if not parts:
        return ""
    return content.text("community.pulse", parts="; ".join(parts))


def shared_win(content: Content, author: str, text: str) -> list[Reply]:
    """A win, posted under its author's name because they said yes."""
    return [Reply(text=content.text("community.shared_win", name=author, text=text), private=False)]


def shared_offer(content: Content, author: str, advice: str) -> list[Reply]:
    """Someone's offer news, with their advice if they gave some."""
    if advice:
        text = content.text("community.shared_hired_advice", name=author, advice=advice)
    else:
        text = content.text("community.shared_hired", name=author)
    return [Reply(text=text, private=False)]
