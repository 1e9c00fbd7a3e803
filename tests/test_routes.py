"""The route table: feature modules' routes merged into one, a name claimed twice refused."""

from __future__ import annotations

import pytest

from bot import routes
from bot.events import Choice, Command
from bot.replies import Reply
from bot.routes import Routes, Typed
from bot.turn import Turn


async def answer(turn: Turn, event: Command | Choice) -> list[Reply]:
    return [Reply(text="answered")]


async def decline(turn: Turn, typed: Typed) -> list[Reply] | None:
    return None


async def say_yes(turn: Turn, typed: Typed) -> list[Reply] | None:
    return [Reply(text="yes")]


def test_merged_routes_keep_every_module_s_names_and_the_order_of_text_handlers() -> None:
    first = Routes(commands={"brag": answer}, texts=(decline,))
    second = Routes(commands={"progress": answer}, choices={"brag.kind": answer}, texts=(say_yes,))
    merged = routes.merge(first, second)
    assert list(merged.commands) == ["brag", "progress"]
    assert list(merged.choices) == ["brag.kind"]
    assert merged.texts == (decline, say_yes)


@pytest.mark.parametrize(
    "clash",
    [
        Routes(commands={"brag": answer}),
        Routes(choices={"brag.kind": answer}),
    ],
)
def test_a_name_two_modules_claim_is_refused(clash: Routes) -> None:
    taken = Routes(commands={"brag": answer}, choices={"brag.kind": answer})
    with pytest.raises(ValueError, match="routed twice"):
        routes.merge(taken, clash)
