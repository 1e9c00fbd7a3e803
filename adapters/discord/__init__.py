"""The Discord adapter: slash commands, buttons, modals and DMs on discord.py 2.x.

It translates only: interactions become engine events, replies become messages, persistent
buttons and modals. ``serve(config, ...)`` runs it (``bounceback.cli.serve_discord`` wires it to
the services); ``build_client(...)`` wires one from explicit parts; ``DiscordMessenger`` sends
scheduled check-ins over REST from any instance.
"""

from __future__ import annotations

from adapters.discord.api import use_api_base
from adapters.discord.client import build_client, serve
from adapters.discord.messenger import DiscordMessenger

__all__ = ["DiscordMessenger", "build_client", "serve", "use_api_base"]
