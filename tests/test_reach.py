"""Who can be messaged privately: a refusal is recorded, not retried, and forgotten on proof."""

from __future__ import annotations

import datetime as dt

from bot.events import Sender
from bot.reach import DMS_CLOSED, Reach
from tests.fakes import MemoryStore

NOW = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
ADA = Sender("discord", "1", "2", "Ada")


async def test_a_refusal_is_recorded_and_then_not_tried() -> None:
    people = MemoryStore()
    reach = Reach(people)
    assert await reach.closed(ADA, NOW) == ""
    assert await reach.refused(ADA, NOW) == DMS_CLOSED
    assert await reach.closed(ADA, NOW) == DMS_CLOSED


async def test_opened_dms_are_believed_only_when_the_hello_arrives() -> None:
    people = MemoryStore()
    reach = Reach(people)
    await reach.refused(ADA, NOW)

    async def bounced() -> bool:
        return False

    async def arrived() -> bool:
        return True

    assert not await reach.recheck(ADA, NOW, bounced)
    assert await reach.closed(ADA, NOW) == DMS_CLOSED
    assert await reach.recheck(ADA, NOW, arrived)
    assert await reach.closed(ADA, NOW) == ""
