"""Builders the migrations share for the columns and constraints they keep writing.

Each returns exactly what Alembic's autogenerate wrote out in full before (same types, same
flags, same constraint names), so a migration written with them creates the same schema on
SQLite and PostgreSQL. A migration is history: change a builder only if every migration that
uses it still creates what it created before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from storage.tables import UTCDateTime

# A row id: BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY counts up).
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def key(name: str = "id") -> sa.Column[Any]:
    """A table's own counting row id."""
    return sa.Column(name, ROW_ID, autoincrement=True, nullable=False)


def ref(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A column holding another table's row id."""
    return sa.Column(name, ROW_ID, nullable=nullable)


def moment(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A moment, stored as UTC."""
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def string(name: str, length: int, *, nullable: bool = False) -> sa.Column[Any]:
    """A VARCHAR of ``length``."""
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def text(name: str) -> sa.Column[Any]:
    """Free text, never NULL."""
    return sa.Column(name, sa.Text(), nullable=False)


def small(name: str) -> sa.Column[Any]:
    """A SMALLINT, never NULL."""
    return sa.Column(name, sa.SmallInteger(), nullable=False)


def flag(name: str) -> sa.Column[Any]:
    """A BOOLEAN, never NULL."""
    return sa.Column(name, sa.Boolean(), nullable=False)


def primary(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key, named ``pk_<table>``."""
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=op.f(f"pk_{table}"))


def unique(table: str, *columns: str) -> sa.UniqueConstraint:
    """A unique constraint, named after its table and first column."""
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{columns[0]}"))


def belongs(
    table: str, column: str, target: str, *, ondelete: str = "CASCADE"
) -> sa.ForeignKeyConstraint:
    """``table.column`` points at ``target.id``."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def of_person(table: str, *, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    """``table.person_id`` points at the person the row belongs to."""
    return belongs(table, "person_id", "people", ondelete=ondelete)


@contextmanager
def altering(table: str) -> Iterator[BatchOperations]:
    """Alembic's batch mode on ``table`` (SQLite rebuilds the table; PostgreSQL alters it)."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        yield batch_op


def create_indexes(table: str, *indexes: tuple[str, Sequence[str]]) -> None:
    """Plain (not unique) indexes on ``table``, each given as (name, columns)."""
    with altering(table) as batch_op:
        for name, columns in indexes:
            batch_op.create_index(name, list(columns), unique=False)


def drop_indexes(table: str, *names: str) -> None:
    """The indexes named, dropped from ``table``."""
    with altering(table) as batch_op:
        for name in names:
            batch_op.drop_index(name)


def indexed_by_person(table: str) -> tuple[str, list[str]]:
    """The index autogenerate names ``ix_<table>_person_id``, on ``person_id``."""
    return op.f(f"ix_{table}_person_id"), ["person_id"]
