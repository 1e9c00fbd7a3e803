"""Shared fixtures: a fixed clock, the in-memory store, and real databases (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.engine import Engine
from bot.ports import Store
from storage.crypto import Cipher
from storage.database import create_engine, upgrade
from storage.sql import SqlStore
from storage.tables import Base
from tests.databases import create_database, drop_database
from tests.fakes import MemoryStore

# Checks shared by several platforms' tests assert in modules of their own: report them fully.
pytest.register_assert_rewrite("tests.application_journey", "tests.brag_scenarios")

NOW = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
# The check-ins a rejection plans, in the order they fall due: the week's, then the first weekly.
FIRST_WEEK = [
    "day1_mood",
    "day2_feedback",
    "day3_strengths",
    "day5_plan_b",
    "day7_wrap_up",
    "weekly",
]
# A fixed key for stores that seal what they keep (tests never need a secret one).
TEST_KEY = Cipher.new_key()


@pytest.fixture
def now() -> dt.datetime:
    """A fixed moment: tests never read the real clock."""
    return NOW


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses every connection for the whole test: bound but never
    listening, so no other process can take it meanwhile (a port merely closed could be)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


@pytest.fixture(scope="session")
def content() -> Content:
    """The packaged content file."""
    return Content.load()


@pytest.fixture
def memory_store() -> MemoryStore:
    """A fresh in-memory store."""
    return MemoryStore()


@pytest.fixture
def engine(memory_store: MemoryStore, content: Content) -> Engine:
    """The engine on the in-memory store."""
    return Engine(memory_store, content, default_timezone="Europe/Berlin")


def _postgres_admin_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private, freshly created PostgreSQL database for this test session, dropped afterwards.

    Skips when ``TEST_DATABASE_URL`` is unset, unless ``BOUNCEBACK_REQUIRE_POSTGRES`` is set
    (as in CI), where a missing server fails the run instead.
    """
    admin = _postgres_admin_url()
    if admin is None:
        if os.environ.get("BOUNCEBACK_REQUIRE_POSTGRES"):
            pytest.fail("BOUNCEBACK_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        pytest.skip("TEST_DATABASE_URL is not set")
    url, name = create_database(admin)
    try:
        yield url
    finally:
        drop_database(admin, name)


async def _empty(db: AsyncEngine) -> None:
    async with db.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


async def prepare(url: str) -> str:
    """Migrate the database at ``url`` and empty every table; returns ``url``."""
    db = create_engine(url)
    try:
        await upgrade(db)
        await _empty(db)
    finally:
        await db.dispose()
    return url


async def database_for(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of ``kind`` ("sqlite" or "postgres") for one test."""
    if kind == "sqlite":
        return await prepare(f"sqlite:///{tmp_path}/bounceback.db")
    return await prepare(request.getfixturevalue("postgres_url"))


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database URL: SQLite always, PostgreSQL when configured."""
    return await database_for(request.param, request, tmp_path)


@pytest.fixture
async def postgres_only_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty PostgreSQL database URL, for what only PostgreSQL does."""
    return await database_for("postgres", request, tmp_path)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An async engine on a migrated, empty database."""
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture(params=["memory", *DATABASES])
async def every_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """Each implementation of the store in turn: the fake, then SQL on each database (with a
    key, so what is sealed is sealed)."""
    if request.param == "memory":
        yield MemoryStore()
        return
    engine = create_engine(await database_for(request.param, request, tmp_path))
    try:
        yield SqlStore(engine, Cipher([TEST_KEY]))
    finally:
        await engine.dispose()


@pytest.fixture
def store(every_store: Store) -> Store:
    """The store port, each implementation in turn (:func:`every_store`)."""
    return every_store
