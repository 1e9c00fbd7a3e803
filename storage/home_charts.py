"""Which journey chart each member's Slack Home tab shows: the uploaded file's id and a hash
of what it shows, so the adapter replaces (and, with the member's data, deletes) the file."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import dialect_insert
from storage.tables import home_charts

PLATFORM = "slack"


class SqlChartFiles:
    """Each Slack member's chart file, one row per member (``adapters.slack.home.ChartFiles``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def chart_file(self, team: str, user: str) -> tuple[str, str] | None:
        """(file id, fingerprint) of the member's chart, if one was uploaded."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(home_charts.c.file_id, home_charts.c.fingerprint).where(
                        *_member(team, user)
                    )
                )
            ).first()
        return None if row is None else (row.file_id, row.fingerprint)

    async def remember_chart(
        self, team: str, user: str, file_id: str, fingerprint: str, now: dt.datetime
    ) -> None:
        """The member's chart is now ``file_id``."""
        values = {"file_id": file_id[:64], "fingerprint": fingerprint[:64], "updated_at": now}
        statement = (
            dialect_insert(self._engine, home_charts)
            .values(platform=PLATFORM, community=team[:64], user_id=user[:64], **values)
            .on_conflict_do_update(index_elements=["platform", "community", "user_id"], set_=values)
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)

    async def forget_chart(self, team: str, user: str) -> None:
        """The member has no chart any more (its file was deleted)."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(home_charts).where(*_member(team, user)))


def _member(team: str, user: str) -> tuple[ColumnElement[bool], ...]:
    return (
        home_charts.c.platform == PLATFORM,
        home_charts.c.community == team[:64],
        home_charts.c.user_id == user[:64],
    )
