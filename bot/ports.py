"""The engine's ports: what it needs from storage and from platforms, as typed Protocols.

``storage.sql.SqlStore`` implements :class:`Store` on SQLAlchemy; the tests have an in-memory
fake. Every method is scoped to one person: no call can reach another person's records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from bot.events import Sender
from bot.model import (
    Answer,
    CheckinAnswer,
    CheckinState,
    Conversation,
    Due,
    Mood,
    Outcome,
    Person,
    PlannedMessage,
    Reflection,
    Rejection,
    RejectionDraft,
    Win,
    WinKind,
)
from bot.replies import Reply
from bot.schedule import Slot


class Store(Protocol):
    """Per-person persistence for the engine."""

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Group the calls made inside into one all-or-nothing unit (one event)."""
        ...

    async def person(self, sender: Sender, default_timezone: str, now: dt.datetime) -> Person:
        """The person behind ``sender``, created on first contact."""
        ...

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
        ...

    async def set_unreachable(self, person_id: int, reason: str, now: dt.datetime) -> None:
        """Record why the person cannot be messaged privately ("" once they can again)."""
        ...

    async def add_rejection(
        self, person_id: int, draft: RejectionDraft, now: dt.datetime
    ) -> Rejection:
        """Log a rejection and the feeling it came with, in one transaction."""
        ...

    async def rejections(self, person_id: int) -> Sequence[Rejection]:
        """The person's rejections, oldest first."""
        ...

    async def mark_note_sent(
        self, person_id: int, rejection_id: int, now: dt.datetime
    ) -> Rejection | None:
        """Record that the feedback note went out; None if there is no such rejection."""
        ...

    async def log_feedback(
        self, person_id: int, rejection_id: int, text: str, now: dt.datetime
    ) -> Rejection | None:
        """Record what the interviewer said; None if there is no such rejection."""
        ...

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
        ...

    async def reflections(self, person_id: int) -> Sequence[Reflection]:
        """Every reflection answer the person gave, oldest first."""
        ...

    async def add_win(self, person_id: int, text: str, kind: WinKind, now: dt.datetime) -> Win:
        """Add to the bragging list."""
        ...

    async def wins(self, person_id: int) -> Sequence[Win]:
        """The bragging list, oldest first."""
        ...

    async def set_win_kind(self, person_id: int, win_id: int, kind: WinKind) -> Win | None:
        """File a win under another kind; None if there is no such win."""
        ...

    async def remove_win(self, person_id: int, win_id: int) -> bool:
        """Delete a win; False if there was none."""
        ...

    async def add_mood(
        self, person_id: int, score: int, note: str, source: str, now: dt.datetime
    ) -> Mood:
        """Record how the person feels."""
        ...

    async def moods(self, person_id: int, limit: int) -> Sequence[Mood]:
        """The latest ``limit`` moods, oldest first."""
        ...

    async def conversation(self, person_id: int) -> Conversation | None:
        """What the bot is waiting for from this person, if anything."""
        ...

    async def set_conversation(
        self, person_id: int, topic: str, data: str, now: dt.datetime
    ) -> None:
        """Remember what the bot just asked."""
        ...

    async def clear_conversation(self, person_id: int) -> None:
        """Forget any pending question."""
        ...

    async def set_checkins(
        self, person_id: int, state: CheckinState, paused_until: dt.datetime | None
    ) -> None:
        """Switch a person's check-ins on, off, or off until a moment."""
        ...

    async def replace_plan(
        self,
        person_id: int,
        platform: str,
        rejection_id: int | None,
        steps: Sequence[tuple[str, Slot]],
        now: dt.datetime,
    ) -> None:
        """Skip every pending message of the person's and plan ``steps`` instead."""
        ...

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
        ...

    async def planned(self, person_id: int) -> Sequence[PlannedMessage]:
        """The person's pending messages, soonest first."""
        ...

    async def move_planned(self, person_id: int, moves: Sequence[tuple[int, Slot]]) -> None:
        """Give pending messages new slots (planned message id, slot)."""
        ...

    async def cancel_planned(self, person_id: int, outcome: str) -> int:
        """Skip every pending message of the person's, recording why; returns how many."""
        ...

    async def add_answer(self, person_id: int, kind: str, value: str, now: dt.datetime) -> None:
        """Record a check-in answer."""
        ...

    async def answers(self, person_id: int) -> Sequence[CheckinAnswer]:
        """The person's check-in answers, oldest first."""
        ...

    async def export(self, person_id: int) -> Mapping[str, Any]:
        """Everything stored about the person, as plain JSON-ready data."""
        ...

    async def delete_person(self, person_id: int) -> None:
        """Erase the person and every record about them, planned messages included."""
        ...


class Outbox(Protocol):
    """The durable queue of planned messages, as the dispatcher sees it."""

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
        earlier claim's lease ran out, holding them until ``lease_until``."""
        ...

    async def held(self, instance: str, planned_ids: Sequence[int]) -> set[int]:
        """Which of these messages are still claimed by ``instance`` (not deleted, not stopped,
        not taken over): the last look before sending."""
        ...

    async def finish(self, instance: str, outcomes: Sequence[Outcome], now: dt.datetime) -> None:
        """Record what happened to claimed messages; ignores any this instance no longer holds."""
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
