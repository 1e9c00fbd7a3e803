"""The journey chart drawn as a small PNG, for every adapter: the mood since the rejection
(check-in answers filled, check-ins ahead marked on the axis) over the road to a yes.

Drawn with Pillow: a few lines, dots and words need no plotting library, and Pillow imports
in milliseconds where matplotlib takes most of a second (``bench/chart.py`` measures both).
All words come from the engine's :class:`bot.home_view.Chart`; nothing here is worded.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from bot.home_view import Chart
from bot.replies import Attachment, Reply

WIDTH, HEIGHT = 640, 300
MARGIN = 16
AXIS = 52  # room for the scale's words left of the mood panel
MOOD_TOP, MOOD_BOTTOM = 40, 196
ROAD_TOP = 236
ROAD_ROW = 266
MIME = "image/png"

INK = (47, 72, 88)  # the app's colour (the manifest's background)
SOFT = (150, 165, 175)
FAINT = (226, 232, 236)
YES = (46, 139, 87)
PAPER = (255, 255, 255)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int) -> Font:
    # Pillow's own font: no file to ship, the same picture on every machine.
    return ImageFont.load_default(size)


def render(chart: Chart) -> bytes:
    """The chart as PNG bytes (a few kilobytes; 16 colours)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    _mood_panel(draw, chart)
    _road_panel(draw, chart)
    out = io.BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(out, "PNG")
    return out.getvalue()


def _x(day: int, span: int) -> float:
    left, right = MARGIN + AXIS, WIDTH - MARGIN - 8  # room for the last marker
    return left + (right - left) * day / max(span, 1)


def _y(score: int) -> float:
    return MOOD_BOTTOM - (MOOD_BOTTOM - MOOD_TOP - 10) * (score - 1) / 4


def _mood_panel(draw: ImageDraw.ImageDraw, chart: Chart) -> None:
    draw.text((MARGIN, 10), chart.mood_title, fill=INK, font=_font(16))
    for score in range(1, 6):
        draw.line((MARGIN + AXIS, _y(score), WIDTH - MARGIN, _y(score)), fill=FAINT)
    draw.text((MARGIN, _y(5) - 8), chart.high, fill=SOFT, font=_font(12))
    draw.text((MARGIN, _y(1) - 8), chart.low, fill=SOFT, font=_font(12))
    for day in chart.planned:  # check-ins still to come: a tick under the axis
        x = _x(day, chart.span)
        draw.polygon(((x, MOOD_BOTTOM + 4), (x - 4, MOOD_BOTTOM + 11), (x + 4, MOOD_BOTTOM + 11)),
                     outline=INK)  # fmt: skip
    _keys(draw, chart)
    if not chart.moods:
        middle = (MOOD_TOP + MOOD_BOTTOM) / 2
        draw.text((MARGIN + AXIS + 8, middle - 8), chart.empty, fill=SOFT, font=_font(14))
        return
    points = [(_x(p.day, chart.span), _y(p.score)) for p in chart.moods]
    if len(points) > 1:
        draw.line(points, fill=INK, width=2, joint="curve")
    radius = 5 if len(points) <= 60 else 3  # a long history stays readable
    for (x, y), point in zip(points, chart.moods, strict=True):
        box = (x - radius, y - radius, x + radius, y + radius)
        draw.ellipse(box, fill=INK if point.checkin else PAPER, outline=INK, width=2)


def _keys(draw: ImageDraw.ImageDraw, chart: Chart) -> None:
    """What the marks mean, top right: a filled dot, and the axis mark when there is one."""
    small = _font(12)
    right: float = WIDTH - MARGIN
    if chart.planned:
        x = right - draw.textlength(chart.ahead_key, font=small)
        draw.polygon(((x - 10, 12), (x - 14, 20), (x - 6, 20)), outline=INK)
        draw.text((x, 10), chart.ahead_key, fill=SOFT, font=small)
        right = x - 24
    x = right - draw.textlength(chart.checkin_key, font=small)
    draw.ellipse((x - 14, 12, x - 6, 20), fill=INK)
    draw.text((x, 10), chart.checkin_key, fill=SOFT, font=small)


def road_stops(chart: Chart) -> list[float]:
    """Where each stop of the road sits: one per no, the rest of the "about 24" ahead; a
    hired person's road is as long as it was, and ends in the yes."""
    stops = chart.noes + 1 if chart.hired else max(chart.target, chart.noes)
    step = (WIDTH - 2 * MARGIN) / max(stops, 1)
    return [MARGIN + step * (index + 0.5) for index in range(stops)]


def _road_panel(draw: ImageDraw.ImageDraw, chart: Chart) -> None:
    draw.text((MARGIN, ROAD_TOP - 12), chart.road_title, fill=INK, font=_font(14))
    centres = road_stops(chart)
    step = (WIDTH - 2 * MARGIN) / len(centres)
    radius = max(2.0, min(8.0, step / 2 - 2))
    draw.line((centres[0], ROAD_ROW, centres[-1], ROAD_ROW), fill=FAINT, width=2)
    for index, x in enumerate(centres):
        box = (x - radius, ROAD_ROW - radius, x + radius, ROAD_ROW + radius)
        if chart.hired and index == len(centres) - 1:
            draw.ellipse(_grown(box, 3), fill=YES)  # the road ends in a yes
        elif index < chart.noes:
            draw.ellipse(box, fill=SOFT)
        else:
            draw.ellipse(box, fill=PAPER, outline=FAINT, width=2)


def _grown(box: Sequence[float], by: float) -> tuple[float, float, float, float]:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def pictured(replies: Sequence[Reply], *, homes: bool) -> list[Reply]:
    """Replies whose ``chart`` becomes a PNG attachment, handed over privately like any file
    (a reply already carrying a file keeps it and its chart stays words). ``homes``: draw a
    home's chart too (where the home has no picture of its own, unlike Slack's Home tab)."""
    drawn: list[Reply] = []
    for reply in replies:
        wanted = homes or reply.home is None
        if reply.chart is not None and reply.attachment is None and wanted:
            image = Attachment(reply.chart.filename, render(reply.chart), MIME)
            reply = dataclasses.replace(reply, attachment=image)
        drawn.append(reply)
    return drawn
