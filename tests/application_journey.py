"""How an application's journey ends, checked alike on every platform: a rejection logged from
the application settles it."""

from __future__ import annotations

from bot.model import ApplicationStage
from bot.ports import Store


async def assert_rejection_settles_it(store: Store, person_id: int, company: str) -> None:
    """The person's one rejection holds what the application knew (``company`` as the platform
    shows it, the role, the stage reached), and the application is rejected by it."""
    [rejection] = await store.rejections(person_id)
    assert (rejection.company, rejection.role, rejection.stage.value) == (
        company,
        "Analyst",
        "interview",
    )
    [settled] = await store.applications(person_id)
    assert (settled.stage, settled.rejection_id) == (ApplicationStage.REJECTED, rejection.id)
