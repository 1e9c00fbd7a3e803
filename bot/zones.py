"""A person's time zone: following the platform's, and guessing likely ones from a locale.

The zone decides when every check-in arrives, so it is only ever replaced by something better:
a guess (the community's zone) by the platform's profile, and either by the person's own
choice, which nothing overrides.
"""

from __future__ import annotations

import dataclasses

from bot import plan
from bot.events import Sender
from bot.model import ZoneSource
from bot.schedule import known_zone
from bot.turn import Turn


async def follow(turn: Turn, sender: Sender) -> Turn:
    """``turn`` with the person's zone set to the platform's (``sender.timezone``), their
    pending check-ins moved to the same local times there, unless they chose a zone."""
    person, zone = turn.person, sender.timezone
    if not zone or person.timezone_source is ZoneSource.PERSON or not known_zone(zone):
        return turn
    if zone == person.timezone and person.timezone_source is ZoneSource.PLATFORM:
        return turn
    moved = await turn.store.set_timezone(person.id, zone, ZoneSource.PLATFORM)
    if zone != person.timezone:
        await plan.follow_zone(turn, moved)
    return dataclasses.replace(turn, person=moved)
