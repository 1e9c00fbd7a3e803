"""``bounceback db forget``: an operator erases one community's data, after saying what would
go; bad words change nothing and get one clear line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.events import Sender
from bounceback.bootstrap import open_services
from bounceback.settings import Settings
from storage.tables import people, removals
from tests.test_cli import bounceback, one_clear_line

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
GONE = Sender("discord", "1001", "42", "Ada")
KEPT = Sender("discord", "1002", "42", "Ada")


async def _seeded(tmp_path: Path) -> Settings:
    """The database the command will use, with a member in each of two servers."""
    settings = Settings.from_mapping({"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"})
    async with open_services(settings) as services:
        for member in (GONE, KEPT):
            await services.store.person(member, "UTC", NOW)
    return settings


async def _members(settings: Settings) -> dict[str, int]:
    async with open_services(settings) as services, services.db.connect() as connection:
        rows = await connection.execute(
            select(people.c.community, func.count()).group_by(people.c.community)
        )
        notes = await connection.scalar(select(func.count()).select_from(removals))
        assert notes == 0  # nothing left owed, nothing noted by a refusal
        return {community: count for community, count in rows}


async def test_forget_says_what_would_go_then_erases_it_with_yes(tmp_path: Path) -> None:
    settings = await _seeded(tmp_path)

    asked = bounceback(tmp_path, "db", "forget", "discord", GONE.community)
    assert asked.returncode == 1
    assert "1 member(s)" in asked.stdout and "--yes" in asked.stdout
    assert await _members(settings) == {GONE.community: 1, KEPT.community: 1}

    done = bounceback(tmp_path, "db", "forget", "discord", GONE.community, "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        f"erased discord community {GONE.community}: 1 member(s) and everything kept about them"
    )
    assert await _members(settings) == {KEPT.community: 1}

    again = bounceback(tmp_path, "db", "forget", "discord", GONE.community, "--yes")
    assert again.returncode == 0
    assert (
        again.stdout.splitlines()[-1] == f"nothing is kept about discord community {GONE.community}"
    )


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (["forget", "discord"], "name a platform and a community"),
        (["forget", "teams", "1001", "--yes"], "the platform is one of slack, discord, console"),
        (["forget", "discord", " ", "--yes"], "name the community"),
        (["upgrade", "discord"], "db upgrade takes no more arguments"),
        (["rotate-key", "--yes"], "db rotate-key takes no more arguments"),
    ],
)
async def test_bad_words_change_nothing_and_get_one_line(
    tmp_path: Path, words: list[str], says: str
) -> None:
    settings = await _seeded(tmp_path)
    result = bounceback(tmp_path, "db", *words)
    assert result.returncode == 2
    assert says in one_clear_line(result.stderr)
    assert await _members(settings) == {GONE.community: 1, KEPT.community: 1}
