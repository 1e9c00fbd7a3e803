"""Faults: the database away at start, lost mid-run, and bad input of every kind."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from adapters.console.render import render
from bot.content import Content
from bot.dispatcher import Dispatcher
from bot.engine import Engine
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.replies import Button, Reply
from storage.database import DatabaseUnavailable, create_engine, wait_for
from storage.outbox import SqlOutbox
from storage.sql import SqlStore
from tests.fakes import MemoryStore
from tests.scheduling.harness import RecordingMessenger

BIN = Path(sys.executable).parent / "bounceback"
SAM = Sender("console", "console", "sam", "Sam")
NOW = dt.datetime(2026, 7, 13, 7, 0, tzinfo=dt.UTC)


async def test_an_unreachable_database_at_start_is_one_clear_line_then_retries() -> None:
    env = {**os.environ, "DATABASE_URL": "postgresql://postgres:s3cret@127.0.0.1:1/test"}
    process = await asyncio.create_subprocess_exec(
        str(BIN), "console", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stderr is not None
    try:
        line = (await asyncio.wait_for(process.stderr.readline(), timeout=30)).decode()
        assert "cannot reach the PostgreSQL at 127.0.0.1:1/test" in line
        assert "retrying" in line
        assert "s3cret" not in line
        assert process.returncode is None  # still waiting for the database, not crashed
    finally:
        process.kill()
        _, rest = await process.communicate()
    assert b"Traceback" not in rest


async def test_waiting_backs_off_and_gives_up_only_when_told() -> None:
    db = create_engine("postgresql://postgres@127.0.0.1:1/test")
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    with pytest.raises(DatabaseUnavailable):
        await wait_for(db, sleep=pause, attempts=7, first_delay=1, longest_delay=8)
    await db.dispose()
    assert pauses == [1, 2, 4, 8, 8, 8]


@pytest.mark.postgres
async def test_a_database_lost_mid_run_is_reconnected_without_losing_check_ins(
    postgres_only_url: str,
) -> None:
    url = postgres_only_url
    db = create_engine(url)
    try:
        engine = Engine(SqlStore(db), Content.load())
        await engine.handle(FormSubmission(SAM, "rejection", {
            "company": "Acme", "stage": "interview", "feeling": "3"}), NOW)  # fmt: skip
        # Every connection the bot holds is cut, as when the server restarts.
        admin = create_engine(url)
        async with admin.connect() as connection:
            await connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ))  # fmt: skip
        await admin.dispose()

        [reply] = await engine.handle(Command(SAM, "progress"), NOW)
        messenger = RecordingMessenger()
        dispatcher = Dispatcher(SqlOutbox(db), Content.load(), {"console": messenger}, "one")
        report = await dispatcher.tick(NOW + dt.timedelta(days=1, hours=3))
    finally:
        await db.dispose()
    assert "Rejections logged: 1" in reply.text
    assert report.claimed == 1
    assert len(messenger.sent) == 1


# Any text at all, with the tricky pieces people (or attackers) paste mixed in.
TEXT = st.lists(
    st.text(max_size=40)
    | st.sampled_from(
        ["\x00", "\u202e", "\u200b", "\ud800", "\x1b[31m", "<!channel>", "@everyone", "\n", "5"]
    ),
    max_size=8,
).map("".join)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["command", "message", "choice", "form"]),
    name=st.sampled_from(["rejected", "brag", "feedback", "checkin", "progress", "mydata", "x"]),
    words=TEXT,
)
def test_the_engine_never_raises_on_any_text(kind: str, name: str, words: str) -> None:
    engine = Engine(MemoryStore(), Content.load())
    events: dict[str, Event] = {
        "command": Command(SAM, name, words),
        "message": Message(SAM, words),
        "choice": Choice(SAM, f"{name}.kind", words),
        "form": FormSubmission(
            SAM, "rejection", {"company": words, "stage": words, "feeling": words}
        ),
    }
    event = events[kind]
    replies = asyncio.run(engine.handle(event, NOW))
    assert replies
    assert all(reply.text or reply.form or reply.quote for reply in replies)
    assert not any("Something went wrong" in reply.text for reply in replies)


@settings(max_examples=150, deadline=None)
@given(words=TEXT)
def test_console_output_is_always_printable(words: str) -> None:
    shown = render(Reply(heading=words, text=words, quote=words, buttons=(Button(words, "a"),)))
    assert all(char == "\n" or char.isprintable() for char in shown)
