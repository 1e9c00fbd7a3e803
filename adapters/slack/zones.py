"""Each person's time zone from their Slack profile (``users.info``'s ``tz``).

Looked up once when someone first talks to this process, then kept: a change arrives as a
``user_change`` event (see :func:`adapters.slack.translate.profile_change`), and a day-old
answer is asked again in case one was missed. A failed lookup says nothing (the engine keeps
what it has) and is asked again a few minutes later, not on every event.
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
from bot.events import Event

CACHE_SECONDS = 24 * 3600.0
FAILURE_SECONDS = 600.0
CACHE_SIZE = 50_000
# users.info runs before the engine: never let it hold a form's answer for long.
LOOKUP_SECONDS = 1.0

Clock = Callable[[], dt.datetime]


class ZoneLookup:
    """Fills ``Sender.timezone`` from the person's Slack profile."""

    def __init__(self, *, clock: Clock, ttl: float = CACHE_SECONDS) -> None:
        self._clock = clock
        self._ttl = dt.timedelta(seconds=ttl)
        self._zones: Remembered[str] = Remembered(CACHE_SIZE)

    async def mark(self, event: Event, client: AsyncWebClient) -> Event:
        """``event`` with the sender's Slack time zone, when Slack gives one."""
        sender = event.sender
        if sender.timezone or not sender.user_id:
            return event
        zone = await self.zone(client, sender.community, sender.user_id)
        if not zone:
            return event
        return dataclasses.replace(event, sender=dataclasses.replace(sender, timezone=zone))

    async def zone(self, client: AsyncWebClient, team_id: str, user_id: str) -> str:
        """The person's IANA zone from Slack, or "" if Slack could not say."""
        cached = self._zones.get((team_id, user_id), self._clock())
        if cached is not None:
            return cached[0]
        asking = self._zones.ask((team_id, user_id), lambda: self._look_up(client, user_id))
        try:
            user = await asyncio.wait_for(asyncio.shield(asking), LOOKUP_SECONDS)
        except TimeoutError:
            log.warning("slack time zone lookup is slow; going on without it")
            return ""
        return self.saw(team_id, user_id, user)

    def saw(self, team_id: str, user_id: str, user: Mapping[str, object] | None) -> str:
        """Keep the zone of a users.info answer (None: Slack could not say); returns it."""
        zone = user.get("tz") if user is not None else ""
        zone = zone if isinstance(zone, str) else ""
        self.remember(team_id, user_id, zone, failed=user is None)
        return zone

    def remember(self, team_id: str, user_id: str, zone: str, *, failed: bool = False) -> None:
        """Keep a zone Slack told us (a lookup, or a ``user_change`` event)."""
        ttl = dt.timedelta(seconds=FAILURE_SECONDS) if failed else self._ttl
        self._zones.keep((team_id, user_id), zone, self._clock() + ttl)

    def forget_team(self, team_id: str) -> None:
        """Drop what is remembered about a workspace that removed the app."""
        self._zones.forget_team(team_id)

    @staticmethod
    async def _look_up(client: AsyncWebClient, user_id: str) -> dict[str, object] | None:
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as error:
            log.warning(
                "slack time zone lookup failed: users.info returned %s", api_error_code(error)
            )
            return None
        except Exception as error:  # a dropped connection, or Slack answering oddly
            log.warning("slack time zone lookup failed: %s", type(error).__name__)
            return None
        user = response.get("user")
        return user if isinstance(user, dict) else {}
