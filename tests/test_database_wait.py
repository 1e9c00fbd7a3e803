"""Waiting for the database: bounded for one-shot commands, and no waiting on what cannot change."""

from __future__ import annotations

import pytest

from storage.database import DatabaseRefused, DatabaseUnavailable, create_engine, wait_for


async def test_a_bounded_wait_gives_up_and_says_after_how_long(refusing_port: int) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    db = create_engine(f"postgresql://someone@127.0.0.1:{refusing_port}/bounceback")
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await wait_for(db, sleep=sleep, give_up_after=10)
    finally:
        await db.dispose()
    assert slept == [1, 2, 4, 3]
    assert str(raised.value) == (
        f"cannot reach the PostgreSQL at 127.0.0.1:{db.url.port}/bounceback "
        "(ConnectionRefusedError) after waiting 10 s"
    )
    assert not isinstance(raised.value, DatabaseRefused)


@pytest.mark.postgres
async def test_a_missing_database_is_named_at_once() -> None:
    import os

    from sqlalchemy.engine import make_url

    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")
    url = make_url(server).set(database="bounceback_missing")

    async def never(seconds: float) -> None:
        raise AssertionError("waited for a database that does not exist")

    db = create_engine(url.render_as_string(hide_password=False))
    try:
        with pytest.raises(DatabaseRefused, match="'bounceback_missing' does not exist"):
            await wait_for(db, sleep=never)
    finally:
        await db.dispose()
