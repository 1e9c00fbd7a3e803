"""``make`` on a first run and after a Python too old: it says what it does and why."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.processes import run

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def fake_python(path: Path, version: str) -> Path:
    """A stand-in ``python`` of ``version`` that fails every check of being new enough."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\ncase "$1" in -V) echo "Python {version}";; *) exit 1;; esac\n')
    path.chmod(0o755)
    return path


def make(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "Makefile", folder / "Makefile")
    (folder / "pyproject.toml").touch()
    return run(["make", "--no-print-directory", *args], folder)


def test_a_venv_from_a_python_too_old_is_named_and_built_again(tmp_path: Path) -> None:
    fake_python(tmp_path / ".venv/bin/python", "3.9.2")
    result = make(tmp_path, "-n", "run")  # -n: show the plan, install nothing
    assert result.returncode == 0, result.stderr
    assert ".venv was made by Python 3.9.2; Bounceback needs Python 3.11 or newer" in result.stdout
    assert not (tmp_path / ".venv").exists()
    assert "-m venv .venv" in result.stdout


def test_a_python_too_old_to_start_with_is_named(tmp_path: Path) -> None:
    old = fake_python(tmp_path / "old-python", "3.10.4")
    result = make(tmp_path, f"PYTHON={old}", "test")
    assert result.returncode != 0
    assert f"Bounceback needs Python 3.11 or newer, and {old} is Python 3.10.4." in result.stdout
    assert "make PYTHON=python3.12 test" in result.stdout
    assert not (tmp_path / ".venv").exists()


def test_the_first_install_says_what_it_is_doing(tmp_path: Path) -> None:
    result = make(tmp_path, "-n", "run")
    assert "Creating .venv with" in result.stdout
    assert "Installing Bounceback and its tools into .venv" in result.stdout
