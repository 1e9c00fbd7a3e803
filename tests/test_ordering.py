"""One person's events reach the engine in order; other people never wait for them."""

from __future__ import annotations

import asyncio

from adapters.ordering import PersonLocks
from bot.events import Sender

ADA = Sender("slack", "T1", "U1")
BO = Sender("slack", "T1", "U2")
ADA_ELSEWHERE = Sender("discord", "T1", "U1")


async def test_one_persons_events_run_one_at_a_time_in_order() -> None:
    locks = PersonLocks()
    order: list[str] = []
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with locks.hold(ADA):
            first_in.set()
            await release.wait()
            order.append("first")

    async def second() -> None:
        async with locks.hold(ADA):
            order.append("second")

    running = asyncio.create_task(first())
    await first_in.wait()
    waiting = asyncio.create_task(second())
    await asyncio.sleep(0)  # let it reach the lock
    assert order == []
    release.set()
    await asyncio.gather(running, waiting)
    assert order == ["first", "second"]
    assert len(locks) == 0  # nothing kept once nobody holds or waits


async def test_other_people_do_not_wait() -> None:
    locks = PersonLocks()
    async with locks.hold(ADA), asyncio.timeout(1.0), locks.hold(BO), locks.hold(ADA_ELSEWHERE):
        assert len(locks) == 3
