"""The in-memory fake of :class:`bot.ports.Plans`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from bot import practice_kit
from bot.model import PlannedMessage, PlannedState
from bot.schedule import Slot
from bot.writes import NewPlanned, RecoveryPlan
from tests.fakes.state import MemoryState

LIVE = (PlannedState.PENDING, PlannedState.CLAIMED)


class MemoryPlans(MemoryState):
    """:class:`bot.ports.Plans` in dictionaries; behaves like ``storage.plans``."""

    async def replace_plan(self, plan: RecoveryPlan, now: dt.datetime) -> None:
        for planned_id, message in list(self.planned_by_id.items()):
            # Reminders about applications and practice partners' messages stay.
            mine = message.person_id == plan.person_id and message.application_id is None
            if mine and message.state in LIVE and message.kind not in practice_kit.KINDS:
                self.planned_by_id[planned_id] = replace(
                    message, state=PlannedState.SKIPPED, outcome="superseded"
                )
        for new in plan.messages():
            await self.add_planned(new, now)

    async def add_planned(self, message: NewPlanned, now: dt.datetime) -> None:
        # Like the database's unique index: a pending message of this kind is moved instead.
        for planned_id, found in self.planned_by_id.items():
            pending = found.state is PlannedState.PENDING and found.application_id is None
            if pending and found.person_id == message.person_id and found.kind == message.kind:
                self.planned_by_id[planned_id] = moved(found, message.slot)
                return
        self.plan_new(message)

    async def planned(self, person_id: int) -> Sequence[PlannedMessage]:
        return self.pending_of(person_id, reminders=False)

    async def move_planned(self, person_id: int, moves: Sequence[tuple[int, Slot]]) -> None:
        for planned_id, slot in moves:
            found = self.planned_by_id.get(planned_id)
            if found and found.person_id == person_id and found.state is PlannedState.PENDING:
                self.planned_by_id[planned_id] = moved(found, slot)

    async def cancel_planned(self, person_id: int, outcome: str) -> int:
        cancelled = 0
        for planned_id, message in list(self.planned_by_id.items()):
            if message.person_id == person_id and message.state in LIVE:
                self.planned_by_id[planned_id] = replace(
                    message, state=PlannedState.SKIPPED, outcome=outcome
                )
                cancelled += 1
        return cancelled


def moved(message: PlannedMessage, slot: Slot) -> PlannedMessage:
    return replace(message, due=slot.due, local=slot.local, zone=slot.zone)
