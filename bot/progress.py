"""``/progress``: the person's journey, framed kindly: their application funnel, the noes on
the road to the "about 24", wins, mood and areas to work on; ``/progress chart`` draws it."""

from __future__ import annotations

from bot import journey_chart
from bot.applications_export import funnel, funnel_lines
from bot.events import Command
from bot.journey import AVERAGE_NOES, FEW_NOES, MOOD_WINDOW, counts, framing, journey, sparkline
from bot.replies import Reply
from bot.routes import Routes
from bot.turn import Turn

__all__ = ["AVERAGE_NOES", "FEW_NOES", "MOOD_WINDOW", "command", "framing", "sparkline"]


async def command(turn: Turn, command: Command) -> list[Reply]:
    """Counts, mood trend and areas to work on; with ``chart``, the picture of them."""
    content = turn.content
    found = await journey(turn)
    if command.text.strip().casefold() == "chart":
        chart = await journey_chart.chart(turn, found)
        return [Reply(text=chart.alt, chart=chart)]
    if found.empty:
        return [Reply(text=content.text("progress.empty"))]
    applications = found.applications
    lines = funnel_lines(content, funnel(applications, turn.today)) if applications else []
    lines += counts(content, found)
    if found.areas:
        lines.append(content.text("progress.areas_heading"))
        lines.extend(f"• {area}" for area in found.areas)
    if found.noes:
        lines.append(framing(content, found.noes, found.hired))
    return [Reply(heading=content.text("progress.heading"), text="\n".join(lines))]


ROUTES = Routes(commands={"progress": command})
