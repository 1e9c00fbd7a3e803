"""Bounceback on Slack: Bolt payloads to engine events, engine replies to Block Kit.

``serve`` runs it (``bounceback slack``); ``build_app`` builds it around any handler, for
tests and benchmarks; ``SlackMessenger`` delivers scheduled check-ins.
"""

from adapters.slack.app import SlackBot, build_app
from adapters.slack.messenger import SlackMessenger
from adapters.slack.server import serve

__all__ = ["SlackBot", "SlackMessenger", "build_app", "serve"]
