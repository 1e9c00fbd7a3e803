"""An adapter's own few user-facing words, read from the ``messages.toml`` in its package."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, TypeVar

T = TypeVar("T")


def packaged_words(kind: type[T], package: str) -> Callable[[], T]:
    """What returns the words of ``package``'s ``messages.toml`` as a ``kind`` (a dataclass
    naming each one), read the first time it is called and kept."""

    @cache
    def load() -> T:
        raw = resources.files(package).joinpath("messages.toml").read_text("utf-8")
        words: dict[str, Any] = tomllib.loads(raw)
        return kind(**words)

    return load
