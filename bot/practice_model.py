"""Practice partners' records: a member's choices, a round's groups and the answer to "Did you
meet?". Plain frozen dataclasses, like :mod:`bot.model`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.model import CheckinState, Person


class PracticeState(StrEnum):
    """Whether a member takes part in practice partners."""

    ACTIVE = "active"
    PAUSED = "paused"  # until PracticeMember.paused_until
    LEFT = "left"


@dataclass(frozen=True, slots=True)
class PracticeChoices:
    """What a member chose on joining: the areas and role kind a partner sees, and when they
    are usually free (a key of bot.practice_pairing.AVAILABILITY)."""

    areas: tuple[str, ...]
    role_kind: str
    availability: str


@dataclass(frozen=True, slots=True)
class PracticeMember:
    """A member's practice-partner choices. Only ``areas`` and ``role_kind`` (with their display
    name) are ever shown to a partner."""

    person_id: int
    state: PracticeState
    areas: tuple[str, ...]
    role_kind: str
    availability: str  # a key of bot.practice_pairing.AVAILABILITY
    paused_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PracticeSeat:
    """One person in a practice group: what the introduction may say about them, and whether
    they can still be introduced (left, stopped, deleted or unreachable since the pairing)."""

    person: Person
    member: PracticeMember | None  # None once they left the programme or deleted their data

    @property
    def available(self) -> bool:
        """Whether this person can be introduced now."""
        member = self.member
        return (
            member is not None
            and member.state is not PracticeState.LEFT
            and self.person.checkins is not CheckinState.STOPPED
            and not self.person.unreachable
        )


@dataclass(frozen=True, slots=True)
class PracticeGroup:
    """A group of a practice round as stored: its number in the round, and its people."""

    number: int
    seats: tuple[PracticeSeat, ...]
    introduced: bool = False


@dataclass(frozen=True, slots=True)
class PracticeRound:
    """A claimed round's groups (empty until it is paired)."""

    paired: bool
    groups: tuple[PracticeGroup, ...] = ()


class Met(StrEnum):
    """A member's answer to "Did you meet?" after a practice round."""

    UNANSWERED = ""
    YES = "yes"
    NOT_YET = "not_yet"
    SKIP = "skip"
