"""What every in-memory fake of a store role shares: the records, in dictionaries."""

from __future__ import annotations

import itertools
from typing import Any

from bot.model import (
    Application,
    CheckinAnswer,
    Community,
    Conversation,
    Mood,
    Person,
    PlannedMessage,
    PlannedState,
    Reflection,
    Rejection,
    Win,
)
from bot.practice_model import PracticeMember
from bot.writes import NewPlanned


class MemoryState:
    """Every record the fakes keep, under the names the tests read them by."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.people: dict[tuple[str, str, str], Person] = {}
        self.rejections_by_id: dict[int, Rejection] = {}
        self.reflections_by_key: dict[tuple[int, str], tuple[int, Reflection]] = {}
        # The order in which each (rejection, question) was first answered, like a row id.
        self._order: dict[tuple[int, str], int] = {}
        self.wins_by_id: dict[int, tuple[int, Win]] = {}
        self.moods_by_person: dict[int, list[Mood]] = {}
        self.answers_by_person: dict[int, list[CheckinAnswer]] = {}
        self.conversations: dict[int, Conversation] = {}
        self.planned_by_id: dict[int, PlannedMessage] = {}
        self.communities: dict[tuple[str, str], Community] = {}
        self.posts: list[dict[str, Any]] = []
        self.memos: dict[str, str] = {}  # the Discord adapter's long buttons
        self.applications_by_id: dict[int, Application] = {}
        self.ghost_days_by_person: dict[int, int] = {}
        self.practice_members: dict[int, PracticeMember] = {}
        # One row per person per practice round: person_id, week, state, met, met_at.
        self.practice_rounds: list[dict[str, object]] = []

    def _key_of(self, person_id: int) -> tuple[str, str, str]:
        """Where the person with this id is kept."""
        for key, person in self.people.items():
            if person.id == person_id:
                return key
        raise KeyError(person_id)

    def _owned_rejection(self, person_id: int, rejection_id: int) -> Rejection | None:
        found = self.rejections_by_id.get(rejection_id)
        return found if found is not None and found.person_id == person_id else None

    def _reflections_of(self, person_id: int) -> list[Reflection]:
        """The person's reflections in the order they were first answered."""
        mine = [
            (self._order[k], r) for k, (p, r) in self.reflections_by_key.items() if p == person_id
        ]
        return [r for _, r in sorted(mine, key=lambda pair: pair[0])]

    def plan_new(self, new: NewPlanned) -> None:
        """Keep a new pending message."""
        message = PlannedMessage(
            id=next(self._ids),
            person_id=new.person_id,
            kind=new.kind,
            due=new.slot.due,
            local=new.slot.local,
            zone=new.slot.zone,
            state=PlannedState.PENDING,
            rejection_id=new.rejection_id,
            application_id=new.application_id,
        )
        self.planned_by_id[message.id] = message

    def pending_of(self, person_id: int, *, reminders: bool) -> list[PlannedMessage]:
        """The person's pending check-ins, or their pending reminders about applications."""
        mine = [
            m
            for m in self.planned_by_id.values()
            if m.person_id == person_id
            and m.state is PlannedState.PENDING
            and (m.application_id is not None) is reminders
        ]
        return sorted(mine, key=lambda m: (m.due, m.id))
