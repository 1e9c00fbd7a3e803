"""A made-up journey chart, for the renderer's tests and its benchmark."""

from __future__ import annotations

import dataclasses

from bot.home_view import Chart, MoodPoint

BASE = Chart(
    moods=(),
    planned=(),
    span=1,
    noes=0,
    target=24,
    hired=False,
    mood_title="Mood since the rejection",
    road_title="Road to a yes: 0 of about 24 noes",
    low="low",
    high="good",
    checkin_key="check-in answer",
    ahead_key="check-in ahead",
    empty="No mood logged yet",
    alt="No mood logged yet.",
    filename="journey.png",
)

# A rejection nine days ago, check-ins on days 1, 2, 3, 5 and 7, the next one ahead.
WEEK = dataclasses.replace(
    BASE,
    moods=tuple(
        MoodPoint(day, score, day in (1, 2, 3, 5, 7))
        for day, score in [(0, 2), (1, 2), (2, 3), (3, 2), (5, 4), (7, 4), (8, 3), (9, 4)]
    ),
    planned=(14,),
    span=14,
    noes=7,
    road_title="Road to a yes: 7 of about 24 noes",
    alt="Since the rejection: mood went from 2 to 4 out of 5 (rising) over 8 entries, 5 of them"
    " at check-ins. 7 noes so far, against the 24 or so most people hear before a first yes.",
)

# Four months of moods, past the average number of noes.
LONG = dataclasses.replace(
    WEEK,
    moods=tuple(MoodPoint(day, 1 + day * 7 % 5, day % 2 == 0) for day in range(120)),
    planned=(126,),
    span=130,
    noes=31,
)
