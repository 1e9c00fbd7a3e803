"""Checks that a person's words went nowhere: not to the platform, the logs or the database."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

import pytest

# Bounceback's own loggers; each platform adds its libraries'.
OUR_LOGGERS = ("bounceback", "adapters", "bot", "storage")


def watch_every_log(caplog: pytest.LogCaptureFixture, *libraries: str) -> None:
    """Capture everything at DEBUG, as an operator chasing a bug would run it: Bounceback's
    loggers and ``libraries``."""
    caplog.set_level(logging.DEBUG)
    for name in (*OUR_LOGGERS, *libraries):
        caplog.set_level(logging.DEBUG, logger=name)


def stored_bytes(path: Path) -> bytes:
    """The SQLite database (``t.db``) as it is on disk, journal files included."""
    return b"".join(part.read_bytes() for part in sorted(path.glob("t.db*")))


def assert_kept_nowhere(
    words: str, sent: Iterable[tuple[str, object]], caplog: pytest.LogCaptureFixture, db: Path
) -> None:
    """``words`` are in nothing ``sent`` to the platform (each a (where, what) pair; bytes are
    files), in no log line and nowhere in the database files under ``db``."""
    assert caplog.records, "the logs were captured"
    folded = words.casefold()
    for where, what in sent:
        if isinstance(what, bytes):
            assert folded.encode() not in what.lower(), where
        else:
            assert folded not in json.dumps(what, default=str).casefold(), where
    assert folded not in caplog.text.casefold()
    assert words.encode() not in stored_bytes(db)
