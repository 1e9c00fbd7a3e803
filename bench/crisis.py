"""Crisis-word detection against the test corpus: recall and false alarms, per language.

    python bench/crisis.py [--corpus PATH] [--misses]

Recall is the share of crisis lines caught; the false-alarm rate is the share of everyday lines
(idioms, titles, prevention work, job-search talk) that were flagged. Also prints the time one
check takes, since it runs on every message. ``--misses`` lists the lines that went wrong.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.safety import CrisisWords
from tests.safety.corpus import CORPUS, Line, read_corpus


def score(words: CrisisWords, lines: list[Line]) -> dict[str, tuple[int, int, int, int]]:
    """Per language (and ``"all"``): crisis caught, crisis lines, false alarms, everyday lines."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for line in lines:
        found = words.found_in(line.text)
        for key in (line.language, "all"):
            if line.crisis:
                counts[key][0] += found
                counts[key][1] += 1
            else:
                counts[key][2] += found
                counts[key][3] += 1
    return {key: (a, b, c, d) for key, (a, b, c, d) in counts.items()}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--misses", action="store_true", help="list the lines that went wrong")
    args = parser.parse_args()

    words = CrisisWords.load()
    lines = read_corpus(args.corpus)
    scores = score(words, lines)
    print(f"{'language':<9}{'recall':>16}{'false alarms':>20}")
    for key in [*sorted(k for k in scores if k != "all"), "all"]:
        caught, crises, alarms, everyday = scores[key]
        print(
            f"{key:<9}{_percent(caught, crises)} ({caught:>3}/{crises:<3})"
            f"{_percent(alarms, everyday):>10} ({alarms:>3}/{everyday:<3})"
        )
    timings = []
    for line in lines:
        start = time.perf_counter()
        words.found_in(line.text)
        timings.append((time.perf_counter() - start) * 1000)
    print(
        f"\none check: median {statistics.median(timings):.3f} ms, "
        f"max {max(timings):.3f} ms ({len(lines)} lines)"
    )
    if args.misses:
        for line in lines:
            if words.found_in(line.text) != line.crisis:
                kind = "missed" if line.crisis else "false alarm"
                print(f"{kind:<12}{line.language}  {line.text}")


if __name__ == "__main__":
    main()
