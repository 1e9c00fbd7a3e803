"""Conversations: the question the bot waits on per person (:class:`bot.ports.Conversations`),
and what a platform button stands for when its meaning did not fit on the button."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from bot.model import Conversation
from storage.database import dialect_insert
from storage.rows import conversation_from_row
from storage.tables import button_memos, conversations
from storage.transactions import Transactional

# One question waits per person: a new one replaces it.
_SET = """
INSERT INTO conversations (person_id, topic, data, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (person_id) DO UPDATE
SET topic = excluded.topic, data = excluded.data, updated_at = excluded.updated_at
"""


class SqlConversations(Transactional):
    """:class:`bot.ports.Conversations` on SQLAlchemy, plus the Discord adapter's button memos."""

    async def conversation(self, person_id: int) -> Conversation | None:
        row = await self._row_of(conversations, person_id)
        return None if row is None else conversation_from_row(row)

    async def set_conversation(
        self, person_id: int, topic: str, data: str, now: dt.datetime
    ) -> None:
        await self._hot_write(
            lambda driver: driver.execute(_SET, (person_id, topic, data, driver.moment(now)))
        )

    async def clear_conversation(self, person_id: int) -> None:
        async with self._connect() as connection:
            await connection.execute(
                delete(conversations).where(conversations.c.person_id == person_id)
            )

    async def remember_memo(self, token: str, data: str, now: dt.datetime) -> None:
        """Keep what a platform button means under ``token`` (the Discord adapter's long
        buttons and forms), sealed like everything a person typed."""
        async with self._connect() as connection:
            await connection.execute(
                dialect_insert(self._engine, button_memos)
                .values(token=token, data=self._cipher.seal(data), created_at=now)
                .on_conflict_do_nothing()
            )

    async def memo(self, token: str) -> str | None:
        """What :meth:`remember_memo` kept under ``token``."""
        async with self._connect() as connection:
            data = await connection.scalar(
                select(button_memos.c.data).where(button_memos.c.token == token)
            )
        return None if data is None else self._cipher.open(data)
