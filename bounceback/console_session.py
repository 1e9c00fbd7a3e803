"""``bounceback console``: the engine, the store and a check-in round in one terminal session.

The session has its own clock (real time until ``/next`` moves it forward): the engine's
``now`` for every line typed and every check-in round read that one clock.
"""

from __future__ import annotations

import datetime as dt
import sys
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.console.chat import Console
from adapters.console.lines import FileLines
from adapters.console.local_zone import local_zone
from adapters.console.messenger import ConsoleMessenger
from adapters.console.preview import OffsetClock, Rounds
from adapters.console.texts import texts
from bot.events import Sender
from bot.model import PlannedState
from bounceback.bootstrap import open_services
from bounceback.settings import Settings
from storage.tables import people, planned_messages

# /next skips a check-in the plan moves instead of sending (a paused day): this many at most.
MOST_HOPS = 10


@dataclass(frozen=True, slots=True)
class Planned:
    """When the next check-in is due, and that moment in the person's zone."""

    due_at: dt.datetime
    local: dt.datetime


async def next_checkin(db: AsyncEngine, sender: Sender) -> Planned | None:
    """The person's earliest check-in still waiting to be sent, if any."""
    t, p = planned_messages, people
    query = (
        select(t.c.due_at, t.c.planned_zone)
        .join(p, p.c.id == t.c.person_id)
        .where(
            p.c.platform == sender.platform,
            p.c.community == sender.community,
            p.c.user_id == sender.user_id,
            t.c.state == PlannedState.PENDING.value,
        )
        .order_by(t.c.due_at)
        .limit(1)
    )
    async with db.connect() as connection:
        row = (await connection.execute(query)).first()
    if row is None:
        return None
    due: dt.datetime = row.due_at
    return Planned(due, due.astimezone(zoneinfo.ZoneInfo(row.planned_zone)))


async def chat(settings: Settings, user: str) -> int:
    """Chat as ``user`` on this process's standard input and output until either ends."""
    clock = OffsetClock()
    sender = Sender("console", "console", user, user, is_admin=True, timezone=local_zone())
    async with open_services(settings) as services:
        console = Console(
            engine=services.engine,
            sender=sender,
            lines=FileLines(0, sys.stdin.encoding) if sys.stdin else FileLines(None),
            clock=clock,
            interactive=bool(sys.stdin and sys.stdin.isatty()),
        )
        messenger = ConsoleMessenger(console)
        dispatcher = services.dispatcher({messenger.platform: messenger})
        rounds = Rounds(dispatcher, clock, settings.tick_seconds, daily=services.sweep)
        async with rounds:

            async def walk_forward(_: str) -> None:
                """``/next``: the clock to the next check-in, and a round to deliver it."""
                shown = messenger.delivered
                for _hop in range(MOST_HOPS):
                    planned = await next_checkin(services.db, sender)
                    if planned is None:
                        console.say(texts().next_nothing)
                        return
                    clock.advance_to(planned.due_at)
                    console.say(texts().next_moved.format(when=f"{planned.local:%a %d %b %H:%M}"))
                    await rounds.run()
                    if messenger.delivered > shown:
                        return

            console.after_event = rounds.run
            console.local = {"next": walk_forward}
            await console.run()
    return 0
