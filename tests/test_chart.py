"""The journey chart's picture: drawn for an empty, a one-point and a long history, small,
and showing what the numbers say (read back from the pixels)."""

from __future__ import annotations

import dataclasses
import io

import pytest
from PIL import Image

from adapters.chart import (
    HEIGHT,
    INK,
    ROAD_ROW,
    SOFT,
    WIDTH,
    YES,
    _x,
    _y,
    pictured,
    render,
    road_stops,
)  # fmt: skip
from bot.home_view import Chart, MoodPoint
from bot.replies import Attachment, Reply
from tests.charts import BASE

ONE = dataclasses.replace(BASE, moods=(MoodPoint(0, 2),), noes=1)
LONG = dataclasses.replace(
    BASE,
    moods=tuple(MoodPoint(day, 1 + day % 5, day % 2 == 0) for day in range(200)),
    planned=(200, 207),
    span=207,
    noes=31,
)


def near(found: object, colour: tuple[int, int, int]) -> bool:
    """A pixel of ``colour``, give or take the 16-colour palette's rounding."""
    assert isinstance(found, tuple)
    return all(abs(a - b) <= 6 for a, b in zip(found, colour, strict=True))


def pixels(chart: Chart) -> Image.Image:
    image = Image.open(io.BytesIO(render(chart)))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    return image.convert("RGB")


@pytest.mark.parametrize("chart", [BASE, ONE, LONG], ids=["empty", "one point", "long"])
def test_every_history_draws_a_small_png(chart: Chart) -> None:
    drawn = render(chart)
    assert drawn.startswith(b"\x89PNG") and len(drawn) < 100_000
    pixels(chart)


def test_an_empty_history_draws_no_mood_dot() -> None:
    image = pixels(BASE)
    assert not near(image.getpixel((round(_x(0, 1)), round(_y(3)))), INK)


def test_one_mood_is_one_dot_where_it_belongs() -> None:
    image = pixels(dataclasses.replace(ONE, moods=(MoodPoint(0, 2, checkin=True),)))
    assert near(image.getpixel((round(_x(0, 1)), round(_y(2)))), INK)  # a filled check-in dot
    assert not near(image.getpixel((round(_x(1, 1)), round(_y(2)))), INK)  # nothing after it


def test_the_road_fills_one_stop_per_no_and_a_yes_ends_it() -> None:
    three = dataclasses.replace(BASE, noes=3)
    stops = road_stops(three)
    assert len(stops) == 24  # the "about 24", three of them behind
    road = pixels(three)
    assert near(road.getpixel((round(stops[2]), ROAD_ROW)), SOFT)  # the third no
    assert near(road.getpixel((round(stops[3]), ROAD_ROW)), (255, 255, 255))  # still ahead
    hired = dataclasses.replace(three, hired=True)
    stops = road_stops(hired)
    assert len(stops) == 4  # three noes, then the yes: the road ends there
    assert near(pixels(hired).getpixel((round(stops[-1]), ROAD_ROW)), YES)
    assert len(road_stops(dataclasses.replace(BASE, noes=40))) == 40  # past the average


def test_a_long_history_fits_the_same_picture() -> None:
    image = pixels(LONG)
    last = LONG.moods[-1]
    x, y = round(_x(last.day, LONG.span)), round(_y(last.score))
    around = [(x + dx, y + dy) for dx in range(-4, 5) for dy in range(-4, 5)]
    assert any(near(image.getpixel(p), INK) for p in around)  # the last dot, inside the frame
    assert x < WIDTH - 8


def test_a_chart_becomes_a_picture_only_where_wanted() -> None:
    home_like = Reply(text="home", chart=BASE, home=None)
    export = Attachment("data.json", b"{}")
    [drawn, kept] = pictured(
        [home_like, Reply(text="x", chart=BASE, attachment=export)], homes=False
    )
    assert drawn.attachment is not None and drawn.attachment.mime_type == "image/png"
    assert kept.attachment == export
