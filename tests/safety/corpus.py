"""Reading ``corpus.tsv``: lines people might write, each marked crisis or everyday."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).with_name("corpus.tsv")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True, slots=True)
class Line:
    """One corpus line."""

    language: str
    crisis: bool
    text: str


def read_corpus(path: Path = CORPUS) -> list[Line]:
    """Every line of the corpus; ``\\uXXXX`` stands for a character a reader could not see."""
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        language, expected, text = raw.split("\t")
        if expected not in ("crisis", "ok"):
            raise ValueError(f"{path.name}:{number}: expected 'crisis' or 'ok'")
        text = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
        lines.append(Line(language, expected == "crisis", text))
    return lines
