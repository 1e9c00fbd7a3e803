"""The database schema, as typed SQLAlchemy models and their Core tables. Alembic migrations
follow it."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

# The tables planned_messages refers to, and the shared column types, re-exported.
from storage.application_tables import application_settings as application_settings
from storage.application_tables import applications as applications
from storage.practice_tables import practice_members as practice_members
from storage.practice_tables import practice_pairs as practice_pairs
from storage.removal_tables import removals as removals
from storage.schema import NAMING as NAMING
from storage.schema import PENDING_CHECKIN, PENDING_REMINDER, Id
from storage.schema import Base as Base
from storage.schema import UTCDateTime as UTCDateTime


class PersonRow(Base):
    """A member of one community on one platform, and their check-in preferences."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("platform", "community", "user_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    community: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    # Sealed with the encryption key, so Text: a sealed value is several times longer.
    display_name: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    checkin_time: Mapped[dt.time] = mapped_column(Time, default=dt.time(10, 0))
    quiet_start: Mapped[dt.time] = mapped_column(Time, default=dt.time(21, 0))
    quiet_end: Mapped[dt.time] = mapped_column(Time, default=dt.time(8, 0))
    weekdays_only: Mapped[bool] = mapped_column(Boolean, default=False)
    unreachable: Mapped[str] = mapped_column(String(32), default="")
    # "active", "paused" (until paused_until) or "stopped": stopped means nothing is sent.
    checkins: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
    paused_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    unreachable_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # "default" (a guess), "platform" (the person's Slack zone) or "person" (their own choice).
    timezone_source: Mapped[str] = mapped_column(
        String(10), default="default", server_default="default"
    )


