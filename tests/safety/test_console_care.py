"""The care buttons in the real ``bounceback console`` process: nothing stored until keep."""

from __future__ import annotations

from pathlib import Path

from tests.test_console import console

WORDS = "I want to die, nothing works"


def stored(tmp_path: Path) -> bytes:
    return b"".join(part.read_bytes() for part in sorted(tmp_path.glob("console.db*")))


def test_carry_on_then_keep_by_their_labels(tmp_path: Path) -> None:
    first = console(tmp_path, [f"/brag {WORDS}", "I'm okay, carry on", "/brag list"])
    assert first.returncode == 0, first.stderr
    assert "[1] Yes, keep it" in first.stdout
    assert "Your check-ins are back on" in first.stdout
    assert "bragging list is empty" in first.stdout
    assert WORDS.encode() not in stored(tmp_path)

    second = console(tmp_path, [f"/brag {WORDS}", "Yes, keep it", "/brag list"])
    assert second.returncode == 0, second.stderr
    assert f"1. {WORDS}" in second.stdout  # saved after their yes, and only then
