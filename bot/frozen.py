"""Frozen dataclasses built at the speed of plain ones, for the types made once per message.

A frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__``,
about five times the cost of a plain assignment: for the dozen or so fields of a person, a
planned message or an outcome, building the object costs more than the work done with it on
the dispatcher's hot path. :func:`quick_init` gives a frozen, slotted dataclass an
``__init__`` of the same signature that stores each field through its slot's own descriptor.
The class is unchanged otherwise: still frozen (assigning raises ``FrozenInstanceError``),
equal, hashed and printed as before.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """``cls`` (a frozen dataclass with slots) with an ``__init__`` that stores fields
    directly; raises TypeError for a class it cannot serve (no slots, not frozen, or with
    init-only variables, whose ``__post_init__`` it would have to call)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: not frozen, or no slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: __post_init__ would be skipped")
    names: dict[str, Any] = {}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    shape: Any = cls
    for item in dataclasses.fields(shape):
        name = item.name
        names[f"_set_{name}"] = cls.__dict__[name].__set__
        value = name
        if item.default is not dataclasses.MISSING:
            names[f"_default_{name}"] = item.default
            param = f"{name}=_default_{name}"
            if not item.init:
                value = f"_default_{name}"
        elif item.default_factory is not dataclasses.MISSING:
            names[f"_factory_{name}"] = item.default_factory
            names["_made"] = _MADE
            param = f"{name}=_made"
            value = (
                f"_factory_{name}() if {name} is _made else {name}"
                if item.init
                else f"_factory_{name}()"
            )
        else:
            param = name
        if item.init:
            (keyword if item.kw_only else positional).append(param)
        body.append(f"    _set_{name}(self, {value})")
    params_text = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({params_text}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(source, names)  # built from the class's own field names only
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    # (Through type: the type checker takes any assignment to a method for a mistake.)
    type.__setattr__(cls, "__init__", init)
    return cls


class _Made:
    """Stands for "not given" where a field's default is made by a factory."""

    def __repr__(self) -> str:
        return "<made by its factory>"


_MADE = _Made()
