"""Long administrative commands say how far they got: ``bounceback db upgrade`` each migration
as it is done, ``bounceback db rotate-key`` each table's rows as they are re-encrypted."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.engine import Engine
from storage.crypto import Cipher
from storage.privacy import reseal
from storage.sql import SqlStore
from tests.test_cli import bounceback
from tests.test_privacy import ALEX, fill


def test_a_first_upgrade_shows_each_migration_then_nothing_is_left(tmp_path: Path) -> None:
    first = bounceback(tmp_path, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].endswith("migration(s) to apply")
    steps = [line for line in lines if line.startswith("applied ")]
    assert steps[0].startswith("applied 0001 (1 of ") and len(steps) == int(lines[0].split()[0])
    assert lines[-1] == f"database upgraded ({len(steps)} step(s))"

    again = bounceback(tmp_path, "db", "upgrade")
    assert again.stdout.splitlines() == ["database is up to date"]


def test_rotate_key_shows_every_table_it_reseals(tmp_path: Path) -> None:
    key = bounceback(tmp_path, "db", "new-key").stdout.strip()
    result = bounceback(tmp_path, "db", "rotate-key", BOUNCEBACK_ENCRYPTION_KEY=key)
    assert result.returncode == 0, result.stderr
    assert "re-encrypting people: 0 of 0 row(s)" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == "re-encrypted 0 stored text value(s)"


async def test_reseal_reports_rows_as_it_goes(db: AsyncEngine) -> None:
    await fill(Engine(SqlStore(db), Content.load()))
    await fill(Engine(SqlStore(db), Content.load()), ALEX)
    heard: list[tuple[str, int, int]] = []

    changed = await reseal(db, Cipher([Cipher.new_key()]), lambda *seen: heard.append(seen), 1)

    assert changed > 0
    people = [seen for seen in heard if seen[0] == "people"]
    assert people == [("people", 1, 2), ("people", 2, 2)]  # row by row, then the table's end
    assert {table for table, _, _ in heard} >= {"people", "wins", "rejections", "moods"}
