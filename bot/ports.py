"""The engine's ports: what it needs from storage and from platforms, as typed Protocols.

:class:`Store` is the union of small roles (people, journal, conversations, plans, communities,
privacy); ``storage.sql.SqlStore`` implements it on SQLAlchemy, one module per role, and the
tests have an in-memory fake of each role. Every per-person method is scoped to one person: no
call can reach another person's records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypedDict, Unpack, runtime_checkable

from bot.events import Sender
from bot.model import (
    Answer,
    BragOpening,
    CheckinAnswer,
    CheckinState,
    Community,
    Conversation,
    Due,
    Mood,
    Outcome,
    Person,
    PlannedMessage,
    PostDue,
    PostKind,
    PostOutcome,
    Pulse,
    Reflection,
    Rejection,
    RejectionDraft,
    Win,
    WinKind,
    ZoneSource,
)
from bot.replies import Reply
from bot.schedule import Slot

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


class People(Protocol):
    """Who someone is, their check-in preferences and whether they can be reached."""

    async def person(self, sender: Sender, default_timezone: str, now: dt.datetime) -> Person:
        """The person behind ``sender``, created on first contact with their community's
        time zone and check-in time (or ``default_timezone`` and 10:00)."""

    async def known_person(self, sender: Sender) -> Person | None:
        """The person behind ``sender`` if the bot knows them; never creates anyone."""

    async def update_settings(
        self,
        person_id: int,
        *,
        timezone: str,
        checkin_time: dt.time,
        quiet_start: dt.time,
        quiet_end: dt.time,
        weekdays_only: bool,
    ) -> Person:
        """Change a person's check-in preferences."""

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

    async def save_reflection(
        self,
        person_id: int,
        rejection_id: int,
        question: str,
        answer: Answer,
        note: str,
        now: dt.datetime,
    ) -> bool:
        """Store (or replace) an answer to a reflection question; False if no such rejection."""

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

    async def replace_plan(
        self,
        person_id: int,
        platform: str,
        rejection_id: int | None,
        steps: Sequence[tuple[str, Slot]],
        now: dt.datetime,
    ) -> None:
        """Skip every pending message of the person's and plan ``steps`` instead."""

    async def add_planned(
        self,
        person_id: int,
        platform: str,
        rejection_id: int | None,
        kind: str,
        slot: Slot,
        now: dt.datetime,
    ) -> None:
        """Plan one more message, alongside what is already planned."""

    async def planned(self, person_id: int) -> Sequence[PlannedMessage]:
        """The person's pending messages, soonest first."""

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

    async def share(
        self,
        person: Person,
        kind: PostKind,
        *,
        week: str,
        channel: str,
        win_id: int | None,
        body: str,
        now: dt.datetime,
    ) -> bool:
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


class Store(People, Journal, Conversations, Plans, Communities, Privacy, Protocol):
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


class CommunityPosts(Protocol):
    """The durable queue of posts in community channels (the weekly brag thread)."""

    async def plan_brag_threads(self, now: dt.datetime, platforms: Sequence[str]) -> int:
        """Make sure every community with a brag channel has its next thread planned at the
        time its settings give (once, whatever the number of instances), and none is planned
        where the thread is off; returns how many communities have one planned."""
        ...

    async def claim_posts(
        self,
        now: dt.datetime,
        *,
        limit: int,
        lease_until: dt.datetime,
        instance: str,
        platforms: Sequence[str],
    ) -> Sequence[PostDue]:
        """Take due community posts, brag threads before the shares that go into them."""
        ...

    async def finish_posts(
        self, instance: str, outcomes: Sequence[PostOutcome], now: dt.datetime
    ) -> None:
        """Record what happened to claimed posts."""
        ...


class Outbox(Protocol):
    """The durable queue of planned messages, as the dispatcher sees it.

    Every write after a claim is fenced by the claim's token: it changes a row only while
    that row is still claimed under that token, so an instance whose lease ran out can never
    record, re-plan or hand back a row that another instance has taken over.
    """

    async def claim(
        self,
        now: dt.datetime,
        *,
        limit: int,
        lease_until: dt.datetime,
        instance: str,
        platforms: Sequence[str],
    ) -> Sequence[Due]:
        """Atomically take up to ``limit`` due messages for ``platforms``, and any whose
        earlier claim's lease ran out, holding them under the token ``instance`` until
        ``lease_until``."""
        ...

    async def held(self, instance: str, planned_ids: Sequence[int], now: dt.datetime) -> set[int]:
        """Which of these messages are still claimed by ``instance`` and still welcome at
        ``now`` (the person not deleted, stopped, paused or unreachable): the last look
        before sending."""
        ...

    async def record(
        self, instance: str, outcomes: Sequence[Outcome], now: dt.datetime
    ) -> Sequence[bool]:
        """Record what happened to claimed messages, each with its follow-ups (the next
        weekly check-in, the conversation, an unreachable person), in one transaction;
        returns, per outcome, whether it was recorded (False: the claim was no longer
        ``instance``'s, so nothing of it was written). Safe to call again with the same
        outcomes after a lost connection."""
        ...

    async def renew(self, instance: str, lease_until: dt.datetime) -> int:
        """Extend the lease of every row still claimed under ``instance``; returns how many."""
        ...

    async def release(self, instance: str, planned_ids: Sequence[int]) -> int:
        """Hand back claimed messages that were not sent, due as before and with the claim's
        attempt given back, so any instance takes them at once; returns how many."""
        ...


class Messenger(Protocol):
    """Delivers replies to a person outside any request (check-ins, nudges), for one platform."""

    platform: str

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        """Send privately and return the platform's message id.

        ``key`` is unique per planned message so a platform that supports it can drop a
        duplicate. Raises :class:`bot.errors.DeliveryError` for a failure worth retrying and
        :class:`bot.errors.PermanentDeliveryError` when this person cannot be reached.
        """
        ...


@runtime_checkable
class Recaller(Protocol):
    """A messenger that can tell whether a keyed delivery already reached the person.

    Used before sending a message whose earlier claim may have sent it (the process died
    between the platform's acceptance and the record): found, it is recorded, not resent.
    """

    async def delivered(self, recipient: Sender, key: str) -> str | None:
        """The platform's id of the message sent under ``key``, or None if there is none."""
        ...


@runtime_checkable
class Publisher(Protocol):
    """Posts in a community's channels (the weekly brag thread), for one platform.

    Only what a person explicitly agreed to share, or the bot's own words, ever goes through
    here. Every text is rendered with the platform's escaping, so nothing pings anyone.
    """

    platform: str

    async def open_thread(
        self, community: str, channel: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Start this week's thread in ``channel``; return the id later posts reply into
        (Slack: the parent message's ts; Discord: the new thread's channel id)."""
        ...

    async def post(
        self, community: str, channel: str, thread: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Post into a thread; return the posted message's id."""
        ...

    async def react(
        self, community: str, channel: str, thread: str, message_id: str, emoji: str
    ) -> None:
        """Add a reaction (an emoji name such as "tada") to a posted message."""
        ...

    async def delete(self, community: str, channel: str, thread: str, message_id: str) -> None:
        """Remove a message the bot posted; a message already gone is not an error."""
        ...
