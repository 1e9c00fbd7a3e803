"""The in-memory fake of :class:`bot.ports.Applications`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from bot.model import (
    Application,
    ApplicationDraft,
    ApplicationStage,
    PlannedMessage,
    PlannedState,
)
from bot.writes import ApplicationNews, NewPlanned
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
            stage=ApplicationStage.APPLIED,
            created_at=now,
            **asdict(draft),
        )
        self.applications_by_id[application.id] = application
        return application

    async def applications(self, person_id: int) -> Sequence[Application]:
        mine = [a for a in self.applications_by_id.values() if a.person_id == person_id]
        return sorted(mine, key=lambda a: a.id)

    async def edit_application(
        self, person_id: int, application_id: int, draft: ApplicationDraft
    ) -> Application | None:
        return self._change_application(person_id, application_id, **asdict(draft))

    async def move_application(
        self, person_id: int, application_id: int, news: ApplicationNews
    ) -> Application | None:
        linked = {} if news.rejection_id is None else {"rejection_id": news.rejection_id}
        return self._change_application(
            person_id, application_id, stage=news.stage, moved_at=news.at, **linked
        )

    def _change_application(
        self, person_id: int, application_id: int, **changes: Any
    ) -> Application | None:
        found = self.applications_by_id.get(application_id)
        if found is None or found.person_id != person_id:
            return None
        changed = replace(found, **changes)
        self.applications_by_id[application_id] = changed
        return changed

    async def remove_application(self, person_id: int, application_id: int) -> bool:
        found = self.applications_by_id.get(application_id)
        if found is None or found.person_id != person_id:
            return False
        del self.applications_by_id[application_id]
        self.planned_by_id = {
            i: m for i, m in self.planned_by_id.items() if m.application_id != application_id
        }
        return True

    async def ghost_days(self, person_id: int) -> int | None:
        return self.ghost_days_by_person.get(person_id)

    async def set_ghost_days(self, person_id: int, days: int) -> None:
        self.ghost_days_by_person[person_id] = days

    async def plan_reminder(self, reminder: NewPlanned, now: dt.datetime) -> None:
        application_id = reminder.application_id
        owned = None if application_id is None else self.applications_by_id.get(application_id)
        if owned is None or owned.person_id != reminder.person_id:
            return
        for planned_id, found in self.planned_by_id.items():
            if found.state is PlannedState.PENDING and found.application_id == application_id:
                moved_here = moved(found, reminder.slot)
                self.planned_by_id[planned_id] = replace(moved_here, kind=reminder.kind)
                return
        self.plan_new(reminder)

    async def reminders(self, person_id: int) -> Sequence[PlannedMessage]:
        return self.pending_of(person_id, reminders=True)

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
