"""Where discord.py sends REST requests: Discord itself, a shared rate-limit proxy, or a fake.

discord.py builds every REST URL, interaction callbacks and webhooks included, from the class
attribute ``discord.http.Route.BASE`` (its own ``_set_api_version`` sets it the same way), so
pointing that one attribute elsewhere moves all REST traffic at once. It is process-wide, which
matches how it is used: one process talks to one Discord API.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from discord.http import INTERNAL_API_VERSION, Route

DEFAULT_API_BASE = f"https://discord.com/api/v{INTERNAL_API_VERSION}"


def api_base(url: str | None) -> str:
    """The REST base for ``DISCORD_API_URL``: Discord's own when unset; ``/api/v10`` is added
    when the URL has no path (``http://proxy:8080`` -> ``http://proxy:8080/api/v10``)."""
    if not url or not url.strip():
        return DEFAULT_API_BASE
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("DISCORD_API_URL must be an http:// or https:// URL")
    if not parts.path:
        url = f"{url}/api/v{INTERNAL_API_VERSION}"
    return url


def use_api_base(url: str | None) -> str:
    """Send discord.py's REST requests to ``url`` (see :func:`api_base`); returns the old base."""
    previous = Route.BASE
    Route.BASE = api_base(url)
    return previous


def quiet_library_logs() -> None:
    """Keep discord.py's DEBUG output (whole gateway events and request bodies, so people's
    words) out of the logs even when Bounceback runs at DEBUG."""
    library = logging.getLogger("discord")
    if library.getEffectiveLevel() < logging.INFO:
        library.setLevel(logging.INFO)
