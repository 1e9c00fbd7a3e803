"""The engine's ports: what it needs from storage and from platforms, as typed Protocols.

:class:`Store` is the union of small roles (people, journal, conversations, plans, communities,
privacy, applications, practice); ``storage.sql.SqlStore`` implements it on SQLAlchemy, one
module per role, and the tests have an in-memory fake of each role. Every per-person method is
scoped to one person: no call can reach another person's records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypedDict, Unpack

from bot.events import Sender
from bot.model import (
    Application,
    ApplicationDraft,
    BragOpening,
    CheckinAnswer,
    CheckinState,
    Community,
    Conversation,
    Mood,
    Person,
    PlannedMessage,
    Pulse,
    Reflection,
    Rejection,
    RejectionDraft,
    Win,
    WinKind,
    ZoneSource,
)
from bot.practice_model import Met, PracticeChoices, PracticeMember, PracticeState
from bot.schedule import Preferences, Slot
from bot.writes import ApplicationNews, NewPlanned, RecoveryPlan, Share

# The store's roles. Each method's docstring is its whole body, as a Protocol allows.


class CommunityChanges(TypedDict, total=False):
    """Settings of a :class:`bot.model.Community` to change; one given as None stays as it is."""

    timezone: str | None
    brag_channel: str | None
    brag_weekday: int | None
    brag_time: dt.time | None
    checkin_time: dt.time | None
    support_resources: str | None
    brag_thread: bool | None
    pulse: bool | None
    practice: bool | None
    practice_channel: str | None
    practice_weekday: int | None
    practice_time: dt.time | None
    practice_every: int | None


class People(Protocol):
    """Who someone is, their check-in preferences and whether they can be reached."""

    async def person(
        self, sender: Sender, default_timezone: str, now: dt.datetime, *, platform_zone: str = ""
    ) -> Person:
        """The person behind ``sender``, created on first contact with their community's
        time zone and check-in time (or ``default_timezone`` and 10:00); in
        ``platform_zone`` instead when the platform gave one (a known zone)."""

    async def known_person(self, sender: Sender) -> Person | None:
        """The person behind ``sender`` if the bot knows them; never creates anyone."""

    async def update_settings(self, person_id: int, preferences: Preferences) -> Person:
        """Change a person's check-in preferences (their time zone among them)."""

    async def set_timezone(self, person_id: int, timezone: str, source: ZoneSource) -> Person:
        """Change a person's time zone, noting where it came from."""

    async def set_unreachable(self, person_id: int, reason: str, now: dt.datetime) -> None:
        """Record why the person cannot be messaged privately ("" once they can again)."""

    async def set_checkins(
        self, person_id: int, state: CheckinState, paused_until: dt.datetime | None
    ) -> None:
        """Switch a person's check-ins on, off, or off until a moment."""


class Journal(Protocol):
    """What a person logs and answers: rejections and reflections, wins, moods, check-in
    answers."""

    async def add_rejection(
        self, person_id: int, draft: RejectionDraft, now: dt.datetime
    ) -> Rejection:
        """Log a rejection and the feeling it came with, in one transaction."""

    async def rejections(self, person_id: int) -> Sequence[Rejection]:
        """The person's rejections, oldest first."""

    async def mark_note_sent(
        self, person_id: int, rejection_id: int, now: dt.datetime
    ) -> Rejection | None:
        """Record that the feedback note went out; None if there is no such rejection."""

    async def log_feedback(
        self, person_id: int, rejection_id: int, text: str, now: dt.datetime
    ) -> Rejection | None:
        """Record what the interviewer said; None if there is no such rejection."""

    async def save_reflection(self, person_id: int, reflection: Reflection) -> bool:
        """Store (or replace) an answer to a reflection question about one of the person's
        rejections; False if they have no such rejection."""

    async def reflections(self, person_id: int) -> Sequence[Reflection]:
        """Every reflection answer the person gave, oldest first."""

    async def add_win(self, person_id: int, text: str, kind: WinKind, now: dt.datetime) -> Win:
        """Add to the bragging list."""

    async def wins(self, person_id: int) -> Sequence[Win]:
        """The bragging list, oldest first."""

    async def set_win_kind(self, person_id: int, win_id: int, kind: WinKind) -> Win | None:
        """File a win under another kind; None if there is no such win."""

    async def remove_win(self, person_id: int, win_id: int) -> bool:
        """Delete a win; False if there was none."""

    async def add_mood(
        self, person_id: int, score: int, note: str, source: str, now: dt.datetime
    ) -> Mood:
        """Record how the person feels."""

    async def moods(self, person_id: int, limit: int) -> Sequence[Mood]:
        """The latest ``limit`` moods, oldest first."""

    async def add_answer(self, person_id: int, kind: str, value: str, now: dt.datetime) -> None:
        """Record a check-in answer."""

    async def answers(self, person_id: int) -> Sequence[CheckinAnswer]:
        """The person's check-in answers, oldest first."""


class Conversations(Protocol):
    """The question the bot is waiting on, per person, so an answer survives a restart."""

    async def conversation(self, person_id: int) -> Conversation | None:
        """What the bot is waiting for from this person, if anything."""

    async def set_conversation(
        self, person_id: int, topic: str, data: str, now: dt.datetime
    ) -> None:
        """Remember what the bot just asked."""

    async def clear_conversation(self, person_id: int) -> None:
        """Forget any pending question."""


