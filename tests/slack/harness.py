"""Signed Slack requests and small fakes for the adapter's tests.

The harness runs the adapter's real aiohttp app on loopback and sends it requests signed the
way Slack signs them, so every test goes through signature checks, Bolt and the listeners.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp

from adapters.slack.app import SlackBot
from bot.events import Command, Event, Sender
from bot.home_view import HomeView
from bot.replies import Reply
from tests.loopback import Loopback

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-bot-token-T1"
CLIENT_ID = "111.222"  # an app installed through the OAuth flow
NOW = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass(frozen=True)
class FakeCommandInfo:
    name: str
    description: str
    usage: str


Script = Callable[[Event], Sequence[Reply]]


class FakeHandler:
    """Stands in for the engine: records events and answers with a script."""

    commands = (FakeCommandInfo("rejected", "Log a rejection", "/rejected [company]"),)

    def __init__(self, script: Script | None = None) -> None:
        self.events: list[tuple[Event, dt.datetime]] = []
        self.script: Script = script or self._echo
        self.gate: Any = None  # an asyncio.Event to hold answers back, when set
        self.zones: list[Sender] = []  # time zone changes heard (user_change)

    @staticmethod
    def _echo(event: Event) -> Sequence[Reply]:
        if isinstance(event, Command):
            return [Reply(text=f"got /{event.name} {event.text}")]
        return [Reply(text=f"got {type(event).__name__}")]

    async def handle(self, event: Event, now: dt.datetime) -> list[Reply]:
        self.events.append((event, now))
        if self.gate is not None:
            await self.gate.wait()
        return list(self.script(event))

    async def follow_zone(self, sender: Sender, now: dt.datetime) -> None:
        self.zones.append(sender)

    async def home(self, sender: Sender, now: dt.datetime) -> HomeView:
        return HomeView(heading="Home", intro=f"for {sender.user_id}", sections=())

    @property
    def received(self) -> list[Event]:
        return [event for event, _ in self.events]


class FakeDedupe:
    """The durable event log, in memory."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.asked: list[str] = []

    async def first_time(self, key: str, now: dt.datetime) -> bool:
        self.asked.append(key)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class RecordingRemoval:
    """The storage's community-removal hook, recording what it was asked to delete."""

    def __init__(self) -> None:
        self.removed: list[tuple[str, str]] = []

    async def __call__(self, platform: str, community: str) -> None:
        self.removed.append((platform, community))


class RecordingSleep:
    """``asyncio.sleep`` that records how long it was asked to wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's signature headers for ``body`` sent at ``timestamp``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Answer:
    """The adapter's HTTP response to one request."""

    status: int
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


class Harness:
    """The adapter served on loopback, and a client that talks to it like Slack does."""

    def __init__(self, bot: SlackBot, clock: FixedClock, response_url: str) -> None:
        self.bot = bot
        self.clock = clock
        self.response_url = response_url
        self._loopback = Loopback()
        self._session: aiohttp.ClientSession | None = None
        self.base = ""

    async def start(self) -> None:
        self.base = f"http://127.0.0.1:{await self._loopback.serve(self.bot.web_app())}"
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        await self.bot.aclose(1.0)
        if self._session is not None:
            await self._session.close()
        await self._loopback.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None
        return self._session

    async def send(
        self,
        body: bytes,
        content_type: str,
        *,
        headers: Mapping[str, str] | None = None,
        signed: bool = True,
        age: float = 0,
    ) -> Answer:
        """POST ``body`` to /slack/events, signed as of ``age`` seconds ago unless told not."""
        sent = dict(headers or {})
        if signed:
            sent = {**sign(body, int(self.clock().timestamp() - age)), **sent}
        sent["Content-Type"] = content_type
        async with self.session.post(f"{self.base}/slack/events", data=body, headers=sent) as r:
            return Answer(r.status, await r.text(), dict(r.headers))

    async def get(self, path: str, headers: Mapping[str, str] | None = None) -> Answer:
        async with self.session.get(
            f"{self.base}{path}", headers=headers, allow_redirects=False
        ) as r:
            return Answer(r.status, await r.text(), dict(r.headers))

    async def command(
        self,
        name: str,
        text: str = "",
        *,
        team: str = "T1",
        user: str = "U1",
        channel: str = "C1",
        channel_name: str = "general",
        **headers: str,
    ) -> Answer:
        form = {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": "ana",
            "command": f"/{name}",
            "text": text,
            "api_app_id": "A1",
            "response_url": self.response_url,
            "trigger_id": "trigger-1",
        }
        return await self.send(
            urlencode(form).encode(), "application/x-www-form-urlencoded", headers=headers
        )

    async def interaction(self, payload: Mapping[str, Any]) -> Answer:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.send(body, "application/x-www-form-urlencoded")

    async def press(
        self,
        action_id: str,
        value: str = "",
        *,
        channel: str = "DU1",
        ephemeral: bool = False,
        team: str = "T1",
        label: str = "Yes",
        user: str = "U1",
    ) -> Answer:
        action: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "block_id": "b1",
            "text": {"type": "plain_text", "text": label},
            "action_ts": "1.2",
        }
        if value:
            action["value"] = value
        container: dict[str, Any] = {"type": "message", "channel_id": channel}
        if ephemeral:
            container["is_ephemeral"] = True
        else:
            container["message_ts"] = "1.000100"
        return await self.interaction(
            {
                **_interaction("block_actions", team, user, "trigger-2"),
                "channel": {"id": channel, "name": "directmessage"},
                "container": container,
                "response_url": self.response_url,
                "actions": [action],
            }
        )

    async def submit(
        self,
        callback_id: str,
        values: Mapping[str, Mapping[str, Any]],
        *,
        private_metadata: str = "",
        team: str = "T1",
        user: str = "U1",
    ) -> Answer:
        state = {name: {"value": dict(element)} for name, element in values.items()}
        return await self.interaction(
            {
                **_interaction("view_submission", team, user, "trigger-3"),
                "view": {
                    "id": "V1",
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": private_metadata,
                    "state": {"values": state},
                    "team_id": team,
                },
            }
        )

    async def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str = "Ev1",
        team: str = "T1",
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        body = {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(self.clock().timestamp()),
            "authorizations": [{"team_id": team, "user_id": "UBOT1", "is_bot": True}],
            "event": dict(event),
        }
        return await self.send(json.dumps(body).encode(), "application/json", headers=headers)

    async def dm(self, text: str, *, event_id: str = "Ev1", **extra: Any) -> Answer:
        event = {"type": "message", "channel_type": "im", "channel": "DU1", "user": "U1"}
        event.update(text=text, ts="2.000100", **extra)
        return await self.event(event, event_id=event_id)


@contextlib.asynccontextmanager
async def served(bot: SlackBot, clock: FixedClock, response_url: str) -> AsyncIterator[Harness]:
    """``bot`` served on loopback while the test runs, then closed."""
    harness = Harness(bot, clock, response_url)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


def _interaction(kind: str, team: str, user: str, trigger_id: str) -> dict[str, Any]:
    """What every interaction payload says about where it comes from."""
    return {
        "type": kind,
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": "ana", "name": "ana", "team_id": team},
        "api_app_id": "A1",
        "trigger_id": trigger_id,
    }
