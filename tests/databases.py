"""Throwaway PostgreSQL databases for tests and benchmarks, created and dropped by name."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import asyncpg
from sqlalchemy.engine import make_url


def _run(admin_url: str, statement: str) -> None:
    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def run() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    # A thread of its own: callers may be inside a running event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def create_database(admin_url: str, prefix: str = "bounceback_test") -> tuple[str, str]:
    """A new, empty database on the server at ``admin_url``: (its URL, its name)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _run(admin_url, f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(drivername="postgresql", database=name)
    return url.render_as_string(hide_password=False), name


def drop_database(admin_url: str, name: str) -> None:
    """Drop the database ``name``, closing whatever still uses it."""
    _run(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
