"""``serve``: the real entry point, in HTTP mode and in Socket Mode, against the fake Slack."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest

from adapters.hosting import Lifecycle, Shared
from adapters.slack.config import ConfigurationError
from adapters.slack.server import serve
from bot.delivery_ports import Messenger
from bot.events import Command, Sender
from bounceback.cli import slack_config
from bounceback.settings import Settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import BOT_TOKEN, SIGNING_SECRET, FakeDedupe, FakeHandler, sign

# Bounded waits on things that happen promptly; never sleeps.
PROMPTLY = 5.0


@dataclass
class FakeStore:
    removed: list[tuple[str, str]] = field(default_factory=list)

    async def delete_community(self, platform: str, community: str) -> int:
        self.removed.append((platform, community))
        return 0


@dataclass
class FakeServices:
    """What bootstrap's Services offers, with fakes inside."""

    settings: Settings
    engine: FakeHandler = field(default_factory=FakeHandler)
    events: FakeDedupe = field(default_factory=FakeDedupe)
    store: FakeStore = field(default_factory=FakeStore)
    messengers: dict[str, Messenger] = field(default_factory=dict)

    def shared(self) -> Shared:
        """What the composition root hands every adapter, from these fakes."""
        return Shared(dedupe=self.events, on_community_removed=self.store.delete_community)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(services: FakeServices, port: int) -> AsyncIterator[None]:
    ready = asyncio.Event()
    task = asyncio.create_task(
        serve(
            slack_config(services.settings),
            engine=services.engine,
            shared=services.shared(),
            lifecycle=Lifecycle(
                register_messenger=lambda m: services.messengers.__setitem__(m.platform, m)
            ),
            port=port,
            host="127.0.0.1",
            ready=ready,
        )
    )
    try:
        await asyncio.wait_for(ready.wait(), PROMPTLY)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_http_mode(fake_slack: FakeSlack) -> None:
    settings = Settings.from_mapping(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
        }
    )
    services = FakeServices(settings)
    port = free_port()
    async with serving(services, port), aiohttp.ClientSession() as client:
        async with client.get(f"http://127.0.0.1:{port}/healthz") as health:
            assert health.status == 200
        body = b"command=%2Fprogress&team_id=T1&user_id=U1&user_name=ana&text=&response_url=" + (
            fake_slack.response_url().encode()
        )
        headers = {
            **sign(body, int(time.time())),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        async with client.post(
            f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
        ) as r:
            assert r.status == 200
        forged = {**headers, "X-Slack-Signature": "v0=" + "1" * 64}
        async with client.post(
            f"http://127.0.0.1:{port}/slack/events", data=body, headers=forged
        ) as r:
            assert r.status == 401
    assert services.engine.received == [Command(Sender("slack", "T1", "U1", "ana"), "progress")]
    assert len(fake_slack.calls_to("response_url")) == 1
    assert services.messengers["slack"].platform == "slack"


async def test_socket_mode(fake_slack: FakeSlack) -> None:
    settings = Settings.from_mapping(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": "xapp-1-test-app-token",
            "SLACK_API_URL": fake_slack.api_url,
        }
    )
    services = FakeServices(settings)
    command = {
        "command": "/brag",
        "text": "shipped it",
        "team_id": "T1",
        "user_id": "U1",
        "user_name": "ana",
        "channel_id": "C1",
        "response_url": fake_slack.response_url(),
        "trigger_id": "t",
    }
    async with serving(services, free_port()):
        [opened] = fake_slack.calls_to("apps.connections.open")
        assert opened.token == "xapp-1-test-app-token"
        await fake_slack.socket_outbox.put(
            {"envelope_id": "env-1", "type": "slash_commands", "payload": command,
             "accepts_response_payload": True}
        )  # fmt: skip
        acked = await asyncio.wait_for(fake_slack.socket_inbox.get(), PROMPTLY)
        assert acked["envelope_id"] == "env-1"
    # Stopping serve finishes the after-ack work, so the answer has gone out by now.
    assert len(fake_slack.calls_to("response_url")) == 1
    assert services.engine.received == [
        Command(Sender("slack", "T1", "U1", "ana"), "brag", "shipped it", channel="C1")
    ]


async def test_needs_a_way_to_hear_from_slack(fake_slack: FakeSlack) -> None:
    services = FakeServices(Settings.from_mapping({"SLACK_BOT_TOKEN": BOT_TOKEN}))
    with pytest.raises(ConfigurationError):
        await serve(
            slack_config(services.settings),
            engine=services.engine,
            shared=services.shared(),
            port=free_port(),
        )
