"""The engine's records: plain frozen dataclasses, independent of any storage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    """How far the application got before the rejection."""

    APPLICATION = "application"
    PHONE_SCREEN = "phone_screen"
    INTERVIEW = "interview"
    FINAL_ROUND = "final_round"
    OFFER_WITHDRAWN = "offer_withdrawn"


class WinKind(StrEnum):
    """The sections of a bragging list."""

    ACCOMPLISHMENT = "accomplishment"
    TECHNICAL_SKILL = "technical_skill"
    SOFT_SKILL = "soft_skill"
    OBSTACLE = "obstacle"
    CONTRIBUTION = "contribution"


class Answer(StrEnum):
    """An answer to a reflection question."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NOTE = "note"  # the person answered in their own words


@dataclass(frozen=True, slots=True)
class Person:
    """One member of one community on one platform, with their check-in preferences."""

    id: int
    platform: str
    community: str
    user_id: str
    display_name: str
    timezone: str
    checkin_time: dt.time
    quiet_start: dt.time
    quiet_end: dt.time
    weekdays_only: bool
    created_at: dt.datetime
    # Why the platform cannot reach this person privately (e.g. "dms_closed"); "" if it can.
    unreachable: str = ""


@dataclass(frozen=True, slots=True)
class RejectionDraft:
    """A rejection as the person describes it, already validated."""

    company: str
    role: str
    stage: Stage
    rejected_on: dt.date
    interviewer: str
    feeling: int


@dataclass(frozen=True, slots=True)
class Rejection:
    """A logged rejection and what became of its feedback note."""

    id: int
    person_id: int
    company: str
    role: str
    stage: Stage
    rejected_on: dt.date
    interviewer: str
    feeling: int
    created_at: dt.datetime
    note_sent_at: dt.datetime | None = None
    feedback: str = ""
    feedback_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Reflection:
    """A person's answer to one reflection question about one rejection."""

    rejection_id: int
    question: str
    answer: Answer
    note: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Win:
    """One entry of a bragging list."""

    id: int
    text: str
    kind: WinKind
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Mood:
    """How a person felt, 1 (awful) to 5 (great), at a moment."""

    score: int
    note: str
    source: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the bot last asked a person and is waiting for, so a plain-text answer lands right."""

    topic: str
    data: str
    updated_at: dt.datetime
