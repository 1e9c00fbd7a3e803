"""Uninstalls that take data with them: an Enterprise Grid organization removing an org-wide
install, revoking its tokens or some workspaces' access; and signed requests Bolt cannot read.

Against the fake Slack API, with signed requests, on a migrated database (SQLite always,
PostgreSQL when configured).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.hosting import Shared
from adapters.slack.oauth import oauth_stores
from adapters.slack.web import UNREADABLE_BODY
from bounceback.cli import slack_config
from bounceback.settings import Settings
from storage.database import create_engine
from storage.organizations import SqlOrganizations
from storage.sql import SqlStore
from tests.slack.conftest import MakeSlack
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import (
    CLIENT_ID,
    Answer,
    FakeDedupe,
    FakeHandler,
    Harness,
    RecordingRemoval,
)

ORG = "E1"

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The migrated database, without Slack rows left by other tests (PostgreSQL is shared)."""
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        for table in ("slack_installations", "slack_bots", "slack_oauth_states"):
            await connection.execute(text(f"DELETE FROM {table}"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def store(db: AsyncEngine) -> AsyncSQLAlchemyInstallationStore:
    installations, _ = await oauth_stores(db, CLIENT_ID)
    return installations


@pytest.fixture
def organizations(db: AsyncEngine) -> SqlOrganizations:
    return SqlOrganizations(db)


class DeletingRemoval(RecordingRemoval):
    """The real storage hook (``SqlStore.delete_community``), recording what it was given."""

    def __init__(self, db: AsyncEngine) -> None:
        super().__init__()
        self._store = SqlStore(db)

    async def __call__(self, platform: str, community: str) -> None:
        await super().__call__(platform, community)
        await self._store.delete_community(platform, community)


@pytest.fixture
def removal(db: AsyncEngine) -> DeletingRemoval:
    return DeletingRemoval(db)


@pytest.fixture
async def grid(
    oauth_settings: Settings,
    db: AsyncEngine,
    store: AsyncSQLAlchemyInstallationStore,
    organizations: SqlOrganizations,
    make_slack: MakeSlack,
) -> Harness:
    """The multi-workspace adapter with the organization installed org-wide."""
    _, states = await oauth_stores(db, CLIENT_ID)
    await store.async_save(
        Installation(
            app_id="A1",
            enterprise_id=ORG,
            team_id=None,
            user_id="UADMIN",
            bot_token="xoxb-org-E1",
            bot_id="BORG",
            bot_user_id="UBOTORG",
            is_enterprise_install=True,
        )
    )
    return await make_slack(
        config=slack_config(oauth_settings),
        installation_store=store,
        state_store=states,
        organizations=organizations,
    )


async def command_from(slack: Harness, team: str, *, org_wide: bool = True) -> Answer:
    """/rejected typed in workspace ``team`` of the organization."""
    form = {
        "team_id": team,
        "enterprise_id": ORG,
        "is_enterprise_install": "true" if org_wide else "false",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "ana",
        "command": "/rejected",
        "text": "",
        "api_app_id": "A1",
        "response_url": slack.response_url,
        "trigger_id": "trigger-1",
    }
    return await slack.send(urlencode(form).encode(), "application/x-www-form-urlencoded")


async def org_event(
    slack: Harness, event: Mapping[str, Any], *, event_id: str = "EvOrg1"
) -> Answer:
    """An Events API callback for the org-wide install: an enterprise id, no workspace."""
    body = {
        "enterprise_id": ORG,
        "team_id": None,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(slack.clock().timestamp()),
        "authorizations": [
            {
                "enterprise_id": ORG,
                "team_id": None,
                "user_id": "UBOTORG",
                "is_bot": True,
                "is_enterprise_install": True,
            }
        ],
        "event": dict(event),
    }
    return await slack.send(json.dumps(body).encode(), "application/json")


async def org_installed(store: AsyncSQLAlchemyInstallationStore) -> bool:
    found = await store.async_find_installation(
        enterprise_id=ORG, team_id=None, is_enterprise_install=True
    )
    return (
        found is not None
        and await store.async_find_bot(enterprise_id=ORG, team_id=None, is_enterprise_install=True)
        is not None
    )


async def seen_in(slack: Harness, teams: Sequence[str]) -> None:
    """People of ``teams`` use the bot through the org-wide install."""
    for team in teams:
        assert (await command_from(slack, team)).status == 200
    await slack.bot.drain()


async def test_an_organization_uninstall_erases_every_workspace_it_reached(
    grid: Harness,
    store: AsyncSQLAlchemyInstallationStore,
    organizations: SqlOrganizations,
    removal: RecordingRemoval,
    handler: FakeHandler,
) -> None:
    await seen_in(grid, ["T5", "T6", "T5"])
    assert len(handler.received) == 3  # the org-wide token answered them
    assert await organizations.members("slack", ORG) == ["T5", "T6"]
    assert await org_installed(store)

    answer = await org_event(grid, {"type": "app_uninstalled"})
    await grid.bot.drain()

    assert answer.status == 200
    assert sorted(removal.removed) == [("slack", "T5"), ("slack", "T6")]
    assert not await org_installed(store)
    assert await organizations.members("slack", ORG) == []


async def test_a_retried_uninstall_erases_once(grid: Harness, removal: RecordingRemoval) -> None:
    await seen_in(grid, ["T5"])
    await org_event(grid, {"type": "app_uninstalled"}, event_id="EvSame")
    await org_event(grid, {"type": "app_uninstalled"}, event_id="EvSame")
    await grid.bot.drain()
    assert removal.removed == [("slack", "T5")]


async def test_revoking_the_organizations_bot_token_erases_too(
    grid: Harness, store: AsyncSQLAlchemyInstallationStore, removal: RecordingRemoval
) -> None:
    await seen_in(grid, ["T5"])
    await org_event(grid, {"type": "tokens_revoked", "tokens": {"oauth": ["U7"], "bot": []}})
    await grid.bot.drain()
    assert removal.removed == []  # only a person's user token: nothing of the org goes
    assert await org_installed(store)

    await org_event(
        grid, {"type": "tokens_revoked", "tokens": {"bot": ["UBOTORG"]}}, event_id="EvOrg2"
    )
    await grid.bot.drain()
    assert removal.removed == [("slack", "T5")]
    assert not await org_installed(store)


async def test_workspaces_cut_off_from_the_organizations_app_lose_their_data(
    grid: Harness,
    store: AsyncSQLAlchemyInstallationStore,
    organizations: SqlOrganizations,
    removal: RecordingRemoval,
) -> None:
    await seen_in(grid, ["T5", "T6"])

    await org_event(grid, {"type": "team_access_revoked", "team_ids": ["T6", "T8"]})
    await grid.bot.drain()

    assert removal.removed == [("slack", "T6"), ("slack", "T8")]
    assert await org_installed(store)  # the rest of the organization keeps the app
    assert await organizations.members("slack", ORG) == ["T5"]


async def test_a_workspace_with_its_own_install_is_not_the_organizations(
    grid: Harness, organizations: SqlOrganizations, removal: RecordingRemoval
) -> None:
    await store_workspace_install(grid)
    await command_from(grid, "T7", org_wide=False)
    await grid.bot.drain()
    assert await organizations.members("slack", ORG) == []

    await org_event(grid, {"type": "app_uninstalled"})
    await grid.bot.drain()
    assert removal.removed == []


async def store_workspace_install(grid: Harness) -> None:
    """T7, in the organization, installed the app for itself."""
    assert grid.bot.bolt.installation_store is not None
    await grid.bot.bolt.installation_store.async_save(
        Installation(
            app_id="A1",
            enterprise_id=ORG,
            team_id="T7",
            user_id="UADMIN7",
            bot_token="xoxb-T7",
            bot_id="B7",
            bot_user_id="UBOT7",
        )
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"type": "event_callback", "event": {"text": "Private words', "application/json"),
        (b'["Private words"]', "application/json"),
        (b"payload=%7BPrivate+words", "application/x-www-form-urlencoded"),
    ],
    ids=["truncated json", "json array", "form with broken payload"],
)
async def test_a_signed_but_unreadable_body_is_a_400_and_one_line(
    slack: Harness,
    handler: FakeHandler,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
) -> None:
    with caplog.at_level(logging.DEBUG):
        answer = await slack.send(body, content_type)
        await slack.bot.drain()

    assert answer.status == 400
    assert handler.received == []
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in problems] == [UNREADABLE_BODY]
    assert "Private words" not in caplog.text
    assert "Traceback" not in caplog.text


def workspace_install(team: str) -> Installation:
    """A workspace's own install of the app (not the organization's)."""
    return Installation(
        app_id="A1",
        enterprise_id=None,
        team_id=team,
        user_id="UADMIN",
        bot_token=f"xoxb-{team}",
        bot_id=f"B{team}",
        bot_user_id=f"UBOT{team}",
    )


async def test_an_uninstall_missed_while_bounceback_was_down_is_found_on_the_check(
    grid: Harness,
    store: AsyncSQLAlchemyInstallationStore,
    organizations: SqlOrganizations,
    removal: RecordingRemoval,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await seen_in(grid, ["T5"])  # through the organization's install
    for team in ("T1", "T2", "T3"):
        await store.async_save(workspace_install(team))
    # While Bounceback was down, T2 and the organization removed the app (their events went
    # unanswered); T3's token no longer checks out, for a reason Slack does not say.
    fake_slack.token_errors.update(
        {"xoxb-T2": "token_revoked", "xoxb-org-E1": "account_inactive", "xoxb-T3": "invalid_auth"}
    )

    with caplog.at_level(logging.INFO, logger="bounceback.slack"):
        assert await grid.bot.check_installs() == 2

    assert sorted(removal.removed) == [("slack", "T2"), ("slack", "T5")]
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None
    assert not await org_installed(store)
    assert await organizations.members("slack", ORG) == []
    for team in ("T1", "T3"):  # still installed: an unclear answer changes nothing
        assert await store.async_find_bot(enterprise_id=None, team_id=team) is not None
    assert "(invalid_auth)" in caplog.text and "xoxb-" not in caplog.text
    asked = {call.token for call in fake_slack.calls_to("auth.test")}
    assert {"xoxb-T1", "xoxb-T2", "xoxb-T3", "xoxb-org-E1"} <= asked
    assert await grid.bot.check_installs() == 0  # the next round: nothing more goes


async def test_one_workspace_by_its_configured_token_has_nothing_installed_to_check(
    slack: Harness, fake_slack: FakeSlack
) -> None:
    before = len(fake_slack.calls_to("auth.test"))
    assert await slack.bot.check_installs() == 0
    assert len(fake_slack.calls_to("auth.test")) == before


class RefusingRemoval(RecordingRemoval):
    """A removal hook whose database refuses one workspace's erasure."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    async def __call__(self, platform: str, community: str) -> None:
        if community == self.refused:
            raise ConnectionRefusedError("the database is away")
        await super().__call__(platform, community)


async def test_one_erasure_refused_leaves_the_next_installs_checked(
    oauth_settings: Settings,
    db: AsyncEngine,
    store: AsyncSQLAlchemyInstallationStore,
    make_slack: MakeSlack,
    dedupe: FakeDedupe,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, states = await oauth_stores(db, CLIENT_ID)
    for team in ("T2", "T4"):
        await store.async_save(workspace_install(team))
        fake_slack.token_errors[f"xoxb-{team}"] = "token_revoked"
    refusing = RefusingRemoval("T2")
    slack = await make_slack(
        config=slack_config(oauth_settings),
        installation_store=store,
        state_store=states,
        shared=Shared(dedupe=dedupe, on_community_removed=refusing),
    )
    with caplog.at_level(logging.WARNING, logger="bounceback.slack"):
        assert await slack.bot.check_installs() == 1
    assert refusing.removed == [("slack", "T4")]
    assert "erasing T2 failed: ConnectionRefusedError" in caplog.text
    assert "away" not in caplog.text
