"""The in-memory fake of :class:`bot.ports.Journal`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from bot.model import (
    CheckinAnswer,
    Mood,
    Reflection,
    Rejection,
    RejectionDraft,
    Win,
    WinKind,
)
from tests.fakes.state import MemoryState


class MemoryJournal(MemoryState):
    """:class:`bot.ports.Journal` in dictionaries; behaves like ``storage.journal``."""

    async def add_rejection(
        self, person_id: int, draft: RejectionDraft, now: dt.datetime
    ) -> Rejection:
        rejection = draft.logged(next(self._ids), person_id, now)
        self.rejections_by_id[rejection.id] = rejection
        await self.add_mood(person_id, draft.feeling, "", "rejection", now)
        return rejection

    async def rejections(self, person_id: int) -> Sequence[Rejection]:
        return [r for r in self.rejections_by_id.values() if r.person_id == person_id]

    async def mark_note_sent(
        self, person_id: int, rejection_id: int, now: dt.datetime
    ) -> Rejection | None:
        found = self._owned_rejection(person_id, rejection_id)
        if found is None:
            return None
        self.rejections_by_id[rejection_id] = replace(found, note_sent_at=now)
        return self.rejections_by_id[rejection_id]

    async def log_feedback(
        self, person_id: int, rejection_id: int, text: str, now: dt.datetime
    ) -> Rejection | None:
        found = self._owned_rejection(person_id, rejection_id)
        if found is None:
            return None
        self.rejections_by_id[rejection_id] = replace(found, feedback=text, feedback_at=now)
        return self.rejections_by_id[rejection_id]

    async def save_reflection(self, person_id: int, reflection: Reflection) -> bool:
        if self._owned_rejection(person_id, reflection.rejection_id) is None:
            return False
        key = (reflection.rejection_id, reflection.question)
        self._order.setdefault(key, next(self._ids))
        self.reflections_by_key[key] = (person_id, reflection)
        return True

    async def reflections(self, person_id: int) -> Sequence[Reflection]:
        return self._reflections_of(person_id)

    async def add_win(self, person_id: int, text: str, kind: WinKind, now: dt.datetime) -> Win:
        numbers = [w.number for p, w in self.wins_by_id.values() if p == person_id]
        number = max(numbers, default=0) + 1
        win = Win(id=next(self._ids), text=text, kind=kind, created_at=now, number=number)
        self.wins_by_id[win.id] = (person_id, win)
        return win

    async def wins(self, person_id: int) -> Sequence[Win]:
        return [w for p, w in self.wins_by_id.values() if p == person_id]

    async def set_win_kind(self, person_id: int, win_id: int, kind: WinKind) -> Win | None:
        found = self.wins_by_id.get(win_id)
        if found is None or found[0] != person_id:
            return None
        self.wins_by_id[win_id] = (person_id, replace(found[1], kind=kind))
        return self.wins_by_id[win_id][1]

    async def remove_win(self, person_id: int, win_id: int) -> bool:
        found = self.wins_by_id.get(win_id)
        if found is None or found[0] != person_id:
            return False
        del self.wins_by_id[win_id]
        return True

    async def add_mood(
        self, person_id: int, score: int, note: str, source: str, now: dt.datetime
    ) -> Mood:
        mood = Mood(score, note, source, now)
        self.moods_by_person.setdefault(person_id, []).append(mood)
        return mood

    async def moods(self, person_id: int, limit: int) -> Sequence[Mood]:
        moods = sorted(self.moods_by_person.get(person_id, []), key=lambda m: m.created_at)
        return moods[-limit:]

    async def add_answer(self, person_id: int, kind: str, value: str, now: dt.datetime) -> None:
        self.answers_by_person.setdefault(person_id, []).append(CheckinAnswer(kind, value, now))

    async def answers(self, person_id: int) -> Sequence[CheckinAnswer]:
        return list(self.answers_by_person.get(person_id, []))
