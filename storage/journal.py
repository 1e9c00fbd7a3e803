"""The journal: what a person logs and answers — rejections and their reflections, wins, moods
and check-in answers (:class:`bot.ports.Journal`). Everything they typed is sealed at rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, delete, select, update

from bot.model import (
    CheckinAnswer,
    Mood,
    Reflection,
    Rejection,
    RejectionDraft,
    Win,
    WinKind,
)
from storage.database import dialect_insert
from storage.named_rows import Reading
from storage.prepared import Driver
from storage.rows import (
    answer_from_row,
    mood_from_row,
    reflection_from_row,
    rejection_from_row,
    win_from_row,
)
from storage.tables import answers, moods, reflections, rejections, wins
from storage.transactions import Transactional

_ADD_REJECTION = """
INSERT INTO rejections (person_id, company, role, stage, rejected_on, interviewer, feeling,
    created_at, feedback)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')
RETURNING id
"""
# A person's latest moods, newest first.
_LATEST_MOODS = Reading(moods, "created_at DESC, id DESC", limit=True)
_ADD_MOOD = "INSERT INTO moods (person_id, score, note, source, created_at) VALUES (?, ?, ?, ?, ?)"
# A win's number counts the person's wins, from 1.
_ADD_WIN = """
INSERT INTO wins (person_id, text, kind, created_at, number)
VALUES (?, ?, ?, ?, (SELECT coalesce(max(number), 0) + 1 FROM wins WHERE person_id = ?))
RETURNING id, number
"""


class SqlJournal(Transactional):
    """:class:`bot.ports.Journal` on SQLAlchemy."""

    async def add_rejection(
        self, person_id: int, draft: RejectionDraft, now: dt.datetime
    ) -> Rejection:
        seal = self._cipher.seal

        def add(driver: Driver) -> int:
            at = driver.moment(now)
            row = driver.rows(
                _ADD_REJECTION,
                (
                    person_id,
                    seal(draft.company),
                    seal(draft.role),
                    draft.stage.value,
                    driver.day(draft.rejected_on),
                    seal(draft.interviewer),
                    draft.feeling,
                    at,
                ),
            )[0]
            driver.execute(_ADD_MOOD, (person_id, draft.feeling, "", "rejection", at))
            return int(row[0])

        rejection_id = await self._hot(add)
        # What was written, as reading it back would give it.
        return draft.logged(rejection_id, person_id, now.astimezone(dt.UTC))

    async def rejections(self, person_id: int) -> Sequence[Rejection]:
        rows = await self._rows_of(rejections, person_id)
        return [rejection_from_row(row, self._cipher) for row in rows]

    async def mark_note_sent(
        self, person_id: int, rejection_id: int, now: dt.datetime
    ) -> Rejection | None:
        return await self._change_rejection(person_id, rejection_id, note_sent_at=now)

    async def log_feedback(
        self, person_id: int, rejection_id: int, text: str, now: dt.datetime
    ) -> Rejection | None:
        return await self._change_rejection(
            person_id, rejection_id, feedback=self._cipher.seal(text), feedback_at=now
        )

    async def _change_rejection(
        self, person_id: int, rejection_id: int, **values: Any
    ) -> Rejection | None:
        row = await self._change_own(rejections, person_id, rejection_id, values)
        return None if row is None else rejection_from_row(row, self._cipher)

    async def _change_own(
        self, table: Table, person_id: int, row_id: int, values: dict[str, Any]
    ) -> Row[Any] | None:
        """Change one of the person's rows; None if they have no row of that id."""
        async with self._connect() as connection:
            return (
                await connection.execute(
                    update(table)
                    .where(table.c.id == row_id, table.c.person_id == person_id)
                    .values(**values)
                    .returning(*table.c)
                )
            ).first()

    async def save_reflection(self, person_id: int, reflection: Reflection) -> bool:
        async with self._connect() as connection:
            rejection_id, question = reflection.rejection_id, reflection.question
            owned = await connection.scalar(
                select(rejections.c.id).where(
                    rejections.c.id == rejection_id, rejections.c.person_id == person_id
                )
            )
            if owned is None:
                return False
            values = {
                "answer": reflection.answer.value,
                "note": self._cipher.seal(reflection.note),
                "created_at": reflection.created_at,
            }
            await connection.execute(
                dialect_insert(self._engine, reflections)
                .values(person_id=person_id, rejection_id=rejection_id, question=question, **values)
                .on_conflict_do_update(index_elements=["rejection_id", "question"], set_=values)
            )
        return True

    async def reflections(self, person_id: int) -> Sequence[Reflection]:
        rows = await self._rows_of(reflections, person_id)
        return [reflection_from_row(row, self._cipher) for row in rows]

    async def add_win(self, person_id: int, text: str, kind: WinKind, now: dt.datetime) -> Win:
        sealed = self._cipher.seal(text)

        def add(driver: Driver) -> Sequence[Any]:
            return driver.rows(
                _ADD_WIN, (person_id, sealed, kind.value, driver.moment(now), person_id)
            )[0]

        win_id, number = await self._hot(add)
        return Win(
            id=win_id, text=text, kind=kind, created_at=now.astimezone(dt.UTC), number=number
        )

    async def wins(self, person_id: int) -> Sequence[Win]:
        return [win_from_row(row, self._cipher) for row in await self._rows_of(wins, person_id)]

    async def set_win_kind(self, person_id: int, win_id: int, kind: WinKind) -> Win | None:
        row = await self._change_own(wins, person_id, win_id, {"kind": kind.value})
        return None if row is None else win_from_row(row, self._cipher)

    async def remove_win(self, person_id: int, win_id: int) -> bool:
        async with self._connect() as connection:
            result = await connection.execute(
                delete(wins).where(wins.c.id == win_id, wins.c.person_id == person_id)
            )
        await self._erase_after_commit()
        return result.rowcount > 0

    async def add_mood(
        self, person_id: int, score: int, note: str, source: str, now: dt.datetime
    ) -> Mood:
        sealed = self._cipher.seal(note)
        await self._hot_write(
            lambda driver: driver.execute(
                _ADD_MOOD, (person_id, score, sealed, source, driver.moment(now))
            )
        )
        return Mood(score, note, source, now)

    async def moods(self, person_id: int, limit: int) -> Sequence[Mood]:
        rows = await self._hot(lambda driver: _LATEST_MOODS(driver, person_id, limit))
        return [mood_from_row(row, self._cipher) for row in rows][::-1]

    async def add_answer(self, person_id: int, kind: str, value: str, now: dt.datetime) -> None:
        async with self._connect() as connection:
            await connection.execute(
                answers.insert().values(
                    person_id=person_id, kind=kind, value=self._cipher.seal(value), created_at=now
                )
            )

    async def answers(self, person_id: int) -> Sequence[CheckinAnswer]:
        rows = await self._rows_of(answers, person_id)
        return [answer_from_row(row, self._cipher) for row in rows]
