"""Running Bounceback (and make) as real processes in tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

BIN = Path(sys.executable).parent / "bounceback"
# A run that takes longer has hung (every command here answers in a few seconds).
PROMPTLY = 60.0


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    lines: Sequence[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``args`` run to the end in ``cwd``, each of ``lines`` typed in, the output captured as
    text; a failing status is returned, not raised."""
    return subprocess.run(
        list(args),
        input=None if lines is None else "".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=PROMPTLY,
        check=False,
    )


def printed(result: subprocess.CompletedProcess[str], *texts: str) -> str:
    """Assert that the run succeeded and printed each of ``texts`` (naming any it did not);
    its output, for further checks."""
    assert result.returncode == 0, result.stderr
    missing = [text for text in texts if text not in result.stdout]
    assert not missing, f"not printed: {missing}\n{result.stdout}"
    return result.stdout
