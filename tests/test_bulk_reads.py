"""Raw column values read back as the engine sees them (times of day parsed once per text)."""

from __future__ import annotations

import datetime as dt

import pytest

from storage import bulk


def test_times_of_day_read_the_same_whether_parsed_or_remembered() -> None:
    texts = ["10:00:00.000000", "21:30:00.000000", "08:00:00.000000", "10:00:00.000000"]
    first = [bulk.read_time(text) for text in texts]
    again = [bulk.read_time(text) for text in texts]
    assert first == again == [dt.time(10), dt.time(21, 30), dt.time(8), dt.time(10)]
    assert bulk.read_time(dt.time(7, 15)) == dt.time(7, 15)  # a driver's own value


def test_times_are_still_read_right_once_no_more_are_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk, "_TIMES", bulk.Memo(dt.time.fromisoformat, limit=2))
    read = [bulk.read_time(f"0{hour}:05:00.000000") for hour in range(6)]
    assert read == [dt.time(hour, 5) for hour in range(6)]
    assert len(bulk._TIMES.kept) <= 2  # the memo stays bounded


def test_due_moments_and_wall_clocks_are_shared_and_read_right() -> None:
    texts = ["2026-07-14 08:00:00.000000", "2026-07-14 09:30:00.000000"] * 2
    moments = [bulk.read_shared_moment(text) for text in texts]
    assert (
        moments
        == [
            dt.datetime(2026, 7, 14, 8, tzinfo=dt.UTC),
            dt.datetime(2026, 7, 14, 9, 30, tzinfo=dt.UTC),
        ]
        * 2
    )
    assert moments[0] is moments[2]  # one object for rows due at one moment
    assert bulk.read_shared_moment(moments[1]) == moments[1]  # a driver's own value
    walls = [bulk.read_wall_clock(text) for text in texts]
    assert walls[1] == dt.datetime(2026, 7, 14, 9, 30) and walls[1].tzinfo is None
    assert walls[1] is walls[3]
