"""A member's journey in facts: what ``/progress`` says and the home shows, read once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot import reflection
from bot.applications_export import ended
from bot.content import Content
from bot.model import Application, CheckinAnswer, Mood, Rejection, Win
from bot.turn import Turn

MOOD_WINDOW = 14
FEW_NOES = 5
AVERAGE_NOES = 24  # the LA Times figure the content quotes
_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class Journey:
    """One person's records, as the progress views read them (oldest first)."""

    rejections: Sequence[Rejection]
    wins: Sequence[Win]
    moods: Sequence[Mood]  # the latest MOOD_WINDOW
    answers: Sequence[CheckinAnswer]
    areas: Sequence[str]
    applications: Sequence[Application]

    @property
    def empty(self) -> bool:
        """Nothing logged yet."""
        return not (self.rejections or self.wins or self.moods or self.applications)

    @property
    def noes(self) -> int:
        """The noes on the road to a yes: rejections logged, and applications that ended
        without one ("no answer")."""
        return len(self.rejections) + ended(self.applications)

    @property
    def hired(self) -> bool:
        """Whether the person told of an offer after their latest rejection."""
        return hired(self.rejections, self.answers)


def hired(rejections: Sequence[Rejection], answers: Sequence[CheckinAnswer]) -> bool:
    """Whether an offer was told of after the latest rejection (a yes ends that road)."""
    if not rejections:
        return False
    latest = rejections[-1].created_at
    return any(a.kind == "offer" and a.created_at >= latest for a in answers)


async def journey(turn: Turn) -> Journey:
    """The person's journey, from their own records only."""
    content, store, person_id = turn.content, turn.store, turn.person.id
    answers = await store.answers(person_id)
    found = reflection.areas(content, await store.reflections(person_id))
    for answer in answers:
        lesson = content.text("progress.areas_lesson", text=answer.value)
        if answer.kind == "lesson" and answer.value and lesson not in found:
            found.append(lesson)
    return Journey(
        rejections=await store.rejections(person_id),
        wins=await store.wins(person_id),
        moods=await store.moods(person_id, MOOD_WINDOW),
        answers=answers,
        areas=found,
        applications=await store.applications(person_id),
    )


def sparkline(scores: Sequence[int]) -> str:
    """Moods 1 to 5 as a row of bars, lowest to highest."""
    return "".join(_BARS[round((score - 1) * (len(_BARS) - 1) / 4)] for score in scores)


def counts(content: Content, journey: Journey) -> list[str]:
    """Rejections, feedback notes sent and replies, wins: one line each; then the mood
    lately, when there is one."""
    rejections = journey.rejections
    lines = [
        content.text("progress.rejections", count=len(rejections)),
        content.text("progress.notes", count=sum(r.note_sent_at is not None for r in rejections)),
        content.text("progress.feedback", count=sum(bool(r.feedback) for r in rejections)),
        content.text("progress.wins", count=len(journey.wins)),
    ]
    if journey.moods:
        scores = [mood.score for mood in journey.moods]
        lines.append(
            content.text(
                "progress.mood", sparkline=sparkline(scores), first=scores[0], last=scores[-1]
            )
        )
    return lines


def framing(content: Content, count: int, hired: bool) -> str:
    """A closing line that fits the count: the ~24 noes before a yes is an average, so a
    handful is "on the road", two dozen is "more than most", and after a yes it is a yes."""
    if hired:
        return content.text("progress.framing_hired")
    if count < FEW_NOES:
        return content.text("progress.framing_few")
    if count < AVERAGE_NOES:
        return content.text("progress.framing_some", count=count)
    return content.text("progress.framing_many", count=count)
