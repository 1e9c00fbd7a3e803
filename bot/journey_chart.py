"""The journey chart's numbers and words: the mood since the latest rejection (check-in days
marked) and the road to a yes. Adapters draw the picture; this says what is in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.brag_thread import date
from bot.home_view import Chart, MoodPoint
from bot.journey import AVERAGE_NOES, Journey
from bot.model import Mood
from bot.turn import Turn

CHART_MOODS = 120  # the most moods one picture shows (about four months of check-ins)
CHECKIN_SOURCE = "checkin"  # a mood given with /checkin or the buttons under a check-in


async def chart(turn: Turn, found: Journey) -> Chart:
    """The person's chart, from their own records only (``found``: their journey, read)."""
    content, store, person_id = turn.content, turn.store, turn.person.id
    rejections = found.rejections
    moods = await store.moods(person_id, CHART_MOODS)
    planned = await store.planned(person_id)
    today = turn.today
    start = _start(turn, rejections[-1].rejected_on if rejections else None, moods)
    points = tuple(
        MoodPoint(day=(local - start).days, score=mood.score, checkin=mood.source == CHECKIN_SOURCE)
        for mood in moods
        if (local := mood.created_at.astimezone(turn.zone).date()) >= start
    )
    ahead = tuple(
        sorted({(message.local.date() - start).days for message in planned}) if rejections else ()
    )
    span = max(1, (today - start).days, *(p.day for p in points), *ahead)
    noes, yes = found.noes, found.hired
    words = content.table("home.chart")
    road = words["road_hired"] if yes else words["road"]
    return Chart(
        moods=points,
        planned=ahead,
        span=span,
        noes=noes,
        target=AVERAGE_NOES,
        hired=yes,
        mood_title=words["mood"] if rejections else words["mood_plain"],
        road_title=road.format(count=noes, target=AVERAGE_NOES),
        low=words["low"],
        high=words["high"],
        checkin_key=words["checkin_key"],
        ahead_key=words["ahead_key"],
        empty=words["empty"],
        alt=alt_text(turn, start if rejections else None, points, noes, yes),
        filename=words["filename"].format(date=today.isoformat()),
    )


def _start(turn: Turn, rejected_on: dt.date | None, moods: Sequence[Mood]) -> dt.date:
    """Day 0: the latest rejection's day; without one, the first mood's (or today)."""
    if rejected_on is not None:
        return rejected_on
    if moods:
        return moods[0].created_at.astimezone(turn.zone).date()
    return turn.today


def trend(scores: Sequence[int]) -> str:
    """ "rising", "falling" or "steady": the later half's average against the earlier half's
    (one odd day does not make a trend)."""
    if len(scores) < 2:
        return "steady"
    half = len(scores) // 2
    early = sum(scores[:half]) / half
    late = sum(scores[-half:]) / half
    if late - early >= 0.5:
        return "rising"
    if early - late >= 0.5:
        return "falling"
    return "steady"


def alt_text(
    turn: Turn, since: dt.date | None, points: Sequence[MoodPoint], noes: int, yes: bool
) -> str:
    """The chart in words, for people who do not see it (and for every notification)."""
    content = turn.content
    words = content.table("home.chart")
    scores = [point.score for point in points]
    when = date(content, since) if since is not None else ""
    if not scores:
        mood = words["alt_no_mood"]
    elif len(scores) == 1:
        mood = words["alt_one_mood"].format(score=scores[0])
    else:
        mood = words["alt_moods"].format(
            first=scores[0],
            last=scores[-1],
            trend=content.table("home.trends")[trend(scores)],
            count=len(scores),
            checkins=sum(point.checkin for point in points),
        )
    if since is None:
        return f"{mood[:1].upper()}{mood[1:]} {words['alt_no_rejection']}"
    road = words["alt_road_hired"] if yes else words["alt_road_one" if noes == 1 else "alt_road"]
    opening = words["alt_since"].format(date=when)
    return f"{opening} {mood} {road.format(count=noes, target=AVERAGE_NOES)}"
