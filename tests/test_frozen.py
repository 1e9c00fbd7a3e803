"""quick_init: the same frozen dataclass, built without object.__setattr__ per field."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field

import pytest

from bot.events import Sender
from bot.frozen import quick_init
from bot.model import Due, Outcome, Person, PlannedMessage
from bot.replies import Reply
from bot.schedule import Slot


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    count: int = 3
    tags: tuple[str, ...] = field(default_factory=tuple)
    _: KW_ONLY
    loud: bool = False
    seen: list[str] = field(default_factory=list, compare=False)
    hidden: int = field(default=7, init=False)


GENERATED: Callable[..., None] = Sample.__init__
quick_init(Sample)
QUICK: Callable[..., Sample] = Sample


def by_dataclass(*args: object, **kwargs: object) -> Sample:
    """A Sample built by the __init__ the dataclass generated."""
    sample = object.__new__(Sample)
    GENERATED(sample, *args, **kwargs)
    return sample


def everything(sample: Sample) -> tuple[object, ...]:
    return tuple(getattr(sample, f.name) for f in dataclasses.fields(sample))


CALLS: list[tuple[tuple[object, ...], dict[str, object]]] = [
    (("a",), {}),
    (("a", 5), {}),
    (("a", 5, ("x", "y")), {"loud": True}),
    ((), {"name": "b", "seen": ["s"], "tags": ("t",)}),
]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_it_builds_what_the_dataclass_builds(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    quick = QUICK(*args, **kwargs)
    assert everything(quick) == everything(by_dataclass(*args, **kwargs))
    assert quick == by_dataclass(*args, **kwargs)
    assert hash(quick) == hash(by_dataclass(*args, **kwargs))
    assert repr(quick) == repr(by_dataclass(*args, **kwargs))


def test_each_instance_gets_its_own_made_default() -> None:
    assert Sample("a").seen is not Sample("a").seen


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), (("a", 1, (), True), {}), (("a",), {"hidden": 1}), (("a",), {"nope": 1})],
)
def test_it_refuses_what_the_dataclass_refuses(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    with pytest.raises(TypeError):
        by_dataclass(*args, **kwargs)
    with pytest.raises(TypeError):
        QUICK(*args, **kwargs)


def test_it_takes_the_same_parameters() -> None:
    def shape(init: Callable[..., object]) -> list[tuple[str, object]]:
        return [(p.name, p.kind) for p in inspect.signature(init).parameters.values()]

    assert shape(Sample.__init__) == shape(GENERATED)


def test_it_stays_frozen() -> None:
    sample, name = Sample("a"), "name"
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(sample, name, "b")
    assert dataclasses.replace(sample, count=9) == Sample("a", 9)


@pytest.mark.parametrize("cls", [Person, PlannedMessage, Due, Outcome, Reply, Sender, Slot])
def test_the_types_built_once_per_message_use_it(cls: type) -> None:
    # The generated __init__ of a frozen dataclass goes through object.__setattr__.
    assert "__setattr__" in GENERATED.__code__.co_names
    assert "__setattr__" not in vars(cls)["__init__"].__code__.co_names


def test_it_refuses_a_class_it_cannot_serve() -> None:
    @dataclass
    class Thawed:
        name: str

    @dataclass(frozen=True, slots=True)
    class Checked:
        name: str

        def __post_init__(self) -> None:
            pass

    for cls in (Thawed, Checked):
        with pytest.raises(TypeError):
            quick_init(cls)