class Plans(Protocol):
    """The messages the bot means to send a person (the dispatcher sends them)."""

    async def replace_plan(self, plan: RecoveryPlan, now: dt.datetime) -> None:
        """Skip every pending check-in of the plan's person and plan its steps instead
        (reminders about applications and practice partners' messages stay)."""

    async def add_planned(self, message: NewPlanned, now: dt.datetime) -> None:
        """Plan one more message, alongside what is already planned."""

    async def planned(self, person_id: int) -> Sequence[PlannedMessage]:
        """The person's pending check-ins (not reminders about applications), soonest first."""

    async def move_planned(self, person_id: int, moves: Sequence[tuple[int, Slot]]) -> None:
        """Give pending messages new slots (planned message id, slot)."""

    async def cancel_planned(self, person_id: int, outcome: str) -> int:
        """Skip every pending message of the person's, recording why; returns how many."""


class Communities(Protocol):
    """A community's settings, and what its people chose to share in its channel."""

    async def community(
        self, platform: str, community: str, default_timezone: str, now: dt.datetime
    ) -> Community:
        """A community's settings, created with defaults on first use."""

    async def update_community(
        self, platform: str, community: str, **changes: Unpack[CommunityChanges]
    ) -> Community:
        """Change the settings given; the others stay as they are."""

    async def share(self, person: Person, share: Share, now: dt.datetime) -> bool:
        """Plan a post of something the person agreed to share; False if already shared."""

    async def unshare_win(self, person_id: int, win_id: int, now: dt.datetime) -> bool:
        """Take a shared win down (or never post it); False if it was never shared."""

    async def unshare_all(self, person_id: int, now: dt.datetime) -> None:
        """Take down everything the person shared (before their data is deleted)."""


class Privacy(Protocol):
    """A person's data as theirs: all of it exported, or all of it erased."""

    async def export(self, person_id: int) -> Mapping[str, Any]:
        """Everything stored about the person, as plain JSON-ready data."""

    async def delete_person(self, person_id: int) -> None:
        """Erase the person and every record about them, planned messages included."""


class Applications(Protocol):
    """The applications a person tracks, and the reminders planned about them (planned
    messages in the same outbox as check-ins, one pending per application)."""

    async def add_application(
        self, person_id: int, draft: ApplicationDraft, now: dt.datetime
    ) -> Application:
        """Track a new application, at the stage "applied"."""

    async def applications(self, person_id: int) -> Sequence[Application]:
        """The person's applications, oldest first (their number is their place here)."""

    async def edit_application(
        self, person_id: int, application_id: int, draft: ApplicationDraft
    ) -> Application | None:
        """Replace what the person said about an application; None if there is no such one."""

    async def move_application(
        self, person_id: int, application_id: int, news: ApplicationNews
    ) -> Application | None:
        """Record news of an application, linking the rejection logged from it if the news
        names one; None if there is no such application."""

    async def remove_application(self, person_id: int, application_id: int) -> bool:
        """Delete an application and its reminders; False if there was none."""

    async def ghost_days(self, person_id: int) -> int | None:
        """The person's days without news before a reminder; None if never set."""

    async def set_ghost_days(self, person_id: int, days: int) -> None:
        """Set the days without news before a reminder (0: never remind)."""

    async def plan_reminder(self, reminder: NewPlanned, now: dt.datetime) -> None:
        """Plan a reminder about ``reminder.application_id`` (the person's own application
        only), replacing any pending one about it."""

    async def reminders(self, person_id: int) -> Sequence[PlannedMessage]:
        """The person's pending reminders about applications, soonest first."""

    async def cancel_reminders(
        self, person_id: int, application_id: int | None, outcome: str
    ) -> int:
        """Skip the pending (or claimed) reminders about one application, or about all of
        them when ``application_id`` is None; returns how many."""


class Practice(Protocol):
    """A member's practice-partner choices and their answers after each round."""

    async def practice_member(self, person_id: int) -> PracticeMember | None:
        """The person's choices, if they ever joined."""

    async def join_practice(
        self, person_id: int, choices: PracticeChoices, now: dt.datetime
    ) -> PracticeMember:
        """Join (or rejoin, or change the choices): active from the next round."""

    async def set_practice_state(
        self, person_id: int, state: PracticeState, paused_until: dt.datetime | None
    ) -> PracticeMember | None:
        """Pause, resume or leave; None if the person never joined. Leaving forgets the
        areas and role kind."""

    async def latest_practice(self, person_id: int) -> tuple[str, Met] | None:
        """The latest round the person was introduced in, and their answer to "Did you
        meet?"; None if they never were."""

    async def record_practice(self, person_id: int, week: str, met: Met, now: dt.datetime) -> bool:
        """Record the answer for that round; False if they were not introduced in it."""


class Store(
    People, Journal, Conversations, Plans, Communities, Privacy, Applications, Practice, Protocol
):
    """Per-person persistence for the engine: every role, and one transaction across them."""

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Group the calls made inside into one all-or-nothing unit (one event)."""


class BragSchedule(Protocol):
    """The weekly brag thread's schedule, as a community's admins steer it. Each change is
    made once, whatever the number of instances making it."""

    async def brag_openings(
        self, platform: str, community: str, this_week: str, now: dt.datetime
    ) -> Sequence[BragOpening]:
        """Bring the planned thread in line with the settings (a new day, time or zone moves
        the pending opening; a thread turned off is cancelled; a first one is planned for the
        next time ahead), then this week's thread and the next opening, in week order."""
        ...

    async def skip_brag_thread(
        self, platform: str, community: str, week: str, now: dt.datetime
    ) -> bool:
        """Skip a week's pending thread (its waiting shares move to the next one); True only
        for the call that skipped it."""
        ...

    async def open_brag_thread(
        self, platform: str, community: str, week: str, now: dt.datetime
    ) -> bool:
        """Open a week's thread at once; True only for the call that brought it forward."""
        ...

    async def brag_pulse(self, platform: str, community: str, now: dt.datetime) -> Pulse:
        """The anonymous counts an opening made now would show."""
        ...
