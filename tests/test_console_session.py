"""The console as a person uses it: the real ``bounceback console`` process through pipes (and a
pseudo-terminal for Ctrl-C)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import BIN, PROMPTLY, run


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/console.db", "TZ": "UTC"}
    env.pop("BOUNCEBACK_LOG_LEVEL", None)
    return {**env, **extra}


def console(tmp_path: Path, lines: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        [str(BIN), "console", "--user", "sam"],
        tmp_path,
        env=environment(tmp_path, **extra),
        lines=lines,
    )


REJECTION = ["/rejected Acme", "", "", "Interview", "", ""]  # the form, up to the feeling


def test_a_command_typed_in_a_form_cancels_it_and_runs(tmp_path: Path) -> None:
    result = console(tmp_path, ["/rejected Acme", "", "/help", "/progress"])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(Form cancelled: nothing from it was saved.)" in out
    assert out.count("(Form cancelled") == 1
    assert "/rejected [company]: log a rejection" in out  # /help ran
    assert "/next: move this session's clock" in out
    assert "Nothing logged yet" in out  # /progress: the rejection was not saved
    assert "I'm sorry" not in out


def test_quit_inside_a_form_quits(tmp_path: Path) -> None:
    result = console(tmp_path, ["/rejected Acme", "", "", "/quit", "/brag never saved"])
    assert result.returncode == 0, result.stderr
    assert "(Form cancelled" in result.stdout
    assert "pick one" not in result.stdout
    assert "Added to your bragging list" not in result.stdout


def test_buttons_of_two_messages_never_share_a_number(tmp_path: Path) -> None:
    result = console(tmp_path, [*REJECTION, "3", "/next", "6", "4"])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The rejection's answer: [1] the feedback note, [2]-[5] the reflection question.
    assert "[1] Draft my feedback note" in out
    assert "[4] No" in out
    # The day-1 check-in arrives under it and goes on counting.
    checkin = out[out.index("(Clock moved forward") :]
    assert "[6] 1: awful" in checkin
    assert "[1]" not in checkin.split("[6] 1: awful")[0]
    # "6" is the check-in's mood (not the feedback note), and "4" still answers the question
    # above it; the next question goes on from the feedback note's [1], still open.
    assert "Thanks for telling me" in checkin
    assert "Dear " not in out
    assert "Noted as something to work on" in checkin
    assert "[2] Yes" in checkin.split("Noted as something to work on")[1]


def test_next_walks_the_whole_week_in_one_session(tmp_path: Path) -> None:
    before = console(tmp_path, ["/next"])
    assert "Nothing is planned for you yet" in before.stdout
    result = console(tmp_path, [*REJECTION, "3", *["/next"] * 6])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    moved = [line for line in out.splitlines() if line.startswith("(Clock moved forward")]
    assert len(moved) == 6
    for words in ("How are you feeling today?", "feedback note to Acme", "remember your strengths",
                  "Plan B check", "How many jobs"):  # fmt: skip
        assert words in out
    # The first check-in was planned for the next day at 10:00 in the person's zone.
    assert moved[0].endswith("10:00, your time, for this session only.)")


def test_the_console_starts_in_the_machines_time_zone(tmp_path: Path) -> None:
    result = console(tmp_path, [*REJECTION, "3"], TZ="America/New_York")
    assert result.returncode == 0, result.stderr
    assert "(your time, America/New_York)" in result.stdout


def test_end_of_piped_input_always_exits(tmp_path: Path) -> None:
    # Used to hang about one run in 30 while asyncio shut down: a check-in round cut off in a
    # database call left SQLite's connection thread stopped twice and a task waiting forever.
    for attempt in range(8):
        started = time.monotonic()
        result = console(tmp_path, ["/brag win"])
        assert result.returncode == 0, (attempt, result.stderr)
        assert "Added to your bragging list" in result.stdout
        assert time.monotonic() - started < PROMPTLY


def _read_until(fd: int, marker: bytes, seen: bytearray, deadline: float) -> bool:
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the other side closed
                break
    return marker in seen


def _ctrl_c_at(tmp_path: Path, typed: list[tuple[bytes, bytes]]) -> int:
    """Start the console on a pseudo-terminal, type ``typed`` (each up to its marker), then
    interrupt it as Ctrl-C does (SIGINT); returns the exit status."""
    terminal, console_side = pty.openpty()
    # A terminal's console starts with Ctrl-C's default. A suite run in the background
    # (``make test &``) ignores SIGINT, and an ignored signal stays ignored in a child; one
    # handled here starts at its default there.
    ignoring = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [str(BIN), "console", "--user", "sam"],
            stdin=console_side,
            stdout=console_side,
            stderr=console_side,
            env=environment(tmp_path),
            cwd=tmp_path,
        )
    finally:
        signal.signal(signal.SIGINT, ignoring)
    os.close(console_side)
    seen = bytearray()
    deadline = time.monotonic() + PROMPTLY
    try:
        assert _read_until(terminal, b"> ", seen, deadline), bytes(seen)
        for data, marker in typed:
            os.write(terminal, data)
            assert _read_until(terminal, marker, seen, deadline), bytes(seen)
        process.send_signal(signal.SIGINT)
        while process.poll() is None and time.monotonic() < deadline:
            _read_until(terminal, b"\x00never", seen, time.monotonic() + 0.2)
        assert process.returncode is not None, f"still running after Ctrl-C: {bytes(seen)!r}"
        assert b"Traceback" not in seen, bytes(seen)
        return process.returncode
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(terminal)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminals as on Linux")
def test_ctrl_c_quits_at_any_prompt(tmp_path: Path) -> None:
    assert _ctrl_c_at(tmp_path, []) == 130
    assert _ctrl_c_at(tmp_path, [(b"/rejected Acme\r", b"Company")]) == 130
    assert _ctrl_c_at(tmp_path, [(b"/rejected Acme\r\r\r", b"How far")]) == 130
