"""The engine's records: plain frozen dataclasses, independent of any storage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.frozen import quick_init
from bot.schedule import Slot


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


class CheckinState(StrEnum):
    """Whether a person wants check-ins."""

    ACTIVE = "active"
    PAUSED = "paused"  # until Person.paused_until
    STOPPED = "stopped"  # nothing is sent until they resume


class ZoneSource(StrEnum):
    """Where a person's time zone came from, so that only a guess is ever replaced."""

    DEFAULT = "default"  # the community's zone (or the bot's), a guess
    PLATFORM = "platform"  # the platform's profile (Slack): followed when it changes
    PERSON = "person"  # chosen by the person: never overridden


class PlannedState(StrEnum):
    """Where a planned message is in its life."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


@quick_init
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
    checkins: CheckinState = CheckinState.ACTIVE
    paused_until: dt.datetime | None = None
    timezone_source: ZoneSource = ZoneSource.DEFAULT


@dataclass(frozen=True, slots=True)
class RejectionDraft:
    """A rejection as the person describes it, already validated."""

    company: str
    role: str
    stage: Stage
    rejected_on: dt.date
    interviewer: str
    feeling: int

    def logged(self, id: int, person_id: int, created_at: dt.datetime) -> Rejection:
        """The rejection as logged under ``id``, nothing yet done about its note."""
        return Rejection(
            id, person_id, self.company, self.role, self.stage, self.rejected_on,
            self.interviewer, self.feeling, created_at,
        )  # fmt: skip


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
    # The person's own number for it (1, 2, 3...): kept when other wins are removed.
    number: int = 0


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


@quick_init
@dataclass(frozen=True, slots=True)
class PlannedMessage:
    """A message the bot means to send: due in UTC, planned as local time in a zone."""

    id: int
    person_id: int
    kind: str
    due: dt.datetime
    local: dt.datetime
    zone: str
    state: PlannedState
    attempts: int = 0
    rejection_id: int | None = None
    outcome: str = ""
    # A reminder about one tracked application (see bot.applications_reminders), else None.
    application_id: int | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Due:
    """A claimed planned message with what is needed to write and send it."""

    message: PlannedMessage
    person: Person
    latest_mood: int | None = None
    rejection: Rejection | None = None
    wins_since_rejection: int = 0
    # The application a reminder is about (None for check-ins, or one deleted since).
    application: Application | None = None
    # For the day-5 plan-B step of someone who tracks applications: (sent in the last seven
    # days, how many of those adjacent titles); None if they track none.
    applied_this_week: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class CheckinAnswer:
    """An answer to a check-in that is not a mood ("applied", "offer", "lesson"...)."""

    kind: str
    value: str
    created_at: dt.datetime


@quick_init
@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed message, for the outbox to record in one go."""

    planned_id: int
    person_id: int
    platform: str
    state: PlannedState
    code: str = ""
    platform_message_id: str = ""
    # For PENDING: when to try again (a retry, quiet hours, a pause).
    retry: Slot | None = None
    attempts_used: bool = True
    # The next weekly check-in, planned when this one is done with.
    follow_up: tuple[str, Slot] | None = None
    # What the bot now waits for from the person (topic, data).
    conversation: tuple[str, str] | None = None
    # Set when the platform will never reach the person: their schedule stops.
    unreachable: str = ""
    # The tracked application the message is about (its follow-up is about it too).
    application_id: int | None = None
    # Set when the message says an unanswered application is now filed as "no answer".
    closes_application: bool = False


class ApplicationStage(StrEnum):
    """Where a tracked application stands, from sent to settled."""

    APPLIED = "applied"
    SCREENING = "screening"
    INTERVIEW = "interview"
    FINAL_ROUND = "final_round"
    OFFER = "offer"
    REJECTED = "rejected"
    NO_ANSWER = "no_answer"

    @property
    def waiting(self) -> bool:
        """Whether the person is still waiting to hear (news may stop coming: ghosting)."""
        return self in _WAITING


_WAITING = frozenset(
    {
        ApplicationStage.APPLIED,
        ApplicationStage.SCREENING,
        ApplicationStage.INTERVIEW,
        ApplicationStage.FINAL_ROUND,
    }
)


@dataclass(frozen=True, slots=True)
class ApplicationDraft:
    """An application as the person describes it, already validated."""

    company: str
    role: str
    link: str
    applied_on: dt.date
    adjacent: bool
    interviewer: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Application:
    """A tracked job application and where it stands."""

    id: int
    person_id: int
    company: str
    role: str
    link: str
    applied_on: dt.date
    adjacent: bool
    stage: ApplicationStage
    created_at: dt.datetime
    interviewer: str = ""
    notes: str = ""
    # When the person last had news of it (a new stage, or "still waiting"); None: none yet.
    moved_at: dt.datetime | None = None
    # The rejection logged from it, once it was marked rejected that way.
    rejection_id: int | None = None


@dataclass(frozen=True, slots=True)
class Community:
    """One Slack workspace or Discord server, and how its admins set the bot up."""

    platform: str
    community: str
    timezone: str
    brag_channel: str = ""
    brag_weekday: int = 0  # Monday
    brag_time: dt.time = dt.time(10, 0)
    checkin_time: dt.time = dt.time(10, 0)
    support_resources: str = ""
    brag_thread: bool = True
    pulse: bool = True
    # Practice partners (bot.practice): off until an admin turns them on.
    practice: bool = False
    practice_channel: str = ""  # where private threads open (Discord); "" elsewhere
    practice_weekday: int = 1  # Tuesday
    practice_time: dt.time = dt.time(10, 0)
    practice_every: int = 1  # weeks between rounds: 1 or 2


class PostKind(StrEnum):
    """What the bot posts (or removes) in a community's channel."""

    BRAG_THREAD = "brag_thread"  # this week's thread, opened by the bot
    SHARE_WIN = "share_win"  # a win someone chose to share, under their name
    SHARE_HIRED = "share_hired"  # someone's offer news and advice, by their choice
    UNSHARE = "unshare"  # take down a post the person no longer wants up
    PRACTICE_ROUND = "practice_round"  # a round of practice partners, paired once


@dataclass(frozen=True, slots=True)
class Pulse:
    """Anonymous counts for a community's week."""

    setbacks: int
    notes: int
    wins: int
    # Applications logged this week, and by how many people (shown only from a few people on).
    applications: int = 0
    applicants: int = 0
    practice: int = 0  # practice sessions held (a partner said yes, they met)


@dataclass(frozen=True, slots=True)
class PostDue:
    """A claimed community post with what is needed to write and send it."""

    id: int
    kind: PostKind
    community: Community
    week: str
    due: dt.datetime
    attempts: int
    thread: str = ""  # for shares and removals: the week's thread id, once open
    message_id: str = ""  # for removals: the post to take down
    author: str = ""  # the sharer's display name
    text: str = ""  # the shared win or advice, posted only because its author said yes
    pulse: Pulse | None = None
    thread_pending: bool = False  # the week's thread exists but is not open yet


@dataclass(frozen=True, slots=True)
class BragOpening:
    """A week's brag thread as planned: the week it belongs to, when it opens, and whether
    it has (sent), will (pending or claimed), or was skipped."""

    week: str
    due: dt.datetime
    state: PlannedState


@dataclass(frozen=True, slots=True)
class PostOutcome:
    """What became of one claimed community post."""

    post_id: int
    state: PlannedState
    code: str = ""
    thread: str = ""  # a brag thread's id once opened
    message_id: str = ""
    retry_at: dt.datetime | None = None
