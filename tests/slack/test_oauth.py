"""Multi-workspace mode: the OAuth install flow, per-workspace tokens and uninstalling."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore

from adapters.slack.config import ConfigurationError
from adapters.slack.oauth import BOT_SCOPES, oauth_stores
from bot.errors import PermanentDeliveryError
from bot.events import Sender
from bot.replies import Field, Form, Reply
from bounceback.cli import slack_config
from bounceback.settings import Settings
from storage.database import create_engine
from tests.conftest import prepare
from tests.slack.conftest import MakeSlack
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import (
    CLIENT_ID,
    SIGNING_SECRET,
    FakeHandler,
    Harness,
    RecordingRemoval,
)

# slack_sdk's oauth.v2.access still uses aiohttp.BasicAuth, which aiohttp 3.14 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[AsyncSQLAlchemyInstallationStore]:
    # Slack's tables come from Bounceback's migrations, like every other table.
    db = create_engine(await prepare(f"sqlite:///{tmp_path}/oauth.db"))
    installations, _ = await oauth_stores(db, CLIENT_ID)
    yield installations
    await db.dispose()


@pytest.fixture
async def multi(
    oauth_settings: Settings, store: AsyncSQLAlchemyInstallationStore, make_slack: MakeSlack
) -> Harness:
    _, states = await oauth_stores(store.engine, CLIENT_ID)
    return await make_slack(
        config=slack_config(oauth_settings), installation_store=store, state_store=states
    )


async def install(multi: Harness) -> None:
    """Walk the install flow like an admin's browser would."""
    page = await multi.get("/slack/install")
    assert page.status == 200
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', page.text)
    assert link is not None
    query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == [",".join(BOT_SCOPES)]
    state = query["state"][0]
    cookie = page.headers["Set-Cookie"].split(";")[0]
    done = await multi.get(f"/slack/oauth_redirect?code=code-1&state={state}", {"Cookie": cookie})
    assert done.status == 200


async def test_install_flow_stores_the_workspace_token(
    multi: Harness, fake_slack: FakeSlack, store: AsyncSQLAlchemyInstallationStore
) -> None:
    await install(multi)
    [exchange] = fake_slack.calls_to("oauth.v2.access")
    assert exchange.args["code"] == "code-1"
    bot = await store.async_find_bot(enterprise_id=None, team_id="T9")
    assert bot is not None
    assert bot.bot_token == "xoxb-installed-T9"


async def test_a_forged_state_installs_nothing(
    multi: Harness, fake_slack: FakeSlack, store: AsyncSQLAlchemyInstallationStore
) -> None:
    answer = await multi.get(
        "/slack/oauth_redirect?code=c&state=forged", {"Cookie": "slack-app-oauth-state=forged"}
    )
    assert answer.status in (400, 401)
    assert fake_slack.calls_to("oauth.v2.access") == []
    assert await store.async_find_bot(enterprise_id=None, team_id="T9") is None


async def test_each_workspace_is_answered_with_its_own_token(
    multi: Harness, fake_slack: FakeSlack, handler: FakeHandler
) -> None:
    await install(multi)
    handler.script = lambda event: [Reply(form=Form("f", "F", (Field("a", "A"),)))]
    await multi.command("rejected", team="T9")
    await multi.bot.drain()
    [opened] = fake_slack.calls_to("views.open")
    assert opened.token == "xoxb-installed-T9"

    stranger = await multi.command("rejected", team="T7")  # never installed
    await multi.bot.drain()
    assert stranger.status == 200
    assert len(handler.received) == 1


async def test_messenger_uses_the_installed_token(multi: Harness, fake_slack: FakeSlack) -> None:
    await install(multi)
    await multi.bot.messenger.deliver(Sender("slack", "T9", "U1"), [Reply(text="hi")], "k")
    [post] = fake_slack.calls_to("chat.postMessage")
    assert post.token == "xoxb-installed-T9"
    with pytest.raises(PermanentDeliveryError):
        await multi.bot.messenger.deliver(Sender("slack", "T7", "U1"), [Reply(text="hi")], "k")


async def test_uninstall_forgets_tokens_and_people(
    multi: Harness, store: AsyncSQLAlchemyInstallationStore, removal: RecordingRemoval
) -> None:
    await install(multi)
    answer = await multi.event({"type": "app_uninstalled"}, team="T9", event_id="EvGone")
    assert answer.status == 200
    await multi.bot.drain()
    assert await store.async_find_bot(enterprise_id=None, team_id="T9") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T9") is None
    assert removal.removed == [("slack", "T9")]


async def test_oauth_needs_its_stores(oauth_settings: Settings, make_slack: MakeSlack) -> None:
    with pytest.raises(ConfigurationError):
        await make_slack(config=slack_config(oauth_settings))


async def test_some_token_is_needed(make_slack: MakeSlack) -> None:
    settings = Settings.from_mapping({"SLACK_SIGNING_SECRET": SIGNING_SECRET})
    with pytest.raises(ConfigurationError, match="SLACK_BOT_TOKEN"):
        await make_slack(config=slack_config(settings))
