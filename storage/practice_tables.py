"""Practice partners' tables: a member's choices and each round's groups (the history that
keeps pairs from repeating). Part of the schema in :mod:`storage.tables`."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema import Base, Id, UTCDateTime


class PracticeMemberRow(Base):
    """A member's practice-partner choices. ``areas`` (one per line) and ``role_kind`` are
    sealed with the key: they are the person's words."""

    __tablename__ = "practice_members"
    __table_args__ = (Index("ix_practice_members_community", "platform", "community", "state"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    community: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="active")
    paused_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    areas: Mapped[str] = mapped_column(Text, default="")
    role_kind: Mapped[str] = mapped_column(Text, default="")
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    availability: Mapped[str] = mapped_column(String(16), default="daytime")


class PracticePairRow(Base):
    """One person's place in one practice round: the group they were put in, whether they
    were introduced, and their answer to "Did you meet?". One row per person per round, so
    nobody is ever in two groups of a round; the rows are the history that keeps pairs from
    repeating."""

    __tablename__ = "practice_pairs"
    __table_args__ = (
        UniqueConstraint("platform", "community", "week", "person_id"),
        Index("ix_practice_pairs_person", "person_id", "week"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    community: Mapped[str] = mapped_column(String(64))
    week: Mapped[str] = mapped_column(String(10))
    grp: Mapped[int] = mapped_column(Integer)  # the group's number in the round; 0: alone
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # "planned", "introduced", "missed" (could not be introduced) or "alone" (told so).
    state: Mapped[str] = mapped_column(String(10), default="planned")
    conversation: Mapped[str] = mapped_column(String(64), default="")
    met: Mapped[str] = mapped_column(String(10), default="")
    met_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


practice_members = cast(Table, PracticeMemberRow.__table__)
practice_pairs = cast(Table, PracticePairRow.__table__)
