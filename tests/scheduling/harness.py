"""Fakes and helpers for scheduler tests: a recording messenger and quick seeding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from bot.replies import Reply
from storage.tables import people, planned_messages


@dataclass
class Delivery:
    recipient: Sender
    replies: list[Reply]
    key: str


@dataclass
class RecordingMessenger:
    """A fake platform: records every delivery; can be told to fail the next ones."""

    platform: str = "console"
    sent: list[Delivery] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(Delivery(recipient, list(replies), key))
        return f"msg-{len(self.sent)}"

    def fail_next(self, *errors: Exception) -> None:
        self.failures.extend(errors)

    @property
    def texts(self) -> list[str]:
        return ["\n".join(r.text for r in d.replies) for d in self.sent]


def person_row(
    platform: str, community: str, user_id: str, name: str, created_at: dt.datetime
) -> dict[str, object]:
    """A ``people`` row as the seeds write it straight into the table: check-ins on, at 10:00
    UTC every day, no quiet hours."""
    return {
        "platform": platform,
        "community": community,
        "user_id": user_id,
        "display_name": name,
        "timezone": "UTC",
        "checkin_time": dt.time(10, 0),
        "quiet_start": dt.time(0, 0),
        "quiet_end": dt.time(0, 0),
        "weekdays_only": False,
        "unreachable": "",
        "checkins": "active",
        "created_at": created_at,
    }


def pending_row(person_id: int, platform: str, kind: str, due: dt.datetime) -> dict[str, object]:
    """A ``planned_messages`` row as the seeds write it: pending, due at ``due`` (UTC)."""
    return {
        "person_id": person_id,
        "platform": platform,
        "rejection_id": None,
        "kind": kind,
        "due_at": due,
        "planned_local": due.replace(tzinfo=None),
        "planned_zone": "UTC",
        "state": "pending",
        "attempts": 0,
        "claimed_by": "",
        "message_id": "",
        "outcome": "",
        "created_at": due,
    }


async def seed_due(
    db: AsyncEngine,
    count: int,
    due: dt.datetime,
    *,
    platform: str = "console",
    kind: str = "weekly",
    user_ids: Sequence[str] | None = None,
    dues: Sequence[dt.datetime] | None = None,
) -> None:
    """``count`` people, each with one message due at ``due`` (fast, set-based inserts);
    ``user_ids`` and ``dues`` give each their own (in the order of ``range(count)``)."""
    async with db.begin() as connection:
        await connection.execute(
            people.insert(),
            [
                person_row(
                    platform, "seed", user_ids[n] if user_ids else f"user-{n}", f"Person {n}", due
                )
                for n in range(count)
            ],
        )
        ids = [
            row.id
            for row in await connection.execute(
                people.select().where(people.c.community == "seed").order_by(people.c.id)
            )
        ]
        await connection.execute(
            planned_messages.insert(),
            [
                pending_row(person_id, platform, kind, dues[n] if dues else due)
                for n, person_id in enumerate(ids)
            ],
        )
