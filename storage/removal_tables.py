"""The communities whose removal is still owed: a platform said the bot left them, and their
data goes as soon as the database takes the deletion; or the bot was not among them when it
connected, and their data goes once that has lasted a grace period. Part of the schema in
:mod:`storage.tables`."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import String, Table
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema import Base, UTCDateTime

# Why a community is to be erased: its platform said the bot left it, or the bot found itself
# no longer there when it connected (a removal while Bounceback was down).
REMOVED = "removed"
ABSENT = "absent"


class RemovalRow(Base):
    """A community to erase: written when its platform says the bot left (``removed``) or
    when the bot was found not to be there (``absent``), gone with its data in the deletion's
    own transaction."""

    __tablename__ = "removals"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    community: Mapped[str] = mapped_column(String(64), primary_key=True)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(16), server_default=REMOVED)


removals = cast(Table, RemovalRow.__table__)
