"""The in-memory fake of :class:`bot.ports.Privacy`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from tests.fakes.state import MemoryState


class MemoryPrivacy(MemoryState):
    """:class:`bot.ports.Privacy` in dictionaries; behaves like ``storage.privacy``."""

    async def export(self, person_id: int) -> Mapping[str, Any]:
        person = next((p for p in self.people.values() if p.id == person_id), None)
        if person is None:
            return {}
        return {
            "person": asdict(person),
            "rejections": [
                asdict(r) for r in self.rejections_by_id.values() if r.person_id == person_id
            ],
            "applications": [
                asdict(a) for a in self.applications_by_id.values() if a.person_id == person_id
            ],
            "application_settings": [
                {"ghost_days": days}
                for p, days in self.ghost_days_by_person.items()
                if p == person_id
            ],
            "reflections": [asdict(r) for r in self._reflections_of(person_id)],
            "moods": [asdict(m) for m in self.moods_by_person.get(person_id, [])],
            "checkin_answers": [asdict(a) for a in self.answers_by_person.get(person_id, [])],
            "wins": [asdict(w) for p, w in self.wins_by_id.values() if p == person_id],
            "planned_messages": [
                asdict(m) for m in self.planned_by_id.values() if m.person_id == person_id
            ],
        }

    async def delete_person(self, person_id: int) -> None:
        self.people = {k: p for k, p in self.people.items() if p.id != person_id}
        self.rejections_by_id = {
            i: r for i, r in self.rejections_by_id.items() if r.person_id != person_id
        }
        self.reflections_by_key = {
            k: v for k, v in self.reflections_by_key.items() if v[0] != person_id
        }
        self.wins_by_id = {i: w for i, w in self.wins_by_id.items() if w[0] != person_id}
        self.moods_by_person.pop(person_id, None)
        self.conversations.pop(person_id, None)
        self.planned_by_id = {
            i: m for i, m in self.planned_by_id.items() if m.person_id != person_id
        }
        self.answers_by_person.pop(person_id, None)
        self.applications_by_id = {
            i: a for i, a in self.applications_by_id.items() if a.person_id != person_id
        }
        self.ghost_days_by_person.pop(person_id, None)
