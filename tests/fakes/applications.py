"""The in-memory fake of :class:`bot.ports.Applications`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from bot.model import (
    Application,
    ApplicationDraft,
    ApplicationStage,
    PlannedMessage,
    PlannedState,
)
from bot.schedule import Slot
from tests.fakes.plans import LIVE, moved
from tests.fakes.state import MemoryState


class MemoryApplications(MemoryState):
    """:class:`bot.ports.Applications` in dictionaries; behaves like ``storage.applications``."""

    async def add_application(
        self, person_id: int, draft: ApplicationDraft, now: dt.datetime
    ) -> Application:
        application = Application(
            id=next(self._ids),
            person_id=person_id,
            company=draft.company,
            role=draft.role,
            link=draft.link,
            applied_on=draft.applied_on,
            adjacent=draft.adjacent,
            stage=ApplicationStage.APPLIED,
            created_at=now,
            interviewer=draft.interviewer,
            notes=draft.notes,
        )
        self.applications_by_id[application.id] = application
        return application

    async def applications(self, person_id: int) -> Sequence[Application]:
        mine = [a for a in self.applications_by_id.values() if a.person_id == person_id]
        return sorted(mine, key=lambda a: a.id)

    def _owned_application(self, person_id: int, application_id: int) -> Application | None:
        found = self.applications_by_id.get(application_id)
        return found if found is not None and found.person_id == person_id else None

    async def edit_application(
        self, person_id: int, application_id: int, draft: ApplicationDraft
    ) -> Application | None:
        found = self._owned_application(person_id, application_id)
        if found is None:
            return None
        changed = replace(
            found,
            company=draft.company,
            role=draft.role,
            link=draft.link,
            applied_on=draft.applied_on,
            adjacent=draft.adjacent,
            interviewer=draft.interviewer,
            notes=draft.notes,
        )
        self.applications_by_id[application_id] = changed
        return changed

    async def move_application(
        self,
        person_id: int,
        application_id: int,
        stage: ApplicationStage,
        now: dt.datetime,
        rejection_id: int | None = None,
    ) -> Application | None:
        found = self._owned_application(person_id, application_id)
        if found is None:
            return None
        changed = replace(
            found,
            stage=stage,
            moved_at=now,
            rejection_id=found.rejection_id if rejection_id is None else rejection_id,
        )
        self.applications_by_id[application_id] = changed
        return changed

    async def ghost_days(self, person_id: int) -> int | None:
        return self.ghost_days_by_person.get(person_id)

    async def set_ghost_days(self, person_id: int, days: int) -> None:
        self.ghost_days_by_person[person_id] = days

    async def plan_reminder(
        self,
        person_id: int,
        platform: str,
        application_id: int,
        kind: str,
        slot: Slot,
        now: dt.datetime,
    ) -> None:
        if self._owned_application(person_id, application_id) is None:
            return
        for planned_id, found in self.planned_by_id.items():
            if found.state is PlannedState.PENDING and found.application_id == application_id:
                self.planned_by_id[planned_id] = replace(moved(found, slot), kind=kind)
                return
        message = PlannedMessage(
            id=next(self._ids),
            person_id=person_id,
            kind=kind,
            due=slot.due,
            local=slot.local,
            zone=slot.zone,
            state=PlannedState.PENDING,
            application_id=application_id,
        )
        self.planned_by_id[message.id] = message

    async def reminders(self, person_id: int) -> Sequence[PlannedMessage]:
        mine = [
            m
            for m in self.planned_by_id.values()
            if m.person_id == person_id
            and m.state is PlannedState.PENDING
            and m.application_id is not None
        ]
        return sorted(mine, key=lambda m: (m.due, m.id))

    async def cancel_reminders(
        self, person_id: int, application_id: int | None, outcome: str
    ) -> int:
        cancelled = 0
        for planned_id, message in list(self.planned_by_id.items()):
            about = message.application_id is not None and (
                application_id is None or message.application_id == application_id
            )
            if message.person_id == person_id and message.state in LIVE and about:
                self.planned_by_id[planned_id] = replace(
                    message, state=PlannedState.SKIPPED, outcome=outcome
                )
                cancelled += 1
        return cancelled
