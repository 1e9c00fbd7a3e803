"""The tables of tracked applications and of each person's setting for their reminders."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Boolean, Date, ForeignKey, SmallInteger, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema import Base, Id, UTCDateTime


class ApplicationRow(Base):
    """A job application the person tracks, and where it stands."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # company, role, link, interviewer and notes are sealed with the key.
    company: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(Text, default="")
    interviewer: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    applied_on: Mapped[dt.date] = mapped_column(Date)
    adjacent: Mapped[bool] = mapped_column(Boolean, default=False)
    stage: Mapped[str] = mapped_column(String(12), default="applied")
    moved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rejection_id: Mapped[int | None] = mapped_column(
        ForeignKey("rejections.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ApplicationSettingsRow(Base):
    """A person's own setting for application reminders."""

    __tablename__ = "application_settings"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    # Days without news before "Any news from ...?"; 0 means never.
    ghost_days: Mapped[int] = mapped_column(SmallInteger)


applications = cast(Table, ApplicationRow.__table__)
application_settings = cast(Table, ApplicationSettingsRow.__table__)
