"""The in-memory fake of :class:`bot.ports.Practice`."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.practice_model import Met, PracticeChoices, PracticeMember, PracticeState
from tests.fakes.state import MemoryState


class MemoryPractice(MemoryState):
    """:class:`bot.ports.Practice` in dictionaries; behaves like ``storage.practice``."""

    async def practice_member(self, person_id: int) -> PracticeMember | None:
        return self.practice_members.get(person_id)

    async def join_practice(
        self, person_id: int, choices: PracticeChoices, now: dt.datetime
    ) -> PracticeMember:
        member = PracticeMember(
            person_id, PracticeState.ACTIVE, choices.areas, choices.role_kind, choices.availability
        )
        self.practice_members[person_id] = member
        return member

    async def set_practice_state(
        self, person_id: int, state: PracticeState, paused_until: dt.datetime | None
    ) -> PracticeMember | None:
        member = self.practice_members.get(person_id)
        if member is None:
            return None
        member = replace(member, state=state, paused_until=paused_until)
        if state is PracticeState.LEFT:
            member = replace(member, areas=(), role_kind="")
        self.practice_members[person_id] = member
        return member

    async def latest_practice(self, person_id: int) -> tuple[str, Met] | None:
        mine = [r for r in self.practice_rounds if r["person_id"] == person_id
                and r["state"] == "introduced"]  # fmt: skip
        if not mine:
            return None
        latest = max(mine, key=lambda r: str(r["week"]))
        return str(latest["week"]), Met(str(latest["met"]))

    async def record_practice(self, person_id: int, week: str, met: Met, now: dt.datetime) -> bool:
        found = False
        for row in self.practice_rounds:
            if (row["person_id"], row["week"], row["state"]) == (person_id, week, "introduced"):
                row.update(met=met.value, met_at=now)
                found = True
        return found
