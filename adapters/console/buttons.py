"""Which buttons on screen can still be answered, each under a number no other one has.

On Slack and Discord every message keeps its own buttons. In a terminal they are typed as
numbers, so a check-in arriving under an earlier message must not number its buttons from
[1] again: "1" would mean two things. Numbers go on counting while anything is open and start
from [1] again once nothing is.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.replies import Button
from bot.text import number


@dataclass(frozen=True, slots=True)
class _Group:
    """One message's buttons, numbered from ``first``."""

    first: int
    buttons: tuple[Button, ...]
    # Shown in answer to the person's own line (not a check-in that arrived by itself).
    answer: bool

    @property
    def after(self) -> int:
        return self.first + len(self.buttons)


class OpenButtons:
    """The buttons still answerable, by number or by label."""

    def __init__(self) -> None:
        self._groups: list[_Group] = []

    def add(self, buttons: tuple[Button, ...], *, answer: bool) -> int:
        """Open one message's buttons; returns the number of its first button."""
        first = max((group.after for group in self._groups), default=1)
        if buttons:
            self._groups.append(_Group(first, buttons, answer))
        return first

    def take(self, text: str) -> Button | None:
        """The button ``text`` names (its number, or its label: the newest such button), and
        close its message's buttons: a message is answered once. None if it names none."""
        found: tuple[_Group, Button] | None = None
        position = number(text)
        folded = text.casefold()
        for group in reversed(self._groups):
            if position is not None and group.first <= position < group.after:
                found = group, group.buttons[position - group.first]
                break
            label = next((b for b in group.buttons if b.label.casefold() == folded), None)
            if label is not None and found is None:
                found = group, label
        if found is None:
            return None
        self._groups.remove(found[0])
        return found[1]

    def moved_on(self) -> None:
        """The person typed something else: buttons offered in answer to their earlier lines
        are left behind, while check-ins that arrived by themselves stay answerable."""
        self._groups = [group for group in self._groups if not group.answer]
