"""What the Slack adapter needs to know, and nothing of the other platforms' settings.

The composition root builds a :class:`SlackConfig` from the process's settings
(``bounceback.cli.slack_config``); tests build one directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_API_URL = "https://slack.com/api/"


class ConfigurationError(ValueError):
    """The Slack settings cannot make a working app; the message says what to set."""


@dataclass(frozen=True, slots=True)
class SlackConfig:
    """The Slack settings. Secrets stay out of ``repr`` so a logged config shows none."""

    bot_token: str = field(default="", repr=False)  # one workspace (SLACK_BOT_TOKEN)
    signing_secret: str = field(default="", repr=False)  # HTTP mode (SLACK_SIGNING_SECRET)
    app_token: str = field(default="", repr=False)  # Socket Mode (SLACK_APP_TOKEN)
    client_id: str = ""  # many workspaces, with client_secret (SLACK_CLIENT_ID)
    client_secret: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    admins: str = ""  # user ids who may change community settings (SLACK_ADMINS)
    shutdown_grace: float = 20.0  # seconds acknowledged work may take after SIGTERM

    @property
    def many_workspaces(self) -> bool:
        """Installed through the OAuth flow rather than with one bot token."""
        return bool(self.client_id and self.client_secret)
