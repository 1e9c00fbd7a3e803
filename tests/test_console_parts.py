"""The console's parts on their own: numbering buttons, reading lines, its clock and rounds."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path

from adapters.console.buttons import OpenButtons
from adapters.console.lines import FileLines
from adapters.console.local_zone import local_zone
from adapters.console.preview import OffsetClock, Rounds
from bot.replies import Button

MOOD = tuple(Button(f"{n}: feeling", "mood", str(n)) for n in range(1, 6))
KEEP = (Button("Keep weekly check-ins", "weekly", "keep"), Button("Stop", "weekly", "stop"))
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_second_message_goes_on_counting_and_each_number_means_one_button() -> None:
    open_buttons = OpenButtons()
    assert open_buttons.add(KEEP, answer=False) == 1
    assert open_buttons.add(MOOD, answer=False) == 3
    assert open_buttons.take("1") == KEEP[0]  # not the first mood
    assert open_buttons.take("2") is None  # that message was answered
    assert open_buttons.take("3") == MOOD[0]
    # Nothing open any more: numbering starts again from [1].
    assert open_buttons.add(KEEP, answer=True) == 1


def test_typing_on_leaves_answers_behind_but_keeps_check_ins() -> None:
    open_buttons = OpenButtons()
    open_buttons.add(MOOD, answer=False)
    open_buttons.add(KEEP, answer=True)
    open_buttons.moved_on()
    assert open_buttons.take("6") is None
    assert open_buttons.take("stop") is None
    assert open_buttons.take("5") == MOOD[4]


def test_a_label_picks_the_newest_button_with_it() -> None:
    open_buttons = OpenButtons()
    older, newer = (Button("Later", "a"),), (Button("Later", "b"),)
    open_buttons.add(older, answer=False)
    open_buttons.add(newer, answer=False)
    assert open_buttons.take("later") == newer[0]
    assert open_buttons.take("later") == older[0]


async def test_lines_come_whole_in_order_and_then_the_end(tmp_path: Path) -> None:
    reading, writing = os.pipe()
    lines = FileLines(reading)
    os.write(writing, "première\r\nsecond ".encode())
    assert await lines.read_line() == "première"
    os.write(writing, b"half\nlast without a break")
    os.close(writing)
    assert await lines.read_line() == "second half"
    assert await lines.read_line() == "last without a break"
    assert await lines.read_line() is None
    assert await lines.read_line() is None
    os.close(reading)


async def test_input_closed_from_the_start_is_never_read() -> None:
    assert await FileLines(None).read_line() is None


def test_the_offset_clock_only_moves_forward() -> None:
    real = [T0]
    clock = OffsetClock(lambda: real[0])
    clock.advance_to(T0 + dt.timedelta(days=1))
    assert clock() == T0 + dt.timedelta(days=1)
    clock.advance_to(T0)  # the past stays the past
    real[0] = T0 + dt.timedelta(seconds=5)
    assert clock() == T0 + dt.timedelta(days=1, seconds=5)


class SlowDispatcher:
    """Records each round's ``now``; a round waits for ``release``."""

    def __init__(self) -> None:
        self.times: list[dt.datetime] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.running = 0
        self.most_at_once = 0

    async def tick(self, now: dt.datetime) -> object:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self.times.append(now)
        self.started.set()
        await self.release.wait()
        self.running -= 1
        return None


async def test_rounds_run_one_at_a_time_on_the_sessions_clock_and_are_never_cut_off() -> None:
    dispatcher = SlowDispatcher()
    clock = OffsetClock(lambda: T0)
    async with Rounds(dispatcher, clock, interval=3600) as rounds:
        await dispatcher.started.wait()  # the first round, at the start
        clock.advance_to(T0 + dt.timedelta(days=2))
        asker = asyncio.ensure_future(rounds.run())
        await asyncio.sleep(0)
        asker.cancel()  # the person leaves mid-round: the round itself goes on
        dispatcher.release.set()
    assert asker.cancelled()
    assert dispatcher.running == 0  # leaving waited for both rounds to end
    assert dispatcher.most_at_once == 1
    assert dispatcher.times == [T0, T0 + dt.timedelta(days=2)]


def test_the_machines_zone(tmp_path: Path) -> None:
    nowhere = tmp_path / "missing"
    assert local_zone({"TZ": "America/New_York"}, nowhere, nowhere) == "America/New_York"
    assert local_zone({"TZ": ":Europe/Berlin"}, nowhere, nowhere) == "Europe/Berlin"
    zoneinfo_dir = tmp_path / "usr/share/zoneinfo/Asia"
    zoneinfo_dir.mkdir(parents=True)
    (zoneinfo_dir / "Tokyo").write_bytes(b"")
    link = tmp_path / "localtime"
    link.symlink_to(zoneinfo_dir / "Tokyo")
    assert local_zone({"TZ": "Not/AZone"}, link, nowhere) == "Asia/Tokyo"
    named = tmp_path / "timezone"
    named.write_text("Europe/Lisbon\n")
    assert local_zone({}, nowhere, named) == "Europe/Lisbon"
    assert local_zone({}, nowhere, nowhere) == ""


async def test_a_long_session_sweeps_old_data_a_minute_in() -> None:
    swept: list[dt.datetime] = []
    done = asyncio.Event()

    async def sweep(now: dt.datetime) -> object:
        swept.append(now)
        done.set()
        return None

    class Quick:
        async def tick(self, now: dt.datetime) -> object:
            return None

    elapsed = [0.0]
    clock = OffsetClock(lambda: T0)
    async with Rounds(Quick(), clock, interval=0, daily=sweep, monotonic=lambda: elapsed[0]):
        elapsed[0] = 61.0
        await asyncio.wait_for(done.wait(), 5)
    assert swept == [T0]
