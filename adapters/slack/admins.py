"""Who may change a workspace's community settings: its admins and owners, or ``SLACK_ADMINS``.

Asked only for the few events where it matters (``/bounceback``, the "Change settings" button,
the settings form), never on every request, and remembered briefly per (team, user).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.outbox import api_error_code, log
from adapters.slack.remembered import Remembered
from bot import admin
from bot.events import Choice, Command, Event, FormSubmission

# Long enough to cover one admin's command, button and form in a row; short enough that a
# demoted admin loses the right within a minute.
CACHE_SECONDS = 60.0
CACHE_SIZE = 10_000

Clock = Callable[[], dt.datetime]
# Told what users.info said about (team, user): the profile, or None when Slack could not say.
ProfileSeen = Callable[[str, str, Mapping[str, object] | None], object]


def needs_admin(event: Event) -> bool:
    """Whether the engine will look at ``Sender.is_admin`` for this event."""
    if isinstance(event, Command):
        return event.name.strip().lstrip("/").casefold() == "bounceback"
    if isinstance(event, Choice):
        return event.action in admin.ACTIONS
    if isinstance(event, FormSubmission):
        return event.form_id in admin.FORMS
    return False


def configured_admins(setting: str) -> frozenset[str]:
    """User ids from ``SLACK_ADMINS`` ("U1, U2")."""
    return frozenset(part.strip() for part in setting.split(",") if part.strip())


class AdminCheck:
    """Answers "is this person an admin of this workspace?" through ``users.info``.

    A failed lookup counts as "no" and is not remembered, so the next request asks again.
    """

    def __init__(
        self,
        *,
        configured: str,
        clock: Clock,
        ttl: float = CACHE_SECONDS,
        on_profile: ProfileSeen | None = None,
    ) -> None:
        self._configured = configured_admins(configured)
        # The same users.info answer carries the person's time zone: shared, not asked twice.
        self._on_profile = on_profile
        self._clock = clock
        self._ttl = dt.timedelta(seconds=ttl)
        self._answers: Remembered[bool] = Remembered(CACHE_SIZE)

    async def mark(self, event: Event, client: AsyncWebClient) -> Event:
        """``event`` with ``Sender.is_admin`` filled in where the engine needs it."""
        if not needs_admin(event):
            return event
        sender = event.sender
        is_admin = await self.is_admin(client, sender.community, sender.user_id)
        return dataclasses.replace(event, sender=dataclasses.replace(sender, is_admin=is_admin))

    async def is_admin(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool:
        """True for workspace admins and owners and for people listed in ``SLACK_ADMINS``."""
        if not user_id:
            return False
        if user_id in self._configured:
            return True
        key = (team_id, user_id)
        now = self._clock()
        cached = self._answers.get(key, now)
        if cached is not None:
            return cached[0]
        # A command and the button pressed right after it often arrive together: one lookup.
        asking = self._answers.ask(key, lambda: self._look_up(client, team_id, user_id))
        user = await asyncio.shield(asking)
        if self._on_profile is not None:
            self._on_profile(team_id, user_id, user)
        if user is None:
            return False
        found = _administers(user, team_id)
        self._answers.keep(key, found, now + self._ttl)
        return found

    @staticmethod
    async def _look_up(
        client: AsyncWebClient, team_id: str, user_id: str
    ) -> dict[str, object] | None:
        """users.info's record of the person; None when Slack could not say."""
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as error:
            # The error code only: never a name or anything else about the person.
            log.warning(
                "slack admin check failed: users.info returned %s; treated as not an admin",
                api_error_code(error),
            )
            return None
        except Exception as error:  # a dropped connection, or Slack answering oddly
            log.warning(
                "slack admin check failed: %s; treated as not an admin", type(error).__name__
            )
            return None
        user = response.get("user")
        return user if isinstance(user, dict) else {}

    def forget_team(self, team_id: str) -> None:
        """Drop what is remembered about a workspace that removed the app."""
        self._answers.forget_team(team_id)


def _administers(user: dict[str, object], team_id: str) -> bool:
    if user.get("deleted") is True:
        return False
    # Someone from another organisation (Slack Connect) may administer their own workspace,
    # never this one.
    home = user.get("team_id")
    if isinstance(home, str) and home and team_id and home != team_id:
        return False
    return any(user.get(flag) is True for flag in ("is_admin", "is_owner", "is_primary_owner"))
