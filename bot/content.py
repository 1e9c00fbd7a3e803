"""The bot's words, loaded from a TOML data file (``bot/content/en.toml`` by default)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")


class Content:
    """Read-only access to the content file by dotted key, e.g. ``content.text("brag.added")``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data
        # Content never changes after loading; lookups sit on the hot path of every check-in.
        self._cache: dict[str, Any] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> Content:
        """The content at ``path``, or the packaged English content."""
        if path is None:
            raw = resources.files("bot").joinpath("content/en.toml").read_text(encoding="utf-8")
        else:
            raw = path.read_text(encoding="utf-8")
        return cls(tomllib.loads(raw))

    def get(self, key: str) -> Any:
        """The raw value at ``key``; a missing key is a bug in the content file."""
        if key in self._cache:
            return self._cache[key]
        node: Any = self._data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise KeyError(f"content has no {key!r}")
            node = node[part]
        self._cache[key] = node
        return node

    def text(self, key: str, **values: object) -> str:
        """The string at ``key`` with ``{placeholders}`` filled from ``values``."""
        template = self.get(key)
        if not isinstance(template, str):
            raise TypeError(f"content {key!r} is not a string")
        if not values:
            return template.strip()
        return template.format(**values).strip()

    def table(self, key: str) -> Mapping[str, str]:
        """A table of strings, such as the labels of each stage."""

        def strings(node: Any) -> dict[str, str]:
            if not isinstance(node, Mapping):
                raise TypeError(f"content {key!r} is not a table")
            return {str(name): str(value) for name, value in node.items()}

        return self._derived("table", key, strings)

    def words(self, key: str) -> list[str]:
        """A list of phrases, folded for case-insensitive matching."""

        def folded(node: Any) -> list[str]:
            if not isinstance(node, list):
                raise TypeError(f"content {key!r} is not a list")
            return [str(item).casefold() for item in node]

        return self._derived("words", key, folded)

    def _derived(self, kind: str, key: str, make: Callable[[Any], T]) -> T:
        """``make`` applied to the value at ``key``, once: content never changes."""
        memo = f"{kind}:{key}"
        if memo not in self._cache:
            self._cache[memo] = make(self.get(key))
        return cast(T, self._cache[memo])

    def records(self, key: str) -> list[Mapping[str, str]]:
        """An array of tables, such as the reflection questions."""
        items = self.get(key)
        if not isinstance(items, list):
            raise TypeError(f"content {key!r} is not a list")
        return [{str(k): str(v) for k, v in item.items()} for item in items]
