"""Engine replies as terminal text."""

from __future__ import annotations

import unicodedata

from bot.replies import CHANNEL_MARK, Button, Reply


def printable(text: str) -> str:
    """``text`` without control or format characters a terminal would act on (escapes, bells,
    direction overrides), and with exotic spaces and line separators as plain spaces."""
    kept: list[str] = []
    for char in text:
        if char == "\n":
            kept.append(char)
            continue
        category = unicodedata.category(char)
        if category in ("Zs", "Zl", "Zp"):
            kept.append(" ")
        elif category not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(char)
    return "".join(kept)


def render(reply: Reply, first_number: int = 1) -> str:
    """A reply as plain lines; buttons become ``[n] Label`` starting at ``first_number``."""
    parts: list[str] = []
    if reply.heading:
        parts.append(f"== {printable(reply.heading)} ==")
    if reply.text:
        text = printable(reply.text)
        # A terminal has no channels to link: the channel is named as it is known.
        parts.append(
            text.replace(CHANNEL_MARK, f"#{printable(reply.channel)}") if reply.channel else text
        )
    if reply.quote:
        parts.append("\n".join(f"  | {line}" for line in printable(reply.quote).split("\n")))
    parts.extend(button_lines(reply.buttons, first_number))
    return "\n".join(parts)


def button_lines(buttons: tuple[Button, ...], first_number: int = 1) -> list[str]:
    """``[1] Label`` lines."""
    return [f"[{n}] {printable(b.label)}" for n, b in enumerate(buttons, start=first_number)]
