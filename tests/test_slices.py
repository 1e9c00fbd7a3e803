"""Long loops over a claimed batch give the event loop a turn every few hundred rows: the same
results, and another task (an acknowledgement, a record's answer) runs in between."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import slices
from bot.content import Content
from bot.dispatcher import Dispatcher
from bot.model import Due, Outcome
from bot.schedule import Preferences
from storage import due as due_module
from storage import outbox as outbox_module
from storage import rows
from storage.outbox import SqlOutbox
from tests.scheduling.harness import seed_due
from tests.scheduling.test_delivery import DUE, HookedMessenger


class Probe:
    """A task that counts its own turns on the event loop."""

    def __init__(self) -> None:
        self.turns = 0

    async def run(self) -> None:
        while True:
            self.turns += 1
            await asyncio.sleep(0)


@pytest.fixture
async def probe() -> AsyncIterator[Probe]:
    probe = Probe()
    task = asyncio.ensure_future(probe.run())
    await asyncio.sleep(0)
    yield probe
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("count", [0, 1, slices.SLICE - 1, slices.SLICE, slices.SLICE + 1, 1000])
async def test_mapped_gives_what_map_gives(count: int) -> None:
    items = list(range(count))
    assert await slices.mapped(str, items) == list(map(str, items))


async def test_mapped_lets_another_task_run_between_slices(probe: Probe) -> None:
    seen: list[int] = []

    def convert(item: int) -> int:
        seen.append(probe.turns)
        return item

    await slices.mapped(convert, range(3 * slices.SLICE))

    # One turn for the probe between slices, none within one.
    first, second, third = (seen[n * slices.SLICE : (n + 1) * slices.SLICE] for n in range(3))
    assert len(set(first)) == len(set(second)) == len(set(third)) == 1
    assert first[0] < second[0] < third[0]


def watched(seen: list[int], probe: Probe, convert: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        seen.append(probe.turns)
        return convert(*args, **kwargs)

    return wrapper


async def test_a_claimed_batch_is_made_into_check_ins_with_turns_for_the_loop(
    db: AsyncEngine, probe: Probe, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = 3 * slices.SLICE
    await seed_due(db, size, DUE)
    messages: list[int] = []
    people: list[int] = []
    decisions: list[int] = []
    monkeypatch.setattr(
        outbox_module, "planned_from_row", watched(messages, probe, rows.planned_from_row)
    )
    monkeypatch.setattr(due_module, "person_from_row", watched(people, probe, rows.person_from_row))

    class Watched(Dispatcher):
        def decide(self, due: Due, now: dt.datetime, prefs: Preferences) -> Outcome | None:
            decisions.append(probe.turns)
            return super().decide(due, now, prefs)

    watching = Watched(
        outbox=SqlOutbox(db),
        content=Content.load(),
        messengers={"console": HookedMessenger()},
        instance="one",
        batch_size=size,
    )
    report = await watching.tick(DUE)

    assert report.claimed == size
    for seen in (messages, people, decisions):
        # Every row of the batch went through, and the probe ran while they did: the loop was
        # never held for the whole batch at once.
        assert len(seen) == size
        assert seen[0] < seen[slices.SLICE] < seen[2 * slices.SLICE]
