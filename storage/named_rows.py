"""A person's rows of a table straight from the driver, in one trip, named like SQLAlchemy's.

Reading a member's journey (``/progress``) is six reads. Through SQLAlchemy each was a
statement built and compiled, and on SQLite four or five trips to aiosqlite's thread; here
each is one statement written once and one trip (:mod:`storage.prepared`). The rows come back
read by column name with each value converted as SQLAlchemy would (SQLite keeps moments and dates
as text), so the same row mappers (:mod:`storage.rows`) read them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Table, Time

from storage.bulk import read_optional_moment, read_time
from storage.prepared import Driver
from storage.schema import UTCDateTime

Reader = Callable[[Any], Any]


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    day: dt.date | None = value
    return day


def _wall_clock(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    moment: dt.datetime | None = value
    return moment


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _time(value: Any) -> dt.time | None:
    return None if value is None else read_time(value)


def _reader(column: Column[Any]) -> Reader | None:
    """How a raw value of ``column`` becomes what SQLAlchemy would return; None: as it is."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return read_optional_moment
    if isinstance(kind, DateTime):
        return _wall_clock
    if isinstance(kind, Date):
        return _date
    if isinstance(kind, Time):
        return _time
    if isinstance(kind, Boolean):
        return _flag
    return None


class Named:
    """A driver row read by column name, as a SQLAlchemy row is (``row.created_at``)."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None


class Reading:
    """One table's rows for one person: the SQL, each column's position and its reader."""

    def __init__(self, table: Table, order: str, limit: bool = False) -> None:
        names = [column.name for column in table.columns]
        # Quoted, as SQL quotes a name on both databases: a column may be a keyword.
        columns = ", ".join(f'"{name}"' for name in names)
        limited = " LIMIT ?" if limit else ""
        where = f"WHERE person_id = ? ORDER BY {order}{limited}"
        self.sql = f'SELECT {columns} FROM "{table.name}" {where}'
        self.index = {name: n for n, name in enumerate(names)}
        self.readers = [(n, r) for n, c in enumerate(table.columns) if (r := _reader(c))]

    def __call__(self, driver: Driver, *params: Any) -> list[Named]:
        """The rows, their values converted, each read by column name."""
        found = []
        for raw in driver.rows(self.sql, params):
            values = list(raw)
            for n, read in self.readers:
                values[n] = read(values[n])
            found.append(Named(values, self.index))
        return found


@functools.cache
def oldest_first(table: Table) -> Reading:
    """A person's rows of ``table`` in the order they were written."""
    return Reading(table, "id")


def rows_of(driver: Driver, table: Table, person_id: int) -> list[Named]:
    """A person's rows of ``table``, oldest first."""
    return oldest_first(table)(driver, person_id)
