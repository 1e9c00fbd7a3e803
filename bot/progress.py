"""``/progress``: the person's journey, framed kindly: their application funnel, the noes on
the road to the "about 24", wins, mood and areas to work on."""

from __future__ import annotations

from collections.abc import Sequence

from bot import reflection
from bot.applications_export import funnel, funnel_lines
from bot.events import Command
from bot.model import CheckinAnswer, Rejection
from bot.replies import Reply
from bot.routes import Routes
from bot.turn import Turn

_BARS = "▁▂▃▄▅▆▇█"
MOOD_WINDOW = 14
FEW_NOES = 5
AVERAGE_NOES = 24  # the LA Times figure the content quotes


def sparkline(scores: Sequence[int]) -> str:
    """Moods 1 to 5 as a row of bars, lowest to highest."""
    return "".join(_BARS[round((score - 1) * (len(_BARS) - 1) / 4)] for score in scores)


async def command(turn: Turn, _command: Command) -> list[Reply]:
    """Counts, mood trend and areas to work on."""
    content = turn.content
    store, person_id = turn.store, turn.person.id
    rejections = await store.rejections(person_id)
    wins = await store.wins(person_id)
    moods = await store.moods(person_id, MOOD_WINDOW)
    applications = await store.applications(person_id)
    if not rejections and not wins and not moods and not applications:
        return [Reply(text=content.text("progress.empty"))]
    counts = funnel(applications, turn.today)
    lines = funnel_lines(content, counts) if applications else []
    lines += [
        content.text("progress.rejections", count=len(rejections)),
        content.text("progress.notes", count=sum(r.note_sent_at is not None for r in rejections)),
        content.text("progress.feedback", count=sum(bool(r.feedback) for r in rejections)),
        content.text("progress.wins", count=len(wins)),
    ]
    if moods:
        scores = [mood.score for mood in moods]
        lines.append(
            content.text(
                "progress.mood", sparkline=sparkline(scores), first=scores[0], last=scores[-1]
            )
        )
    answers = await store.answers(person_id)
    found = reflection.areas(content, await store.reflections(person_id))
    for answer in answers:
        lesson = content.text("progress.areas_lesson", text=answer.value)
        if answer.kind == "lesson" and answer.value and lesson not in found:
            found.append(lesson)
    if found:
        lines.append(content.text("progress.areas_heading"))
        lines.extend(f"• {area}" for area in found)
    noes = len(rejections) + counts.noes
    if noes:
        hired = bool(rejections) and _hired_since(answers, rejections[-1])
        lines.append(framing(turn, noes, hired))
    return [Reply(heading=content.text("progress.heading"), text="\n".join(lines))]


def framing(turn: Turn, count: int, hired: bool) -> str:
    """A closing line that fits the count: the ~24 noes before a yes is an average, so a
    handful is "on the road", two dozen is "more than most", and after a yes it is a yes."""
    content = turn.content
    if hired:
        return content.text("progress.framing_hired")
    if count < FEW_NOES:
        return content.text("progress.framing_few")
    if count < AVERAGE_NOES:
        return content.text("progress.framing_some", count=count)
    return content.text("progress.framing_many", count=count)


def _hired_since(answers: Sequence[CheckinAnswer], latest: Rejection) -> bool:
    """Whether the person told of an offer after their latest rejection."""
    return any(a.kind == "offer" and a.created_at >= latest.created_at for a in answers)


ROUTES = Routes(commands={"progress": command})
