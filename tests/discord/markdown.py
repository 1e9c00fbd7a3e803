"""Reading Discord markdown back in tests: which special characters stand unescaped."""

from __future__ import annotations


def bare(markdown: str, specials: str) -> list[str]:
    """The characters of ``specials`` in ``markdown`` that no backslash escapes."""
    found: list[str] = []
    index = 0
    while index < len(markdown):
        if markdown[index] == "\\" and index + 1 < len(markdown):
            index += 2  # an escape pair: shown as the character itself
            continue
        if markdown[index] in specials:
            found.append(markdown[index])
        index += 1
    return found
