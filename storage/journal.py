"""The journal: what a person logs and answers — rejections and their reflections, wins, moods
and check-in answers (:class:`bot.ports.Journal`). Everything they typed is sealed at rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, delete, func, select, update

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
from storage.rows import (
    answer_from_row,
    mood_from_row,
    reflection_from_row,
    rejection_from_row,
    win_from_row,
)
from storage.tables import answers, moods, reflections, rejections, wins
from storage.transactions import Transactional


class SqlJournal(Transactional):
    """:class:`bot.ports.Journal` on SQLAlchemy."""

    async def add_rejection(
        self, person_id: int, draft: RejectionDraft, now: dt.datetime
    ) -> Rejection:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    rejections.insert()
                    .values(
                        person_id=person_id,
                        company=self._cipher.seal(draft.company),
                        role=self._cipher.seal(draft.role),
                        stage=draft.stage.value,
                        rejected_on=draft.rejected_on,
                        interviewer=self._cipher.seal(draft.interviewer),
                        feeling=draft.feeling,
                        created_at=now,
                        feedback="",
                    )
                    .returning(*rejections.c)
                )
            ).one()
            await connection.execute(
                moods.insert().values(
                    person_id=person_id,
                    score=draft.feeling,
                    note="",
                    source="rejection",
                    created_at=now,
                )
            )
        return rejection_from_row(row, self._cipher)

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
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    wins.insert()
                    .values(
                        person_id=person_id,
                        text=self._cipher.seal(text),
                        kind=kind.value,
                        created_at=now,
                        number=select(func.coalesce(func.max(wins.c.number), 0) + 1)
                        .where(wins.c.person_id == person_id)
                        .scalar_subquery(),
                    )
                    .returning(*wins.c)
                )
            ).one()
        return win_from_row(row, self._cipher)

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
        async with self._connect() as connection:
            await connection.execute(
                moods.insert().values(
                    person_id=person_id,
                    score=score,
                    note=self._cipher.seal(note),
                    source=source,
                    created_at=now,
                )
            )
        return Mood(score, note, source, now)

    async def moods(self, person_id: int, limit: int) -> Sequence[Mood]:
        async with self._connect() as connection:
            rows = await connection.execute(
                select(moods)
                .where(moods.c.person_id == person_id)
                .order_by(moods.c.created_at.desc(), moods.c.id.desc())
                .limit(limit)
            )
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

    async def _rows_of(self, table: Table, person_id: int) -> Sequence[Row[Any]]:
        """The person's rows of ``table``, oldest first."""
        async with self._connect() as connection:
            found = await connection.execute(
                select(table).where(table.c.person_id == person_id).order_by(table.c.id)
            )
            return found.all()
