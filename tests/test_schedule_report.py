"""``bounceback schedule`` shows people by their names, never by what is stored sealed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from bot.schedule import Slot
from bot.writes import NewPlanned
from bounceback.schedule_report import print_schedule
from storage.crypto import Cipher
from storage.sql import SqlStore

KEY = Cipher.new_key()
SAM = Sender("slack", "T1", "U1", "Quokka Sam")


async def report(db: AsyncEngine, cipher: Cipher | None) -> str:
    """The schedule of one person, whose name was sealed with ``KEY``, read with ``cipher``."""
    store = SqlStore(db, Cipher([KEY]))
    now = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
    person = await store.person(SAM, "UTC", now)
    due = now + dt.timedelta(days=1)
    weekly = NewPlanned(person.id, "slack", "weekly", Slot(due, due.replace(tzinfo=None), "UTC"))
    await store.add_planned(weekly, now)
    out = io.StringIO()
    assert await print_schedule(db, None, out, cipher) == 1
    return out.getvalue()


async def test_names_are_shown_opened_with_the_key(db: AsyncEngine) -> None:
    shown = await report(db, Cipher([KEY]))
    assert "slack/T1/U1 (Quokka Sam)  UTC  [active]" in shown


@pytest.mark.parametrize("cipher", [None, Cipher([Cipher.new_key()])], ids=["no key", "other key"])
async def test_a_name_that_cannot_be_opened_is_left_out(
    db: AsyncEngine, cipher: Cipher | None
) -> None:
    shown = await report(db, cipher)
    assert "slack/T1/U1  UTC  [active]" in shown
    assert "Quokka" not in shown
    assert "(" not in shown  # no sealed text in its place either
