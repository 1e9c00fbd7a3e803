"""``serve``: the real entry point, in HTTP mode and in Socket Mode, against the fake Slack."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.hosting import Lifecycle, Shared
from adapters.slack.config import ConfigurationError
from adapters.slack.oauth import oauth_stores
from adapters.slack.server import serve
from bot.delivery_ports import Messenger
from bot.events import Command, Sender
from bounceback.cli import slack_config
from bounceback.settings import Settings
from storage.database import create_engine, upgrade
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import BOT_TOKEN, CLIENT_ID, SIGNING_SECRET, FakeDedupe, FakeHandler, sign

# Bounded waits on things that happen promptly; never sleeps.
PROMPTLY = 5.0


@dataclass
class FakeStore:
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def delete_community(self, platform: str, community: str) -> int:
        self.removed.append((platform, community))
        self.changed.set()
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
async def serving(
    services: FakeServices, port: int, db: AsyncEngine | None = None
) -> AsyncIterator[None]:
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
            db=db,
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


async def test_many_workspaces_check_their_installs_once_serving(
    fake_slack: FakeSlack, oauth_settings: Settings, tmp_path: Path
) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/s.db")
    try:
        await upgrade(db)
        installations, _ = await oauth_stores(db, CLIENT_ID)
        for team in ("T1", "T2"):
            await installations.async_save(
                Installation(app_id="A1", enterprise_id=None, team_id=team, user_id="UADMIN",
                             bot_token=f"xoxb-{team}", bot_id=f"B{team}", bot_user_id=f"U{team}")
            )  # fmt: skip
        # T2 removed the app while Bounceback was down.
        fake_slack.token_errors["xoxb-T2"] = "token_revoked"
        services = FakeServices(oauth_settings)
        async with serving(services, free_port(), db):
            await asyncio.wait_for(services.store.changed.wait(), PROMPTLY)
        assert services.store.removed == [("slack", "T2")]
        assert await installations.async_find_bot(enterprise_id=None, team_id="T2") is None
        assert await installations.async_find_bot(enterprise_id=None, team_id="T1") is not None
    finally:
        await db.dispose()
