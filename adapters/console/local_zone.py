"""The machine's own time zone, as an IANA name: the console person's zone until they pick one."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

from bot.schedule import known_zone


def local_zone(
    environ: Mapping[str, str] = os.environ,
    localtime: Path = Path("/etc/localtime"),
    timezone_file: Path = Path("/etc/timezone"),
) -> str:
    """``TZ`` if it names a zone, else what ``/etc/localtime`` links to, else ``/etc/timezone``;
    "" when none of them says (the community's default zone applies then)."""
    candidates = [environ.get("TZ", "").removeprefix(":")]
    try:
        target = str(localtime.resolve(strict=True))
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        candidates.append(target.rsplit("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    return next((name for name in candidates if _known(name)), "")


def _known(name: str) -> bool:
    # A path-like TZ ("/usr/share/zoneinfo/...") or a POSIX rule ("EST5EDT,M3.2.0") is not a
    # name the engine can store; only IANA names are taken.
    return "," not in name and known_zone(name)
