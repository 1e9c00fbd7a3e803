"""Set-based writes on the dispatcher's hot path, straight to the driver.

The outbox records thousands of outcomes per batch. Going through SQLAlchemy's per-row
parameter processing costs more than the database work itself, so these few statements are
written once per dialect and handed to the driver's own ``executemany`` with plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Outcome
from bot.schedule import Slot

T = TypeVar("T")

# On SQLite, moments are written in SQLAlchemy's own DATETIME format ("2026-07-14
# 08:00:00.000000", which isoformat(" ", "microseconds") produces), so values written here
# compare and read back exactly like those written through SQLAlchemy.


def moment(connection: AsyncConnection, value: dt.datetime | None) -> Any:
    """An aware UTC moment as the driver stores it for a UTCDateTime column."""
    if value is None:
        return None
    utc = value.astimezone(dt.UTC)
    if connection.dialect.name == "sqlite":
        return utc.replace(tzinfo=None).isoformat(" ", "microseconds")
    return utc


def wall_clock(connection: AsyncConnection, value: dt.datetime) -> Any:
    """A naive local date-time as the driver stores it for a plain DATETIME column."""
    if connection.dialect.name == "sqlite":
        return value.isoformat(" ", "microseconds")
    return value


def converters(
    connection: AsyncConnection,
) -> tuple[Callable[[dt.datetime], Any], Callable[[dt.datetime], Any]]:
    """(moment, wall_clock) for many rows: the dialect is looked up once, not per value."""
    return converters_for(connection.dialect.name)


def converters_for(
    dialect: str,
) -> tuple[Callable[[dt.datetime], Any], Callable[[dt.datetime], Any]]:
    """(moment, wall_clock) as the driver of ``dialect`` ("sqlite", "postgresql") stores them."""
    if dialect == "sqlite":
        return _sqlite_moment, _sqlite_wall_clock
    return _utc, _same


def _sqlite_moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_wall_clock(value: dt.datetime) -> str:
    return value.isoformat(" ", "microseconds")


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _same(value: dt.datetime) -> dt.datetime:
    return value


# The same few statements come back on every event and every batch: rewrite each once.
@lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """``?`` markers as asyncpg's ``$1, $2, ...``."""
    parts = sql.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], start=1)) + parts[-1]


async def executemany(
    connection: AsyncConnection, sql: str, rows: Sequence[tuple[Any, ...]]
) -> None:
    """Run ``sql`` (with ``?`` markers) once per row, in one driver call."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        sql = numbered(sql)
    await connection.exec_driver_sql(sql, list(rows))


async def fetch(connection: AsyncConnection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """Rows of ``sql`` (with ``?`` markers) as the driver returns them."""
    if connection.dialect.name == "postgresql":
        sql = numbered(sql)
    return list((await connection.exec_driver_sql(sql, params)).all())


async def execute(connection: AsyncConnection, sql: str, params: tuple[Any, ...]) -> None:
    """Run ``sql`` (with ``?`` markers) once."""
    if connection.dialect.name == "postgresql":
        sql = numbered(sql)
    await connection.exec_driver_sql(sql, params)


class Memo(Generic[T]):
    """A parser for texts many rows share (a batch's due times, a community's times of day):
    each text is parsed once and its value shared, at most ``limit`` kept (then it starts
    afresh, so a long-running process keeps the texts of today's batches, not its first)."""

    def __init__(self, parse: Callable[[str], T], limit: int = 4096) -> None:
        self._parse = parse
        self.limit = limit
        self.kept: dict[str, T] = {}

    def __call__(self, text: str) -> T:
        found = self.kept.get(text)
        if found is None:
            found = self._parse(text)
            if len(self.kept) >= self.limit:
                self.kept.clear()
            self.kept[text] = found
        return found


def _utc_text(text: str) -> dt.datetime:
    # Parsing the zone with the text is several times cheaper than replace() after it.
    return dt.datetime.fromisoformat(text + "+00:00")


_MOMENTS = Memo(_utc_text)
_WALL_CLOCKS = Memo(dt.datetime.fromisoformat)
_TIMES = Memo(dt.time.fromisoformat)


def read_moment(value: Any) -> dt.datetime:
    """A non-null UTCDateTime column's raw value (SQLite text or a driver datetime), aware UTC."""
    if isinstance(value, str):
        return _utc_text(value)
    moment: dt.datetime = value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def read_shared_moment(value: Any) -> dt.datetime:
    """:func:`read_moment` for a value many rows share, such as a batch's due times (each
    text parsed once; rows due at one moment hold one object, hashed once)."""
    return _MOMENTS(value) if isinstance(value, str) else read_moment(value)


def read_optional_moment(value: Any) -> dt.datetime | None:
    """A nullable UTCDateTime column's raw value."""
    return None if value is None else read_moment(value)


def read_wall_clock(value: Any) -> dt.datetime:
    """A plain DATETIME column's raw value as a naive date-time (shared as
    :func:`read_shared_moment` shares)."""
    return _WALL_CLOCKS(value) if isinstance(value, str) else value


def read_time(value: Any) -> dt.time:
    """A TIME column's raw value as a time of day."""
    if not isinstance(value, str):
        driver_time: dt.time = value
        return driver_time
    # Three per person read, and a community shares a handful: each text is parsed once.
    return _TIMES(value)


def next_check_ins(
    recorded: Sequence[Outcome],
    to_moment: Callable[[dt.datetime], Any],
    to_wall_clock: Callable[[dt.datetime], Any],
) -> list[tuple[Any, ...]]:
    """The next check-in each recorded outcome plans, as (person, platform, kind, due,
    local time, zone, application) in the driver's values."""
    # Many people share a next slot (the same slot object): each is converted once.
    converted: dict[int, tuple[Any, Any]] = {}

    def stored(slot: Slot) -> tuple[Any, Any]:
        found = converted.get(id(slot))
        if found is None:
            found = converted[id(slot)] = (to_moment(slot.due), to_wall_clock(slot.local))
        return found

    return [
        (o.person_id, o.platform, kind, *stored(slot), slot.zone, o.application_id)
        for o in recorded
        if o.follow_up is not None
        for kind, slot in (o.follow_up,)
    ]
