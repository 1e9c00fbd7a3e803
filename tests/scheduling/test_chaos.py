"""Exactly once, the way it breaks: real dispatcher processes killed at random points.

Each run seeds weekly check-ins, interrupts a real dispatcher process (SIGKILL or SIGTERM)
once a random share has reached the loopback platform, restarts it, and waits until every
check-in is recorded. ``bench/chaos.py`` runs the same with more runs and prints figures.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator

import pytest

from bot.dispatcher import Dispatcher
from tests.scheduling.chaos import Platform, chaos

# What one killed process may have handed to the platform and not yet recorded
# (Dispatcher.in_flight with the default concurrency).
IN_FLIGHT = 2 * Dispatcher.concurrency
RUNS = 2
COUNT = 400


@pytest.fixture
async def platform() -> AsyncIterator[Platform]:
    async with Platform() as server:
        yield server


async def test_a_kill_repeats_at_most_what_was_in_flight_and_loses_nothing(
    database_url: str, platform: Platform
) -> None:
    figures = await chaos(database_url, platform, sign=signal.SIGKILL, runs=RUNS, count=COUNT)

    assert figures.errors == []
    assert (figures.runs, figures.delivered, figures.lost) == (RUNS, RUNS * COUNT, 0)
    assert figures.worst_run <= IN_FLIGHT
    assert figures.two_schedules == 0


async def test_with_the_delivery_look_up_a_kill_repeats_nothing(
    database_url: str, platform: Platform
) -> None:
    figures = await chaos(
        database_url, platform, sign=signal.SIGKILL, runs=RUNS, count=COUNT, recall=True, seed=11
    )

    assert figures.errors == []
    assert (figures.delivered, figures.lost, figures.duplicated) == (RUNS * COUNT, 0, 0)
    assert figures.two_schedules == 0


async def test_sigterm_drains_hands_back_and_exits_cleanly(
    database_url: str, platform: Platform
) -> None:
    figures = await chaos(
        database_url, platform, sign=signal.SIGTERM, runs=RUNS, count=COUNT, seed=13
    )

    assert figures.errors == []
    assert figures.exit_codes == [0] * (2 * RUNS)
    assert figures.left_claimed == 0  # handed back at once, not left to the lease
    assert (figures.delivered, figures.lost, figures.duplicated) == (RUNS * COUNT, 0, 0)
    assert figures.two_schedules == 0
