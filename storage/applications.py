"""Tracked applications and the reminders planned about them (:class:`bot.ports.Applications`).
What the person wrote (company, role, link, interviewer, notes) is sealed at rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, select, update

from bot.model import Application, ApplicationDraft, ApplicationStage, PlannedMessage
from bot.writes import ApplicationNews, NewPlanned
from storage.application_tables import application_settings, applications
from storage.crypto import Cipher
from storage.database import dialect_insert
from storage.plans import PENDING, pending, skip_live
from storage.rows import SLOT_COLUMNS, Read, planned_row
from storage.tables import planned_messages
from storage.transactions import Transactional

_SEALED = ("company", "role", "link", "interviewer", "notes")


def application_from_row(row: Read, cipher: Cipher) -> Application:
    """An applications row as the engine sees it, its sealed values opened."""
    return Application(
        id=row.id,
        person_id=row.person_id,
        company=cipher.open(row.company),
        role=cipher.open(row.role),
        link=cipher.open(row.link),
        applied_on=row.applied_on,
        adjacent=bool(row.adjacent),
        stage=ApplicationStage(row.stage),
        created_at=row.created_at,
        interviewer=cipher.open(row.interviewer),
        notes=cipher.open(row.notes),
        moved_at=row.moved_at,
        rejection_id=row.rejection_id,
    )


class SqlApplications(Transactional):
    """:class:`bot.ports.Applications` on SQLAlchemy."""

    def _sealed(self, draft: ApplicationDraft) -> dict[str, Any]:
        values = {name: self._cipher.seal(getattr(draft, name)) for name in _SEALED}
        return {**values, "applied_on": draft.applied_on, "adjacent": draft.adjacent}

    async def add_application(
        self, person_id: int, draft: ApplicationDraft, now: dt.datetime
    ) -> Application:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    applications.insert()
                    .values(
                        person_id=person_id,
                        stage=ApplicationStage.APPLIED.value,
                        created_at=now,
                        **self._sealed(draft),
                    )
                    .returning(*applications.c)
                )
            ).one()
        return application_from_row(row, self._cipher)

    async def applications(self, person_id: int) -> Sequence[Application]:
        rows = await self._rows_of(applications, person_id)
        return [application_from_row(row, self._cipher) for row in rows]

    async def edit_application(
        self, person_id: int, application_id: int, draft: ApplicationDraft
    ) -> Application | None:
        return await self._change_application(person_id, application_id, **self._sealed(draft))

    async def move_application(
        self, person_id: int, application_id: int, news: ApplicationNews
    ) -> Application | None:
        changes: dict[str, Any] = {"stage": news.stage.value, "moved_at": news.at}
        if news.rejection_id is not None:
            changes["rejection_id"] = news.rejection_id
        return await self._change_application(person_id, application_id, **changes)

    async def _change_application(
        self, person_id: int, application_id: int, **values: Any
    ) -> Application | None:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    update(applications)
                    .where(
                        applications.c.id == application_id,
                        applications.c.person_id == person_id,
                    )
                    .values(**values)
                    .returning(*applications.c)
                )
            ).first()
        return None if row is None else application_from_row(row, self._cipher)

    async def remove_application(self, person_id: int, application_id: int) -> bool:
        async with self._connect() as connection:
            # Its reminders go with it (the reference cascades).
            result = await connection.execute(
                delete(applications).where(
                    applications.c.id == application_id, applications.c.person_id == person_id
                )
            )
        return bool(result.rowcount)

    async def ghost_days(self, person_id: int) -> int | None:
        async with self._connect() as connection:
            days = await connection.scalar(
                select(application_settings.c.ghost_days).where(
                    application_settings.c.person_id == person_id
                )
            )
        return None if days is None else int(days)

    async def set_ghost_days(self, person_id: int, days: int) -> None:
        statement = dialect_insert(self._engine, application_settings).values(
            person_id=person_id, ghost_days=days
        )
        statement = statement.on_conflict_do_update(
            index_elements=[application_settings.c.person_id], set_={"ghost_days": days}
        )
        async with self._connect() as connection:
            await connection.execute(statement)

    async def plan_reminder(self, reminder: NewPlanned, now: dt.datetime) -> None:
        # The person's own application only: a forged id plans nothing.
        owned = select(applications.c.id).where(
            applications.c.id == reminder.application_id,
            applications.c.person_id == reminder.person_id,
        )
        row = planned_row(reminder, now)
        statement = dialect_insert(self._engine, planned_messages).values(**row)
        statement = statement.on_conflict_do_update(
            index_elements=[planned_messages.c.application_id],
            index_where=and_(
                planned_messages.c.state == PENDING,
                planned_messages.c.application_id.is_not(None),
            ),
            set_={name: statement.excluded[name] for name in (*SLOT_COLUMNS, "kind")},
        )
        async with self._connect() as connection:
            if (await connection.execute(owned)).first() is not None:
                await connection.execute(statement)

    async def reminders(self, person_id: int) -> Sequence[PlannedMessage]:
        async with self._connect() as connection:
            return await pending(connection, person_id, reminders=True)

    async def cancel_reminders(
        self, person_id: int, application_id: int | None, outcome: str
    ) -> int:
        which = (
            planned_messages.c.application_id.is_not(None)
            if application_id is None
            else planned_messages.c.application_id == application_id
        )
        async with self._connect() as connection:
            return await skip_live(connection, person_id, outcome, which)
