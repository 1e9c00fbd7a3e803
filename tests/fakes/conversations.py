"""The in-memory fake of :class:`bot.ports.Conversations`, with the button memos."""

from __future__ import annotations

import datetime as dt

from bot.model import Conversation
from tests.fakes.state import MemoryState


class MemoryConversations(MemoryState):
    """:class:`bot.ports.Conversations` in dictionaries; behaves like ``storage.conversations``."""

    async def conversation(self, person_id: int) -> Conversation | None:
        return self.conversations.get(person_id)

    async def set_conversation(
        self, person_id: int, topic: str, data: str, now: dt.datetime
    ) -> None:
        self.conversations[person_id] = Conversation(topic, data, now)

    async def clear_conversation(self, person_id: int) -> None:
        self.conversations.pop(person_id, None)

    async def remember_memo(self, token: str, data: str, now: dt.datetime) -> None:
        self.memos.setdefault(token, data)

    async def memo(self, token: str) -> str | None:
        return self.memos.get(token)
