"""What the Discord adapter needs to know, and nothing of the other platforms' settings.

The composition root builds a :class:`DiscordConfig` from the process's settings
(``bounceback.cli.discord_config``); tests build one directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    """The Discord settings. The token stays out of ``repr`` so a logged config shows none."""

    token: str = field(default="", repr=False)  # DISCORD_TOKEN
    api_url: str | None = None  # another REST base, for tests (DISCORD_API_URL)
    guild_id: int | None = None  # publish commands to this server only (DISCORD_GUILD_ID)
    shard_count: int | None = None  # gateway connections in this process (DISCORD_SHARD_COUNT)
    default_timezone: str = "UTC"  # for people met first in a DM (BOUNCEBACK_TIMEZONE)
    shutdown_grace: float = 20.0  # seconds work under way may take after SIGTERM
    requests_per_second: int = 50  # Discord's global limit for the bot (more if Discord grants it)
