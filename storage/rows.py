"""Rows as the engine sees them, and the engine's values as new rows: the one place for each.

The positional mappers (a person, a planned message) read a row in their column order, from
SQLAlchemy or straight from the driver alike: raw SQLite text is converted, values SQLAlchemy
already converted pass through. The dispatcher's hot path builds thousands per batch, so they
stay plain tuple unpacking and dictionary lookups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import Column, Row

from bot.model import (
    Answer,
    CheckinAnswer,
    CheckinState,
    Community,
    Conversation,
    Mood,
    Person,
    PlannedMessage,
    PlannedState,
    PostKind,
    Reflection,
    Rejection,
    Stage,
    Win,
    WinKind,
    ZoneSource,
)
from bot.schedule import Slot
from bot.writes import NewPlanned
from storage.bulk import (
    read_moment,
    read_optional_moment,
    read_shared_moment,
    read_time,
    read_wall_clock,
)
from storage.crypto import Cipher
from storage.tables import people, planned_messages

# A row read by column name: SQLAlchemy's, or one of storage.named_rows straight from the driver.
Read = Any

# Opens clear values and refuses sealed ones: the mappers' default when given no cipher.
CLEAR = Cipher()

# Enum members by stored value: a dictionary lookup is several times cheaper than the call.
_CHECKINS = {state.value: state for state in CheckinState}
_ZONE_SOURCES = {source.value: source for source in ZoneSource}
_PLANNED_STATES = {state.value: state for state in PlannedState}

# What :func:`person_from_row` reads, in its order: by name for raw SQL, and as columns.
PERSON_COLUMNS = (
    "id",
    "platform",
    "community",
    "user_id",
    "display_name",
    "timezone",
    "checkin_time",
    "quiet_start",
    "quiet_end",
    "weekdays_only",
    "created_at",
    "unreachable",
    "checkins",
    "paused_until",
    "timezone_source",
)
PERSON: tuple[Column[Any], ...] = tuple(people.c[name] for name in PERSON_COLUMNS)

# What :func:`planned_from_row` reads, in its order: by name for raw SQL, and as columns.
PLANNED_COLUMNS = (
    "id",
    "person_id",
    "kind",
    "due_at",
    "planned_local",
    "planned_zone",
    "state",
    "attempts",
    "rejection_id",
    "outcome",
    "application_id",
)
PLANNED: tuple[Column[Any], ...] = tuple(planned_messages.c[name] for name in PLANNED_COLUMNS)

# What :func:`community_from_values` reads, in its order: a community's settings.
COMMUNITY_COLUMNS = tuple(field.name for field in fields(Community))

# Where a planned message keeps its :class:`bot.schedule.Slot`.
SLOT_COLUMNS = ("due_at", "planned_local", "planned_zone")


def person_from_row(row: Sequence[Any], cipher: Cipher = CLEAR) -> Person:
    """A people row, its values in :data:`PERSON_COLUMNS` order, as the engine sees it.

    ``cipher`` opens the sealed display name; without one, a sealed value raises CipherError.
    """
    (
        id_,
        platform,
        community,
        user_id,
        display_name,
        timezone,
        checkin_time,
        quiet_start,
        quiet_end,
        weekdays_only,
        created_at,
        unreachable,
        checkins,
        paused_until,
        timezone_source,
    ) = row
    return Person(
        id_,
        platform,
        community,
        user_id,
        cipher.open(display_name),
        timezone,
        read_time(checkin_time),
        read_time(quiet_start),
        read_time(quiet_end),
        bool(weekdays_only),
        read_moment(created_at),
        unreachable,
        _CHECKINS[checkins],
        read_optional_moment(paused_until),
        _ZONE_SOURCES[timezone_source],
    )


def planned_from_row(row: Sequence[Any]) -> PlannedMessage:
    """A planned_messages row, its values in :data:`PLANNED_COLUMNS` order, as the engine
    sees it."""
    id_, person_id, kind, due, local, zone, state, attempts, rejection_id, outcome, app = row
    return PlannedMessage(
        id_,
        person_id,
        kind,
        read_shared_moment(due),
        read_wall_clock(local),
        zone,
        _PLANNED_STATES[state],
        attempts,
        rejection_id,
        outcome,
        app,
    )


def rejection_from_row(row: Read, cipher: Cipher = CLEAR) -> Rejection:
    """A rejections row as the engine sees it, its sealed values opened with ``cipher``
    (without one, a sealed value raises CipherError rather than reaching a person)."""
    return Rejection(
        id=row.id,
        person_id=row.person_id,
        company=cipher.open(row.company),
        role=cipher.open(row.role),
        stage=Stage(row.stage),
        rejected_on=row.rejected_on,
        interviewer=cipher.open(row.interviewer),
        feeling=row.feeling,
        created_at=row.created_at,
        note_sent_at=row.note_sent_at,
        feedback=cipher.open(row.feedback),
        feedback_at=row.feedback_at,
    )


def reflection_from_row(row: Read, cipher: Cipher = CLEAR) -> Reflection:
    """A reflections row, its note opened."""
    return Reflection(
        row.rejection_id, row.question, Answer(row.answer), cipher.open(row.note), row.created_at
    )


def win_from_row(row: Read, cipher: Cipher = CLEAR) -> Win:
    """A wins row, its text opened."""
    return Win(
        id=row.id,
        text=cipher.open(row.text),
        kind=WinKind(row.kind),
        created_at=row.created_at,
        number=row.number,
    )


def mood_from_row(row: Read, cipher: Cipher = CLEAR) -> Mood:
    """A moods row, its note opened."""
    return Mood(row.score, cipher.open(row.note), row.source, row.created_at)


def answer_from_row(row: Read, cipher: Cipher = CLEAR) -> CheckinAnswer:
    """An answers row, its value opened."""
    return CheckinAnswer(row.kind, cipher.open(row.value), row.created_at)


def conversation_from_row(row: Row[Any]) -> Conversation:
    """A conversations row."""
    return Conversation(row.topic, row.data, row.updated_at)


def community_from_row(row: Row[Any]) -> Community:
    """A communities row as the engine sees it."""
    return community_from_values([row._mapping[name] for name in COMMUNITY_COLUMNS])


def community_from_values(row: Sequence[Any]) -> Community:
    """A communities row, its values in :data:`COMMUNITY_COLUMNS` order, from SQLAlchemy or
    straight from the driver."""
    (
        platform,
        community,
        timezone,
        brag_channel,
        brag_weekday,
        brag_time,
        checkin_time,
        support_resources,
        brag_thread,
        pulse,
        practice,
        practice_channel,
        practice_weekday,
        practice_time,
        practice_every,
    ) = row
    return Community(
        platform,
        community,
        timezone,
        brag_channel,
        brag_weekday,
        read_time(brag_time),
        read_time(checkin_time),
        support_resources,
        bool(brag_thread),
        bool(pulse),
        bool(practice),
        practice_channel,
        practice_weekday,
        read_time(practice_time),
        practice_every,
    )


def slot_values(slot: Slot) -> dict[str, Any]:
    """A slot as the columns of :data:`SLOT_COLUMNS`."""
    return {"due_at": slot.due, "planned_local": slot.local, "planned_zone": slot.zone}


def planned_row(message: NewPlanned, now: dt.datetime) -> dict[str, Any]:
    """Column values for a new pending message."""
    return {
        "person_id": message.person_id,
        "platform": message.platform,
        "rejection_id": message.rejection_id,
        "kind": message.kind,
        **slot_values(message.slot),
        "state": PlannedState.PENDING.value,
        "attempts": 0,
        "claimed_by": "",
        "message_id": "",
        "outcome": "",
        "created_at": now,
        "application_id": message.application_id,
    }


def post_row(
    platform: str, community: str, kind: PostKind, week: str, channel: str, due: dt.datetime
) -> dict[str, Any]:
    """Column values for a new pending community post."""
    return {
        "platform": platform,
        "community": community,
        "kind": kind.value,
        "week": week,
        "person_id": None,
        "win_id": None,
        "body": "",
        "channel": channel,
        "thread": "",
        "message_id": "",
        "due_at": due,
        "state": "pending",
        "attempts": 0,
        "claimed_by": "",
        "outcome": "",
        "created_at": due,
    }
