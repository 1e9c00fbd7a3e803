"""The real ``bounceback console`` process, driven through pipes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from adapters.console.render import printable, render
from bot.replies import Button, Reply
from tests.conftest import FIRST_WEEK
from tests.processes import BIN, printed, run


def console(
    tmp_path: Path, lines: list[str], user: str = "sam"
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/console.db",
        "BOUNCEBACK_TIMEZONE": "Europe/Berlin",
    }
    return run([str(BIN), "console", "--user", user], tmp_path, env=env, lines=lines)


def test_help_prints_and_exits_zero(tmp_path: Path) -> None:
    result = console(tmp_path, ["/help"])
    assert result.returncode == 0, result.stderr
    assert "/rejected [company]" in result.stdout
    assert "/brag TEXT" in result.stdout
    assert result.stderr == ""


def test_a_whole_rejection_through_the_form_buttons_and_a_restart(tmp_path: Path) -> None:
    first = console(
        tmp_path,
        [
            "/rejected Acme",
            "",  # keep the prefilled company
            "R" * 101,  # too long: asked again
            "Data analyst",
            "",  # stage is required: asked again
            "Interview",  # a choice by its label
            "",  # date: today
            "Jane Rivera",
            "2",  # feeling by number
            "No",  # the reflection question's button, by label
        ],
    )
    printed(
        first,
        "-- Log a rejection --",
        "Company [Acme]:",
        "Role can be up to 100",
        "How far did you get? is needed.",
        "[3] Interview",
        "I'm sorry about Acme, sam. That stings.",
        "[1] Draft my feedback note",
        "Noted as something to work on",
    )

    # A new process on the same database: the pending question is still there.
    second = console(
        tmp_path, ["I never asked what the team needed", "/feedback", "1", "/progress"]
    )
    printed(
        second,
        "saved that in your own words",
        "Dear Jane Rivera",
        "courage",  # "I sent it" was button 1
        "Rejections logged: 1",
        "I never asked what the team needed",
    )


def test_input_ending_inside_a_form_exits_cleanly(tmp_path: Path) -> None:
    result = console(tmp_path, ["/rejected", "Acme"])
    assert result.returncode == 0, result.stderr
    assert "Role" in result.stdout


def test_people_on_one_console_database_are_separate(tmp_path: Path) -> None:
    console(tmp_path, ["/brag Sam's secret win"], user="sam")
    alex = console(tmp_path, ["/brag list"], user="alex")
    assert "secret" not in alex.stdout
    assert "empty so far" in alex.stdout


def test_a_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BOUNCEBACK_TIMEZONE": "Mars/Base",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    result = run([str(BIN), "console"], tmp_path, env=env, lines=[])
    assert result.returncode == 2
    assert "unknown time zone 'Mars/Base'" in result.stderr
    assert "Traceback" not in result.stderr


def test_rendering_is_printable_and_numbers_buttons() -> None:
    reply = Reply(
        heading="Hi\x1b[31m",
        text="line\x07 one\nline two",
        quote="Dear X,\nthanks",
        buttons=(Button("Yes", "a"), Button("No\u202e", "b")),
    )
    shown = render(reply, first_number=3)
    assert shown.splitlines() == [
        "== Hi[31m ==",
        "line one",
        "line two",
        "  | Dear X,",
        "  | thanks",
        "[3] Yes",
        "[4] No",
    ]
    assert printable("a\x00\u200bb") == "ab"


def test_schedule_lists_planned_check_ins_in_local_time(tmp_path: Path) -> None:
    console(
        tmp_path,
        [
            "/checkin settings",
            "America/New_York",
            "09:30",
            "",
            "",
            "",
            "/rejected Acme",
            "",
            "",
            "Interview",
            "",
            "",
            "3",
        ],
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/console.db"}
    result = run([str(BIN), "schedule", "--user", "sam"], tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "console/console/sam (sam)  America/New_York  [active]"
    planned = [line.split() for line in lines[1:]]
    assert [p[4] for p in planned] == FIRST_WEEK
    assert all(p[2] == "09:30" and p[3] in ("EST", "EDT") for p in planned)
    nobody = run([str(BIN), "schedule", "--user", "nobody"], tmp_path, env=env)
    assert nobody.stdout.strip() == "Nothing planned."


def test_practice_join_through_the_console(tmp_path: Path) -> None:
    typed = ["/practice join", "Salary talk", "Analyst", "Evenings (17:00-21:00)", "/practice"]
    result = console(tmp_path, typed)
    assert result.returncode == 0, result.stderr
    assert "What your partner sees: sam, Analyst. Practising: Salary talk." in result.stdout
    assert "You're in practice partners." in result.stdout
