"""Which communities an organization-wide install reached (Slack Enterprise Grid).

People are kept per workspace, but an organization uninstalls all at once, with no workspace
named: this is how its uninstall finds every workspace whose people must be erased.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import dialect_insert
from storage.tables import organization_members


class SqlOrganizations:
    """Organization → communities, remembered as events arrive through the org-wide install."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def remember(
        self, platform: str, organization: str, community: str, now: dt.datetime
    ) -> None:
        """Note that ``community`` is reached through ``organization``'s install."""
        values = {"organization": organization[:64], "seen_at": now}
        statement = (
            dialect_insert(self._engine, organization_members)
            .values(platform=platform, community=community[:64], **values)
            .on_conflict_do_update(index_elements=["platform", "community"], set_=values)
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)

    async def members(self, platform: str, organization: str) -> Sequence[str]:
        """The communities seen through ``organization``'s install."""
        t = organization_members
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(t.c.community)
                .where(t.c.platform == platform, t.c.organization == organization)
                .order_by(t.c.community)
            )
            return [row.community for row in rows]

    async def forget(self, platform: str, organization: str) -> None:
        """Drop what was remembered about ``organization``."""
        t = organization_members
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(t).where(t.c.platform == platform, t.c.organization == organization)
            )
