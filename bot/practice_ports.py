"""Practice partners' delivery ports: the rounds the dispatcher runs (once per community per
round, through the community-post outbox) and the platforms that introduce a group where
all of them can talk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.model import Person
from bot.practice_model import PracticeMember, PracticeRound
from bot.practice_pairing import Group
from bot.replies import Reply
from bot.schedule import Slot


@dataclass(frozen=True, slots=True)
class Introduction:
    """Where a group was introduced (a Slack group DM, a Discord thread; "" if nowhere) and
    the platform user ids that could not be brought in."""

    conversation: str
    unreachable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Meeting:
    """A group to introduce: the community, its practice channel ("" where none is needed),
    the members' platform user ids, the introduction, and the key it is sent under."""

    community: str
    channel: str
    people: tuple[str, ...]
    replies: tuple[Reply, ...]
    key: str


@dataclass(frozen=True, slots=True)
class Introduced:
    """What became of a group's introduction: who was reached (with when to ask "Did you
    meet?"), who was not (``missed``), and of those, whom the platform refused."""

    number: int
    reached: tuple[tuple[int, Slot], ...] = ()
    missed: tuple[int, ...] = ()
    conversation: str = ""
    refused: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Grouping:
    """Groups to store for a round, and who is left alone, with when to tell them."""

    groups: tuple[Group, ...] = ()
    alone: tuple[tuple[int, Slot], ...] = ()


@runtime_checkable
class Introducer(Protocol):
    """Opens a conversation that every member of a group, and only they, can see, and posts
    the introduction there, for one platform."""

    platform: str
    # Whether the community must name a channel first (Discord: private threads live in one).
    needs_channel: bool

    async def introduce(self, meeting: Meeting) -> Introduction:
        """Bring the meeting's people together and post its replies where they all see them.
        People who cannot be reached are left out and named in the answer; with fewer than
        two left, nothing is opened. Raises :class:`bot.errors.DeliveryError` to
        try again later, :class:`bot.errors.PermanentDeliveryError` when nothing can be
        opened in this community (a missing permission, a channel gone)."""
        ...


class PracticeRounds(Protocol):
    """Practice rounds as the dispatcher runs them: planned from each community's settings,
    claimed with the community posts, paired once and recorded under the claim's token."""

    async def plan_practice_rounds(self, now: dt.datetime, platforms: Sequence[str]) -> int:
        """Plan each community's next round (once, whatever the number of instances) at the
        time its settings give, and cancel those turned off; returns how many are planned."""
        ...

    async def practice_round(self, instance: str, post_id: int) -> PracticeRound | None:
        """The claimed round's groups as stored (none yet: not paired); None once the claim
        is no longer ``instance``'s."""
        ...

    async def practice_candidates(
        self, platform: str, community: str, now: dt.datetime
    ) -> Sequence[tuple[Person, PracticeMember]]:
        """Who can be paired now: joined and not paused, left or stopped, with open DMs."""
        ...

    async def practice_history(
        self, platform: str, community: str, before: str, rounds: int
    ) -> Sequence[Sequence[Group]]:
        """The groups of the community's last ``rounds`` rounds before the week ``before``,
        oldest first, as person ids."""
        ...

    async def save_groups(
        self, instance: str, post_id: int, grouping: Grouping, now: dt.datetime
    ) -> PracticeRound | None:
        """Store groups for the claimed round (numbered after any already there; a person
        already in the round moves to their new group), and the people left alone with when
        to tell them; the round as stored, or None once the claim is not ``instance``'s."""
        ...

    async def practice_introduced(
        self, instance: str, post_id: int, introduced: Introduced, now: dt.datetime
    ) -> bool:
        """Record a group's introduction, planning "Did you meet?" for those reached; those
        the platform refused are recorded as unreachable, like closed DMs, so they are not
        paired again. False once the claim is not ``instance``'s."""
        ...
