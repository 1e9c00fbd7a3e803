"""A community that removed the bot while Bounceback was down is found missing when the bot
connects, and erased once it has stayed missing for the grace period; one seen again keeps
its data, and a bot found in none of the kept communities (a wrong token) marks nothing. On
SQLite and PostgreSQL, on the store ``bounceback run`` wires."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from bot.removals import ABSENT_GRACE, Removals
from bounceback.bootstrap import Services, open_services
from bounceback.settings import Settings
from storage.tables import communities, people, removals

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
GONE = Sender("discord", "1001", "42", "Ada")
KEPT = Sender("discord", "1002", "43", "Bo")
IN_A_DM = Sender("discord", "dm", "44", "Cy")  # no server: never in a server's list
ON_SLACK = Sender("slack", "T1", "U1", "Di")


class Clock:
    """The removals' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


async def _count(db: AsyncEngine, table: Table, community: str) -> int:
    statement = select(func.count()).select_from(table).where(table.c.community == community)
    async with db.connect() as connection:
        return int(await connection.scalar(statement) or 0)


async def _seed(services: Services) -> None:
    for member in (GONE, KEPT, IN_A_DM, ON_SLACK):
        await services.store.person(member, "UTC", NOW)


@dataclass
class Kept:
    """The wired services, with the four members seeded, and removals on a movable clock."""

    services: Services
    clock: Clock
    absences: Removals


@pytest.fixture
async def kept(database_url: str) -> AsyncIterator[Kept]:
    """Four members (two servers, a DM, Slack) through ``open_services`` on each database."""
    settings = Settings.from_mapping({"DATABASE_URL": database_url})
    clock = Clock()
    async with open_services(settings) as services:
        await _seed(services)
        yield Kept(services, clock, Removals(services.store, clock))


def _servers(community: str) -> bool:
    """What a Discord list of servers speaks for: servers, not DMs."""
    return community.isdigit()


async def test_a_server_missing_when_the_bot_connects_goes_after_the_grace_and_only_it(
    kept: Kept, db: AsyncEngine
) -> None:
    absences, clock = kept.absences, kept.clock
    async with db.begin() as connection:  # its settings are kept too
        await connection.execute(
            communities.insert().values(
                platform="discord", community=GONE.community, timezone="UTC", created_at=NOW
            )
        )
    # Discord lists the other server and one Bounceback keeps nothing about.
    assert await absences.seen("discord", {KEPT.community, "9999"}, _servers) == 1
    assert await absences.finish() == 0
    clock.now = NOW + ABSENT_GRACE - SECOND
    assert await absences.finish() == 0
    assert await _count(db, people, GONE.community) == 1

    clock.now = NOW + ABSENT_GRACE
    assert await absences.finish() == 1
    assert await _count(db, people, GONE.community) == 0
    assert await _count(db, communities, GONE.community) == 0
    assert await _count(db, removals, GONE.community) == 0  # the note went with the data
    for member in (KEPT, IN_A_DM, ON_SLACK):
        assert await _count(db, people, member.community) == 1


async def test_a_server_seen_again_within_the_grace_keeps_its_data(
    kept: Kept, db: AsyncEngine
) -> None:
    absences, clock = kept.absences, kept.clock
    assert await absences.seen("discord", {KEPT.community}, _servers) == 1
    # The bot joins it again (discord.py's guild_join): its list holds that one server.
    back = await absences.seen("discord", {GONE.community}, lambda c: c == GONE.community)
    assert back == 0
    clock.now = NOW + 2 * ABSENT_GRACE
    assert await absences.finish() == 0
    assert await _count(db, people, GONE.community) == 1


async def test_a_bot_in_none_of_the_kept_servers_marks_nothing(
    kept: Kept, db: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    absences, clock = kept.absences, kept.clock
    with caplog.at_level(logging.ERROR):
        assert await absences.seen("discord", {"5555", "6666"}, _servers) == 0
    assert "right application" in caplog.text
    clock.now = NOW + 2 * ABSENT_GRACE
    assert await absences.finish() == 0
    for member in (GONE, KEPT):
        assert await _count(db, people, member.community) == 1


async def test_only_the_servers_the_list_speaks_for_can_be_missing(
    kept: Kept, db: AsyncEngine
) -> None:
    absences, clock = kept.absences, kept.clock
    # A connection for KEPT's shard only: GONE is on another shard, not in this list.
    assert await absences.seen("discord", {KEPT.community}, lambda c: c == KEPT.community) == 0
    clock.now = NOW + ABSENT_GRACE
    assert await absences.finish() == 0
    assert await _count(db, people, GONE.community) == 1


async def test_an_announced_removal_is_not_undone_by_a_return_and_needs_no_grace(
    kept: Kept, db: AsyncEngine
) -> None:
    absences, services = kept.absences, kept.services
    assert await absences.seen("discord", {KEPT.community}, _servers) == 1
    # Then Discord says it (a GUILD_DELETE whose deletion failed), and the bot is
    # invited back before the clock's next round: what was there still goes.
    await services.store.owe_removal("discord", GONE.community, NOW)
    await absences.seen("discord", {GONE.community}, lambda c: c == GONE.community)
    assert await absences.finish() == 1
    assert await _count(db, people, GONE.community) == 0


async def test_the_wiring_hands_adapters_the_comparison(kept: Kept) -> None:
    services = kept.services
    seen = services.shared.on_communities_seen
    assert seen is not None
    assert await seen("discord", {KEPT.community}, _servers) == 1
    # Due once the grace has passed, on the clock's rounds (which ask with now - grace).
    now = dt.datetime.now(dt.UTC)
    assert await services.store.owed_removals(now - ABSENT_GRACE) == []
    assert await services.store.owed_removals(now + SECOND) == [("discord", GONE.community)]
