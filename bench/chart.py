"""The journey chart: how long drawing it takes and how big it is, with Pillow (what the
project uses), matplotlib (the usual alternative, when installed) and the floor.

    python bench/chart.py [--runs N] [--example docs/chart-example.png]

The floor is encoding a blank picture of the same size to PNG: no renderer can hand over a
PNG for less. Import times are measured in a fresh interpreter each, since a bot process pays
them once at start (or at the first chart). The budget: under 200 ms and 100 KB a chart.
"""

from __future__ import annotations

import argparse
import functools
import io
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from adapters.chart import HEIGHT, WIDTH, render
from bot.home_view import Chart
from tests.charts import LONG, WEEK


def timed(work: Callable[[], bytes], runs: int) -> tuple[float, float, int]:
    """Median and 95th percentile in milliseconds, and the output's size in bytes."""
    work()  # warm: fonts loaded, caches filled
    times = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(work())
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], size


def blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("P", (WIDTH, HEIGHT)).save(out, "PNG")
    return out.getvalue()


def matplotlib_chart(chart: Chart) -> Callable[[], bytes]:
    """The same two panels drawn with matplotlib's Agg backend, at the same pixel size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def draw() -> bytes:
        figure, (mood, road) = plt.subplots(
            2, 1, figsize=(WIDTH / 100, HEIGHT / 100), dpi=100, height_ratios=(3, 1)
        )
        days = [p.day for p in chart.moods]
        mood.plot(days, [p.score for p in chart.moods], marker="o")
        mood.set_title(chart.mood_title, loc="left")
        mood.set_ylim(0.5, 5.5)
        stops = max(chart.target, chart.noes)
        road.scatter(
            range(stops),
            [0] * stops,
            c=["grey" if i < chart.noes else "white" for i in range(stops)],
            edgecolors="grey",
        )
        road.set_axis_off()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        plt.close(figure)
        return out.getvalue()

    return draw


def import_ms(statement: str) -> float:
    """Milliseconds a fresh interpreter takes to run ``statement`` (median of three)."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--example", type=Path, help="also write the week's chart here")
    args = parser.parse_args()
    if args.example is not None:
        args.example.write_bytes(render(WEEK))

    rows: list[tuple[str, str]] = []
    for name, chart in (("a week", WEEK), ("120 moods", LONG)):
        median, p95, size = timed(functools.partial(render, chart), args.runs)
        rows.append(
            (f"Pillow, {name}", f"{median:7.1f} ms  p95 {p95:6.1f} ms  {size / 1024:6.1f} KB")
        )
        try:
            draw = matplotlib_chart(chart)
        except ImportError:
            rows.append((f"matplotlib, {name}", "not installed"))
        else:
            median, p95, size = timed(draw, max(5, args.runs // 5))
            rows.append(
                (
                    f"matplotlib, {name}",
                    f"{median:7.1f} ms  p95 {p95:6.1f} ms  {size / 1024:6.1f} KB",
                )
            )
    median, p95, size = timed(blank_png, args.runs)
    rows.append(("floor: blank PNG", f"{median:7.1f} ms  p95 {p95:6.1f} ms  {size / 1024:6.1f} KB"))
    bare = import_ms("pass")
    rows.append(("import: python alone", f"{bare:7.1f} ms"))
    pillow = import_ms("import PIL.Image, PIL.ImageDraw, PIL.ImageFont")
    rows.append(("import: Pillow", f"{pillow - bare:7.1f} ms over python alone"))
    try:
        mpl = import_ms("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot")
        rows.append(("import: matplotlib", f"{mpl - bare:7.1f} ms over python alone"))
    except subprocess.CalledProcessError:
        rows.append(("import: matplotlib", "not installed"))
    width = max(len(label) for label, _ in rows)
    print(f"journey chart, {WIDTH}x{HEIGHT} px (budget: 200 ms, 100 KB)")
    for label, figures in rows:
        print(f"  {label:<{width}}  {figures}")


if __name__ == "__main__":
    main()