class RejectionRow(Base):
    """A logged rejection and its feedback note's fate."""

    __tablename__ = "rejections"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # company, role, interviewer (a third person) and feedback are sealed with the key.
    company: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(20))
    rejected_on: Mapped[dt.date] = mapped_column(Date)
    interviewer: Mapped[str] = mapped_column(Text, default="")
    feeling: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ReflectionRow(Base):
    """One answer to one reflection question about one rejection."""

    __tablename__ = "reflections"
    __table_args__ = (UniqueConstraint("rejection_id", "question"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    rejection_id: Mapped[int] = mapped_column(ForeignKey("rejections.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(32))
    answer: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class WinRow(Base):
    """An entry of a bragging list."""

    __tablename__ = "wins"
    __table_args__ = (Index("uq_wins_person_number", "person_id", "number", unique=True),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The person's own number for the win, never reused for another while it exists.
    number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class MoodRow(Base):
    """A mood, 1 to 5, with an optional note."""

    __tablename__ = "moods"
    __table_args__ = (Index("ix_moods_person_created", "person_id", "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ConversationRow(Base):
    """The question the bot is waiting on, per person, so answers survive a restart."""

    __tablename__ = "conversations"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ProcessedEventRow(Base):
    """Platform event ids already handled, so a retried delivery is handled once."""

    __tablename__ = "processed_events"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class InboxRow(Base):
    """Work a platform was told is handled (acknowledged) and that is not done yet.

    Written before the acknowledgement and marked done when the work is: an entry still
    pending after its holder's lease ran out belonged to a process that died, and is redone
    once by whichever instance reclaims it. The payload (the event, sealed like every free
    text) is cleared once the work is done.
    """

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_state_lease", "state", "platform", "lease_until"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    # The platform's own id for the delivery (an event id, a trigger id): seen twice, once.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PlannedMessageRow(Base):
    """One message the bot means to send a person: the scheduler's source of truth.

    ``state`` moves pending → claimed → sent, or to skipped (stale, stopped, superseded) or
    failed (gave up). A claim holds until ``lease_until``; after that any instance may reclaim
    it, so a process killed mid-send loses nothing.
    """

    __tablename__ = "planned_messages"
    __table_args__ = (
        Index("ix_planned_messages_state_due", "state", "platform", "due_at"),
        Index("ix_planned_messages_person", "person_id", "state"),
        # Two pending check-ins of one kind for one person would be two schedules: a bug
        # must become an error, never a second message every week.
        Index(
            "uq_planned_messages_pending_kind",
            "person_id",
            "kind",
            unique=True,
            sqlite_where=text(PENDING_CHECKIN),
            postgresql_where=text(PENDING_CHECKIN),
        ),
        # Reminders about applications: one pending per application, whatever its kind.
        Index(
            "uq_planned_messages_pending_application",
            "application_id",
            unique=True,
            sqlite_where=text(PENDING_REMINDER),
            postgresql_where=text(PENDING_REMINDER),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # The person's platform, copied here so an instance claims only what it can deliver.
    platform: Mapped[str] = mapped_column(String(16))
    rejection_id: Mapped[int | None] = mapped_column(
        ForeignKey("rejections.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    planned_local: Mapped[dt.datetime] = mapped_column(DateTime)  # wall-clock, in planned_zone
    planned_zone: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[str] = mapped_column(String(64), default="")
    # A short code ("stale", "stopped", "dms_closed", "rate_limited"...), never message text.
    outcome: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set for a reminder about a tracked application (no news for a while).
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=True
    )


class AnswerRow(Base):
    """A check-in answer that is not a mood: applications sent, an offer, a lesson learned."""

    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_person_created", "person_id", "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CommunityRow(Base):
    """A Slack workspace or Discord server's settings, changed only by its admins."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "community"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    community: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))
    brag_channel: Mapped[str] = mapped_column(String(64), default="")
    brag_weekday: Mapped[int] = mapped_column(SmallInteger, default=0)
    brag_time: Mapped[dt.time] = mapped_column(Time, default=dt.time(10, 0))
    checkin_time: Mapped[dt.time] = mapped_column(Time, default=dt.time(10, 0))
    support_resources: Mapped[str] = mapped_column(Text, default="")
    brag_thread: Mapped[bool] = mapped_column(Boolean, default=True)
    pulse: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Practice partners: off until an admin turns them on.
    practice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    practice_channel: Mapped[str] = mapped_column(String(64), default="", server_default="")
    practice_weekday: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    practice_time: Mapped[dt.time] = mapped_column(
        Time, default=dt.time(10, 0), server_default="10:00:00"
    )
    practice_every: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")


def _one_a_week(name: str, kind: str) -> Index:
    """At most one community post of ``kind`` per community per week: a partial unique index."""
    where = text(f"kind = '{kind}'")
    return Index(
        name, "platform", "community", "week", unique=True, sqlite_where=where,
        postgresql_where=where,
    )  # fmt: skip


class CommunityPostRow(Base):
    """Something the bot posts in (or removes from) a community channel: the outbox for the
    brag thread, claimed and leased exactly like planned messages.

    One brag thread per community per week is guaranteed by a partial unique index.
    """

    __tablename__ = "community_posts"
    __table_args__ = (
        Index("ix_community_posts_state_due", "state", "platform", "due_at"),
        _one_a_week("uq_community_posts_weekly_thread", "brag_thread"),
        # One practice round per community per round's week: paired once, whatever the
        # number of instances.
        _one_a_week("uq_community_posts_practice_round", "practice_round"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    community: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    week: Mapped[str] = mapped_column(String(10))  # ISO week in the community's zone: 2026-W29
    # Who shared (null once they delete their data: the removal post needs no author).
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    win_id: Mapped[int | None] = mapped_column(
        ForeignKey("wins.id", ondelete="SET NULL"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text, default="")  # advice shared with /hired
    channel: Mapped[str] = mapped_column(String(64), default="")
    thread: Mapped[str] = mapped_column(String(64), default="")
    message_id: Mapped[str] = mapped_column(String(64), default="")
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OrganizationMemberRow(Base):
    """A community reached through an organization-wide install (a Slack workspace of an
    Enterprise Grid org), so that the organization's uninstall finds every community to erase.
    """

    __tablename__ = "organization_members"
    __table_args__ = (Index("ix_organization_members_org", "platform", "organization"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    community: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ButtonMemoRow(Base):
    """What a Discord button or modal means when it did not fit in its 100-character custom id
    (a long form's pages, a refused form to fix, a long choice), so it works after a restart.

    ``data`` is JSON, sealed with the encryption key: a form's half-typed values are in it.
    """

    __tablename__ = "button_memos"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class HomeChartRow(Base):
    """The journey chart last uploaded for a member's Slack Home tab: the platform's file id
    and a hash of what it shows (never the data), so a new chart replaces the file and
    deleting the member's data deletes the picture too, after a restart as well."""

    __tablename__ = "home_charts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    community: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DmChannelRow(Base):
    """The direct-message channel a platform opened between the bot and a person, so a check-in
    to someone met before costs one request (the send), also after a restart.

    Kept per person (deleted with them) but looked up by the platform's user id: a DM channel
    belongs to the user, whichever community they are met in.
    """

    __tablename__ = "dm_channels"
    __table_args__ = (Index("ix_dm_channels_user", "platform", "user_id"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# The mapped classes' tables, typed as the Core tables they are: the store's statements are
# SQLAlchemy Core on these.
people = cast(Table, PersonRow.__table__)
rejections = cast(Table, RejectionRow.__table__)
reflections = cast(Table, ReflectionRow.__table__)
wins = cast(Table, WinRow.__table__)
moods = cast(Table, MoodRow.__table__)
conversations = cast(Table, ConversationRow.__table__)
processed_events = cast(Table, ProcessedEventRow.__table__)
inbox = cast(Table, InboxRow.__table__)
planned_messages = cast(Table, PlannedMessageRow.__table__)
answers = cast(Table, AnswerRow.__table__)
communities = cast(Table, CommunityRow.__table__)
community_posts = cast(Table, CommunityPostRow.__table__)
organization_members = cast(Table, OrganizationMemberRow.__table__)
button_memos = cast(Table, ButtonMemoRow.__table__)
home_charts = cast(Table, HomeChartRow.__table__)
dm_channels = cast(Table, DmChannelRow.__table__)
