"""The person's applications as a CSV file, and the funnel ``/progress`` shows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from bot.content import Content
from bot.model import Application, ApplicationStage
from bot.replies import Attachment

COLUMNS = (
    "number", "company", "role", "link", "applied_on", "adjacent", "stage", "last_news",
    "interviewer", "notes",
)  # fmt: skip
# Cells a spreadsheet would run as a formula: written with a leading apostrophe.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_attachment(content: Content, applications: Sequence[Application], name: str) -> Attachment:
    """Every application, oldest first, one row each (stage labels as the bot shows them)."""
    stages = content.table("applied.stages")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for position, a in enumerate(applications, start=1):
        writer.writerow(
            [
                position,
                *(
                    _safe(value)
                    for value in (
                        a.company,
                        a.role,
                        a.link,
                        a.applied_on.isoformat(),
                        "yes" if a.adjacent else "no",
                        stages[a.stage.value],
                        a.moved_at.date().isoformat() if a.moved_at else "",
                        a.interviewer,
                        a.notes,
                    )
                ),
            ]
        )
    return Attachment(name, buffer.getvalue().encode("utf-8"), "text/csv")


def _safe(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA) else value


@dataclass(frozen=True, slots=True)
class Funnel:
    """A person's applications in counts."""

    total: int
    this_week: int
    responses: int
    interviews: int
    offers: int
    noes: int
    adjacent: int


_HEARD = frozenset(
    {
        ApplicationStage.SCREENING,
        ApplicationStage.INTERVIEW,
        ApplicationStage.FINAL_ROUND,
        ApplicationStage.OFFER,
        ApplicationStage.REJECTED,
    }
)
_INTERVIEWED = frozenset(
    {ApplicationStage.INTERVIEW, ApplicationStage.FINAL_ROUND, ApplicationStage.OFFER}
)


def ended(applications: Sequence[Application]) -> int:
    """Applications that ended in a no not already logged as a rejection ("no answer", or
    marked rejected without starting a plan)."""
    return sum(
        a.stage is ApplicationStage.NO_ANSWER
        or (a.stage is ApplicationStage.REJECTED and a.rejection_id is None)
        for a in applications
    )


def funnel(applications: Sequence[Application], today: dt.date) -> Funnel:
    """Counts from the person's own data. A response is any answer from the company (a
    rejection too); "no answer" counts among the noes, not among the responses. Noes here
    are the ones not already logged as a rejection."""
    week_start = today - dt.timedelta(days=6)
    return Funnel(
        total=len(applications),
        this_week=sum(a.applied_on >= week_start for a in applications),
        responses=sum(a.stage in _HEARD for a in applications),
        interviews=sum(a.stage in _INTERVIEWED for a in applications),
        offers=sum(a.stage is ApplicationStage.OFFER for a in applications),
        noes=ended(applications),
        adjacent=sum(a.adjacent for a in applications),
    )


def funnel_lines(content: Content, counts: Funnel) -> list[str]:
    """The funnel in /progress's words."""
    share = round(100 * counts.adjacent / counts.total) if counts.total else 0
    return [
        content.text("progress.applications", week=counts.this_week, total=counts.total),
        content.text(
            "progress.funnel",
            responses=counts.responses,
            interviews=counts.interviews,
            offers=counts.offers,
        ),
        content.text("progress.adjacent_share", share=share, count=counts.adjacent),
    ]
