"""What a dispatcher tick did: its report by outcome, and the report as log lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.model import Outcome, PlannedState


@dataclass
class TickReport:
    """What one tick did, by outcome."""

    claimed: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        key = outcome.state.value if not outcome.code else f"{outcome.state.value}:{outcome.code}"
        self.counts[key] = self.counts.get(key, 0) + 1

    def count(self, state: PlannedState) -> int:
        """How many ended the tick in ``state``."""
        return sum(n for key, n in self.counts.items() if key.split(":")[0] == state.value)


def deliveries(report: TickReport) -> Sequence[str]:
    """The report as ``state:code=count`` lines, for logs and the CLI."""
    return [f"{key}={count}" for key, count in sorted(report.counts.items())]
