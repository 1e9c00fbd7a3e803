"""Plans: the messages the bot means to send a person, as the engine plans and re-plans them
(:class:`bot.ports.Plans`). The dispatcher takes them from here through ``storage.outbox``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot import practice_kit
from bot.model import PlannedMessage, PlannedState
from bot.schedule import Slot
from bot.writes import NewPlanned, RecoveryPlan
from storage.database import dialect_insert
from storage.prepared import Driver
from storage.rows import (
    PLANNED,
    SLOT_COLUMNS,
    planned_from_row,
    planned_row,
    slot_values,
)
from storage.schema import PENDING_CHECKIN
from storage.tables import planned_messages
from storage.transactions import Transactional

PENDING = PlannedState.PENDING.value
# What a new plan or a cancellation ends: a claimed message too, since the dispatcher's last
# look before sending finds it no longer claimed, and it is not sent.
LIVE = [PENDING, PlannedState.CLAIMED.value]

# A new plan replaces the recovery plan, not reminders nor practice partners' messages.
_SUPERSEDE = f"""
UPDATE planned_messages SET state = '{PlannedState.SKIPPED.value}', outcome = 'superseded'
WHERE person_id = ? AND state IN ({", ".join(f"'{state}'" for state in LIVE)})
    AND application_id IS NULL
    AND kind NOT IN ({", ".join(f"'{kind}'" for kind in sorted(practice_kit.KINDS))})
"""
_PLAN = f"""
INSERT INTO planned_messages (person_id, platform, rejection_id, kind, due_at, planned_local,
    planned_zone, created_at, state, attempts, claimed_by, message_id, outcome, application_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{PENDING}', 0, '', '', '', NULL)
"""


class SqlPlans(Transactional):
    """:class:`bot.ports.Plans` on SQLAlchemy."""

    async def replace_plan(self, plan: RecoveryPlan, now: dt.datetime) -> None:
        def replace(driver: Driver) -> None:
            driver.execute(_SUPERSEDE, (plan.person_id,))
            moment, local, at = driver.moment, driver.wall_clock, driver.moment(now)
            mine = (plan.person_id, plan.platform, plan.rejection_id)
            driver.executemany(
                _PLAN,
                [(*mine, k, moment(s.due), local(s.local), s.zone, at) for k, s in plan.steps],
            )

        await self._hot_write(replace)

    async def add_planned(self, message: NewPlanned, now: dt.datetime) -> None:
        values = planned_row(message, now)
        async with self._connect() as connection:
            await connection.execute(plan_one(self._engine, values))

    async def planned(self, person_id: int) -> Sequence[PlannedMessage]:
        async with self._connect() as connection:
            return await pending(connection, person_id, reminders=False)

    async def move_planned(self, person_id: int, moves: Sequence[tuple[int, Slot]]) -> None:
        if not moves:
            return
        # Bound names differ from the columns': SQLAlchemy keeps those for its own SET values.
        statement = (
            update(planned_messages)
            .where(
                planned_messages.c.id == bindparam("b_id"),
                planned_messages.c.person_id == person_id,
                planned_messages.c.state == PENDING,
            )
            .values({name: bindparam(f"b_{name}") for name in SLOT_COLUMNS})
        )
        async with self._connect() as connection:
            await connection.execute(
                statement,
                [
                    {"b_id": planned_id, **{f"b_{k}": v for k, v in slot_values(slot).items()}}
                    for planned_id, slot in moves
                ],
            )

    async def cancel_planned(self, person_id: int, outcome: str) -> int:
        async with self._connect() as connection:
            return await skip_live(connection, person_id, outcome)


async def pending(
    connection: AsyncConnection, person_id: int, *, reminders: bool
) -> list[PlannedMessage]:
    """The person's pending check-ins, or their pending reminders about applications, soonest
    first."""
    about = planned_messages.c.application_id
    rows = await connection.execute(
        select(*PLANNED)
        .where(
            planned_messages.c.person_id == person_id,
            planned_messages.c.state == PENDING,
            about.is_not(None) if reminders else about.is_(None),
        )
        .order_by(planned_messages.c.due_at, planned_messages.c.id)
    )
    return [planned_from_row(row) for row in rows]


async def skip_live(
    connection: AsyncConnection, person_id: int, outcome: str, *which: ColumnElement[bool]
) -> int:
    """Skip the person's pending or claimed messages (those ``which`` picks, if given),
    recording why; returns how many."""
    result = await connection.execute(
        update(planned_messages)
        .where(
            planned_messages.c.person_id == person_id,
            planned_messages.c.state.in_(LIVE),
            *which,
        )
        .values(state=PlannedState.SKIPPED.value, outcome=outcome[:32])
    )
    return result.rowcount


def plan_one(engine: AsyncEngine, values: dict[str, Any]) -> Any:
    """The statement planning one check-in (``values`` from :func:`storage.rows.planned_row`).
    One pending check-in per kind and person (a partial unique index): asking for one that is
    already pending moves it instead."""
    statement = dialect_insert(engine, planned_messages).values(**values)
    return statement.on_conflict_do_update(
        index_elements=[planned_messages.c.person_id, planned_messages.c.kind],
        # The index's own predicate, written out: PostgreSQL infers a partial index only from
        # a predicate that implies its text.
        index_where=text(PENDING_CHECKIN),
        set_={name: statement.excluded[name] for name in SLOT_COLUMNS},
    )
