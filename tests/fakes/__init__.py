"""In-memory fakes of the engine's ports, for fast engine tests: one module per store role,
and :class:`MemoryStore`, all of them over one set of records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tests.fakes.applications import MemoryApplications
from tests.fakes.communities import MemoryCommunities
from tests.fakes.conversations import MemoryConversations
from tests.fakes.journal import MemoryJournal
from tests.fakes.people import MemoryPeople
from tests.fakes.plans import MemoryPlans
from tests.fakes.privacy import MemoryPrivacy

__all__ = [
    "MemoryApplications",
    "MemoryCommunities",
    "MemoryConversations",
    "MemoryJournal",
    "MemoryPeople",
    "MemoryPlans",
    "MemoryPrivacy",
    "MemoryStore",
]


class MemoryStore(
    MemoryPeople,
    MemoryJournal,
    MemoryConversations,
    MemoryPlans,
    MemoryCommunities,
    MemoryPrivacy,
    MemoryApplications,
):
    """A :class:`bot.ports.Store` in dictionaries; behaves like the SQL store."""

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        yield
