"""What the engine hands the store to write: each named once, as a frozen dataclass, so the
port, its SQL implementation and its fake take one argument instead of a long list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.model import ApplicationStage, PostKind
from bot.schedule import Slot


@dataclass(frozen=True, slots=True)
class NewPlanned:
    """A message to plan for a person: its kind and slot, and what it follows up on (the
    rejection of a recovery plan, or the application a reminder is about)."""

    person_id: int
    platform: str
    kind: str
    slot: Slot
    rejection_id: int | None = None
    application_id: int | None = None


@dataclass(frozen=True, slots=True)
class RecoveryPlan:
    """The check-ins planned after a rejection (kind, slot), replacing whatever a person's
    earlier plan still had pending."""

    person_id: int
    platform: str
    rejection_id: int | None
    steps: Sequence[tuple[str, Slot]]

    def messages(self) -> list[NewPlanned]:
        """One message to plan per step."""
        return [
            NewPlanned(self.person_id, self.platform, kind, slot, rejection_id=self.rejection_id)
            for kind, slot in self.steps
        ]


@dataclass(frozen=True, slots=True)
class Share:
    """Something a person agreed to share in ``week``'s brag thread in ``channel``: one of
    their wins (``win_id``) or their news in their own words (``body``)."""

    kind: PostKind
    week: str
    channel: str
    win_id: int | None = None
    body: str = ""


@dataclass(frozen=True, slots=True)
class ApplicationNews:
    """News of an application at ``at``: its stage (even the same one: "still waiting"), and
    the rejection logged from it, if any."""

    stage: ApplicationStage
    at: dt.datetime
    rejection_id: int | None = None
