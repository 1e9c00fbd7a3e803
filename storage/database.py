"""Opening the database: URL to async engine, SQLite tuning, migrations at start, and the one
dialect-specific statement the store builds (an INSERT with ``ON CONFLICT``)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolResetState

from storage.checkpoints import checkpoint_in_background

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: instances starting together on PostgreSQL migrate one at a time.
_MIGRATION_LOCK = 7_240_501


class DatabaseURLError(ValueError):
    """``DATABASE_URL`` is not a URL Bounceback can use."""


def async_url(url: str) -> URL:
    """A plain ``sqlite:///`` or ``postgresql://`` URL with the async driver chosen for it."""
    try:
        parsed = make_url(url)
    except Exception as error:  # SQLAlchemy raises ArgumentError with the URL in it
        raise DatabaseURLError("DATABASE_URL is not a valid database URL") from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise DatabaseURLError(
        f"DATABASE_URL must start with sqlite:// or postgresql://, not {backend}://"
    )


@functools.cache
def sqlite_has_json() -> bool:
    """Whether this Python's SQLite has the JSON functions the outbox's statements use (built
    in since SQLite 3.38, and in the usual Python builds' SQLite long before)."""
    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        try:
            connection.execute("SELECT count(*) FROM json_each('[1]')").fetchall()
        except sqlite3.OperationalError:
            return False
    return True


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An async engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        if not sqlite_has_json():
            raise DatabaseURLError(
                f"this Python's SQLite ({sqlite3.sqlite_version}) has no JSON functions:"
                " Bounceback needs SQLite 3.38 or newer (or one built with JSON1), or PostgreSQL"
            )
        if target.database and target.database != ":memory:":
            Path(target.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # A connection going back to the pool is rolled back only if a transaction is open:
        # SQLAlchemy's own reset rolls back every time, and through aiosqlite that is one
        # more trip to the database thread after each commit (about a tenth of a /rejected).
        options.setdefault("pool_reset_on_return", None)
        engine = create_async_engine(target, **options)
        event.listen(engine.sync_engine, "connect", tune_sqlite)
        event.listen(engine.sync_engine, "reset", _roll_back_if_open)
        if target.database and target.database != ":memory:":
            checkpoint_in_background(engine, str(Path(target.database).expanduser()))
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_async_engine(target, **options)


def _roll_back_if_open(dbapi_connection: Any, record: Any, state: PoolResetState) -> None:
    """The pool's reset of a SQLite connection coming back: roll back a transaction left open
    (an error, a read that was never committed), and do nothing after a commit."""
    if state.terminate_only or not state.asyncio_safe:
        return  # discarded, or collected outside the event loop: as SQLAlchemy's own reset
    try:
        open_transaction = bool(record.driver_connection.in_transaction)
    except Exception:  # the connection is going away: the rollback finds out safely
        open_transaction = True
    if open_transaction:
        dbapi_connection.rollback()


# How long a SQLite connection waits for another writer's lock, in milliseconds.
BUSY_TIMEOUT_MS = 5000


def locked_out(error: BaseException) -> bool:
    """Whether ``error`` is SQLite finding the file held by another connection (the statement
    changed nothing)."""
    return isinstance(error, sqlite3.OperationalError) and error.sqlite_errorcode in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


def tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Every SQLite connection's settings (SQLAlchemy's and the outbox's own alike)."""
    cursor = dbapi_connection.cursor()
    # WAL lets readers and a writer work together; NORMAL sync is safe with WAL and much faster.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Deleted rows are overwritten with zeros, not just unlinked: a deleted person's words must
    # not stay readable in free pages of the file (see checkpoint() for the WAL).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# On SQLite, the inbox's own file beside the database (see storage.inbox_file).
INBOX_SUFFIX = "-inbox"


def inbox_path(engine: AsyncEngine) -> str | None:
    """Where ``engine``'s inbox file is: None unless the database is a SQLite file (an
    in-memory database keeps its inbox inside; PostgreSQL locks rows, not the database)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return str(Path(database).expanduser()) + INBOX_SUFFIX


CHECKPOINT_TRIES = 5
CHECKPOINT_PAUSE = 0.02  # seconds between tries


async def checkpoint(engine: AsyncEngine) -> bool:
    """On SQLite, copy the WAL into the database file and truncate it to nothing.

    Until then the WAL still holds earlier versions of every page written, a deleted person's
    words included; with ``secure_delete`` the copied pages carry zeros where they were.
    Returns False when a reader kept the checkpoint from finishing (it is logged; the next
    delete or the daily sweep tries again). On PostgreSQL, nothing to do here (see
    SECURITY.md on VACUUM).
    """
    if engine.dialect.name != "sqlite":
        return True
    inbox = inbox_path(engine)
    # The background checkpoint (storage.checkpoints) or a reader may hold it up a moment.
    for _ in range(CHECKPOINT_TRIES):
        async with engine.connect() as connection:
            row = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).first()
        done = row is None or row[0] == 0
        if done and inbox is not None:
            done = await asyncio.to_thread(truncate_wal, inbox)
        if done:
            return True
        await asyncio.sleep(CHECKPOINT_PAUSE)
    log.warning("sqlite checkpoint was blocked by a reader; the WAL is truncated later")
    return False


def truncate_wal(path: str) -> bool:
    """Checkpoint the SQLite file at ``path`` and truncate its WAL: whether it finished (or
    there is no such file)."""
    if not Path(path).exists():
        return True
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        tune_sqlite(connection, None)
        row = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return row is None or row[0] == 0
    finally:
        connection.close()


def dialect_insert(engine: AsyncEngine, table: Table) -> Any:
    """An INSERT that knows ``ON CONFLICT`` on the engine's dialect."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code so no ini file is needed at run time."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def describe(engine: AsyncEngine) -> str:
    """Where the database is, for messages: never the password."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    return f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}/{url.database}"


async def wait_for(
    engine: AsyncEngine,
    *,
    first_delay: float = 1.0,
    longest_delay: float = 30.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    attempts: int | None = None,
    give_up_after: float | None = None,
) -> None:
    """Return once the database answers; until then retry with backoff, saying so once.

    One clear line on the first failure (and one when it comes back), never a traceback storm.
    A server waits for as long as it takes; a one-shot command passes ``give_up_after``
    (seconds of waiting) or ``attempts`` and gets :class:`DatabaseUnavailable` then. What
    waiting cannot fix (a database that does not exist, a refused login) raises
    :class:`DatabaseRefused` at once.
    """
    delay = first_delay
    waited = 0.0
    tries = 0
    while True:
        tries += 1
        try:
            async with asyncio.timeout(_attempt_limit(give_up_after, waited)):
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except (OSError, DBAPIError, TimeoutError) as error:
            _raise_if_refused(engine, error)
            out_of_time = give_up_after is not None and waited >= give_up_after
            if (attempts is not None and tries >= attempts) or out_of_time:
                raise DatabaseUnavailable(
                    f"cannot reach the {describe(engine)} ({_reason(error)})"
                    + (f" after waiting {waited:.0f} s" if waited else "")
                ) from error
            if tries == 1:
                until = f"for up to {give_up_after:.0f} s" if give_up_after else "until it answers"
                log.error(
                    "cannot reach the %s (%s); retrying %s", describe(engine), _reason(error), until
                )
            pause = delay if give_up_after is None else min(delay, give_up_after - waited)
            await sleep(pause)
            waited += pause
            delay = min(delay * 2, longest_delay)
            continue
        if tries > 1:
            log.warning("the %s is back", describe(engine))
        return


def _attempt_limit(give_up_after: float | None, waited: float) -> float | None:
    # One connection attempt may hang for a minute on an unreachable host: a bounded wait
    # bounds each attempt too.
    return None if give_up_after is None else max(give_up_after - waited, 1.0)


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        orig = current.orig if isinstance(current, DBAPIError) else None
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return chain


def _sqlstate(error: BaseException) -> str:
    return next((str(s) for e in _causes(error) if (s := getattr(e, "sqlstate", None))), "")


def _raise_if_refused(engine: AsyncEngine, error: BaseException) -> None:
    url = engine.url
    state = _sqlstate(error)
    if state == "3D000":  # invalid_catalog_name
        raise DatabaseRefused(
            f"the PostgreSQL database {url.database!r} does not exist on "
            f"{url.host or 'localhost'}:{url.port or 5432}; create it first, e.g. "
            f"createdb -h {url.host or 'localhost'} -p {url.port or 5432}"
            f"{f' -U {url.username}' if url.username else ''} {url.database} "
            f"(or CREATE DATABASE {url.database}; in psql)"
        ) from error
    if state in ("28P01", "28000"):  # invalid_password, invalid_authorization_specification
        raise DatabaseRefused(
            f"the {describe(engine)} refused the login of user {url.username!r}: "
            "check the user and password in DATABASE_URL"
        ) from error


def _reason(error: BaseException) -> str:
    """The most specific kind of error, without its message (which may hold connection
    details): ``ConnectionRefusedError``, not the driver's generic ``Error``."""
    return type(_causes(error)[-1]).__name__


class DatabaseUnavailable(RuntimeError):
    """The database did not answer in the attempts or the time allowed."""


class DatabaseRefused(DatabaseUnavailable):
    """The database server answered, and waiting will not help: no such database, bad login."""


async def upgrade(engine: AsyncEngine, progress: Callable[[str], None] | None = None) -> int:
    """Apply every pending migration; returns how many were applied. ``progress`` hears how
    many are pending, then of each one as it is done (with how long it took)."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
            )
        return await connection.run_sync(_upgrade, progress)


def _upgrade(connection: Connection, progress: Callable[[str], None] | None) -> int:
    config = alembic_config(connection)
    script = ScriptDirectory.from_config(config)
    current = MigrationContext.configure(connection).get_current_heads()
    pending = list(script.iterate_revisions("heads", current or "base"))
    if progress is not None and pending:
        progress(f"{len(pending)} migration(s) to apply")
    applied = 0
    started = time.monotonic()

    def step_done(*, step: Any, **_: Any) -> None:
        nonlocal applied, started
        applied += 1
        if progress is not None:
            seconds = time.monotonic() - started
            progress(
                f"applied {step.up_revision_id} ({applied} of {len(pending)}, {seconds:.1f} s): "
                f"{(step.up_revision.doc or '').strip()}"
            )
        started = time.monotonic()

    config.attributes["on_version_apply"] = step_done
    command.upgrade(config, "head")
    return applied
