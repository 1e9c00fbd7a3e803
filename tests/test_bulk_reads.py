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
    monkeypatch.setattr(bulk, "_TIMES", {})
    monkeypatch.setattr(bulk, "_TIMES_KEPT", 2)
    read = [bulk.read_time(f"0{hour}:05:00.000000") for hour in range(6)]
    assert read == [dt.time(hour, 5) for hour in range(6)]
    assert len(bulk._TIMES) == 2  # the memo stays bounded
