"""``/progress``: the person's journey, framed kindly."""

from __future__ import annotations

from collections.abc import Sequence

from bot import reflection
from bot.replies import Reply
from bot.turn import Turn

_BARS = "▁▂▃▄▅▆▇█"
MOOD_WINDOW = 14
FEW_NOES = 5


def sparkline(scores: Sequence[int]) -> str:
    """Moods 1 to 5 as a row of bars, lowest to highest."""
    return "".join(_BARS[round((score - 1) * (len(_BARS) - 1) / 4)] for score in scores)


async def command(turn: Turn) -> list[Reply]:
    """Counts, mood trend and areas to work on."""
    content = turn.content
    store, person_id = turn.store, turn.person.id
    rejections = await store.rejections(person_id)
    wins = await store.wins(person_id)
    moods = await store.moods(person_id, MOOD_WINDOW)
    if not rejections and not wins and not moods:
        return [Reply(text=content.text("progress.empty"))]
    lines = [
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
    found = reflection.areas(content, await store.reflections(person_id))
    if found:
        lines.append(content.text("progress.areas_heading"))
        lines.extend(f"• {area}" for area in found)
    if rejections:
        framing = (
            content.text("progress.framing_few")
            if len(rejections) < FEW_NOES
            else content.text("progress.framing_many", count=len(rejections))
        )
        lines.append(framing)
    return [Reply(heading=content.text("progress.heading"), text="\n".join(lines))]
