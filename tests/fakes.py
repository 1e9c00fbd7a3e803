"""In-memory fakes of the engine's ports, for fast engine tests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, replace
from typing import Any

from bot.events import Sender
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
    RejectionDraft,
    Win,
    WinKind,
    ZoneSource,
)
from bot.schedule import Slot


class MemoryStore:
    """A :class:`bot.ports.Store` in dictionaries; behaves like the SQL store."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.people: dict[tuple[str, str, str], Person] = {}
        self.rejections_by_id: dict[int, Rejection] = {}
        self.reflections_by_key: dict[tuple[int, str], tuple[int, Reflection]] = {}
        self.wins_by_id: dict[int, tuple[int, Win]] = {}
        self.moods_by_person: dict[int, list[Mood]] = {}
        self.conversations: dict[int, Conversation] = {}
        self._order: dict[tuple[int, str], int] = {}
        self.planned_by_id: dict[int, PlannedMessage] = {}
        self.answers_by_person: dict[int, list[CheckinAnswer]] = {}
        self.communities: dict[tuple[str, str], Community] = {}
        self.posts: list[dict[str, Any]] = []
        self.memos: dict[str, str] = {}  # the Discord adapter's long buttons

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        yield

    async def person(self, sender: Sender, default_timezone: str, now: dt.datetime) -> Person:
        key = (sender.platform, sender.community, sender.user_id)
        home = self.communities.get((sender.platform, sender.community))
        if key not in self.people:
            self.people[key] = Person(
                id=next(self._ids),
                platform=sender.platform,
                community=sender.community,
                user_id=sender.user_id,
                display_name=sender.display_name[:100],
                timezone=home.timezone if home else default_timezone,
                checkin_time=home.checkin_time if home else dt.time(10, 0),
                quiet_start=dt.time(21, 0),
                quiet_end=dt.time(8, 0),
                weekdays_only=False,
                created_at=now,
            )
        return self.people[key]

    def _replace_person(self, person_id: int, **changes: object) -> Person:
        for key, person in self.people.items():
            if person.id == person_id:
                self.people[key] = replace(person, **changes)  # type: ignore[arg-type]
                return self.people[key]
        raise KeyError(person_id)

    async def update_settings(
        self,
        person_id: int,
        *,
        timezone: str,
        checkin_time: dt.time,
        quiet_start: dt.time,
        quiet_end: dt.time,
        weekdays_only: bool,
    ) -> Person:
        return self._replace_person(
            person_id,
            timezone=timezone,
            checkin_time=checkin_time,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            weekdays_only=weekdays_only,
        )

    async def known_person(self, sender: Sender) -> Person | None:
        return self.people.get((sender.platform, sender.community, sender.user_id))

    async def set_timezone(self, person_id: int, timezone: str, source: ZoneSource) -> Person:
        return self._replace_person(person_id, timezone=timezone, timezone_source=source)

    async def remember_memo(self, token: str, data: str, now: dt.datetime) -> None:
        self.memos.setdefault(token, data)

    async def memo(self, token: str) -> str | None:
        return self.memos.get(token)

    async def set_unreachable(self, person_id: int, reason: str, now: dt.datetime) -> None:
        self._replace_person(person_id, unreachable=reason)

    async def add_rejection(
        self, person_id: int, draft: RejectionDraft, now: dt.datetime
    ) -> Rejection:
        rejection = Rejection(
            id=next(self._ids),
            person_id=person_id,
            company=draft.company,
            role=draft.role,
            stage=draft.stage,
            rejected_on=draft.rejected_on,
            interviewer=draft.interviewer,
            feeling=draft.feeling,
            created_at=now,
        )
        self.rejections_by_id[rejection.id] = rejection
        await self.add_mood(person_id, draft.feeling, "", "rejection", now)
        return rejection

    async def rejections(self, person_id: int) -> Sequence[Rejection]:
        return [r for r in self.rejections_by_id.values() if r.person_id == person_id]

    async def _change(
        self, person_id: int, rejection_id: int, **changes: object
    ) -> Rejection | None:
        found = self.rejections_by_id.get(rejection_id)
        if found is None or found.person_id != person_id:
            return None
        self.rejections_by_id[rejection_id] = replace(found, **changes)  # type: ignore[arg-type]
        return self.rejections_by_id[rejection_id]

    async def mark_note_sent(
        self, person_id: int, rejection_id: int, now: dt.datetime
    ) -> Rejection | None:
        return await self._change(person_id, rejection_id, note_sent_at=now)

    async def log_feedback(
        self, person_id: int, rejection_id: int, text: str, now: dt.datetime
    ) -> Rejection | None:
        return await self._change(person_id, rejection_id, feedback=text, feedback_at=now)

    async def save_reflection(
        self,
        person_id: int,
        rejection_id: int,
        question: str,
        answer: Answer,
        note: str,
        now: dt.datetime,
    ) -> bool:
        found = self.rejections_by_id.get(rejection_id)
        if found is None or found.person_id != person_id:
            return False
        key = (rejection_id, question)
        self._order.setdefault(key, next(self._ids))
        self.reflections_by_key[key] = (
            person_id,
            Reflection(rejection_id, question, answer, note, now),
        )
        return True

    async def reflections(self, person_id: int) -> Sequence[Reflection]:
        mine = [
            (self._order[k], r) for k, (p, r) in self.reflections_by_key.items() if p == person_id
        ]
        return [r for _, r in sorted(mine, key=lambda pair: pair[0])]

    async def add_win(self, person_id: int, text: str, kind: WinKind, now: dt.datetime) -> Win:
        numbers = [w.number for p, w in self.wins_by_id.values() if p == person_id]
        number = max(numbers, default=0) + 1
        win = Win(id=next(self._ids), text=text, kind=kind, created_at=now, number=number)
        self.wins_by_id[win.id] = (person_id, win)
        return win

    async def wins(self, person_id: int) -> Sequence[Win]:
        return [w for p, w in self.wins_by_id.values() if p == person_id]

    async def set_win_kind(self, person_id: int, win_id: int, kind: WinKind) -> Win | None:
        found = self.wins_by_id.get(win_id)
        if found is None or found[0] != person_id:
            return None
        self.wins_by_id[win_id] = (person_id, replace(found[1], kind=kind))
        return self.wins_by_id[win_id][1]

    async def remove_win(self, person_id: int, win_id: int) -> bool:
        found = self.wins_by_id.get(win_id)
        if found is None or found[0] != person_id:
            return False
        del self.wins_by_id[win_id]
        return True

    async def add_mood(
        self, person_id: int, score: int, note: str, source: str, now: dt.datetime
    ) -> Mood:
        mood = Mood(score, note, source, now)
        self.moods_by_person.setdefault(person_id, []).append(mood)
        return mood

    async def moods(self, person_id: int, limit: int) -> Sequence[Mood]:
        moods = sorted(self.moods_by_person.get(person_id, []), key=lambda m: m.created_at)
        return moods[-limit:]

    async def conversation(self, person_id: int) -> Conversation | None:
        return self.conversations.get(person_id)

    async def set_conversation(
        self, person_id: int, topic: str, data: str, now: dt.datetime
    ) -> None:
        self.conversations[person_id] = Conversation(topic, data, now)

    async def clear_conversation(self, person_id: int) -> None:
        self.conversations.pop(person_id, None)

    async def set_checkins(
        self, person_id: int, state: CheckinState, paused_until: dt.datetime | None
    ) -> None:
        self._replace_person(person_id, checkins=state, paused_until=paused_until)

    async def replace_plan(
        self,
        person_id: int,
        platform: str,
        rejection_id: int | None,
        steps: Sequence[tuple[str, Slot]],
        now: dt.datetime,
    ) -> None:
        await self.cancel_planned(person_id, "superseded")
        for kind, slot in steps:
            await self.add_planned(person_id, platform, rejection_id, kind, slot, now)

    async def add_planned(
        self,
        person_id: int,
        platform: str,
        rejection_id: int | None,
        kind: str,
        slot: Slot,
        now: dt.datetime,
    ) -> None:
        message = PlannedMessage(
            id=next(self._ids),
            person_id=person_id,
            kind=kind,
            due=slot.due,
            local=slot.local,
            zone=slot.zone,
            state=PlannedState.PENDING,
            rejection_id=rejection_id,
        )
        self.planned_by_id[message.id] = message

    async def planned(self, person_id: int) -> Sequence[PlannedMessage]:
        mine = [
            m
            for m in self.planned_by_id.values()
            if m.person_id == person_id and m.state is PlannedState.PENDING
        ]
        return sorted(mine, key=lambda m: (m.due, m.id))

    async def move_planned(self, person_id: int, moves: Sequence[tuple[int, Slot]]) -> None:
        for planned_id, slot in moves:
            found = self.planned_by_id.get(planned_id)
            if found and found.person_id == person_id and found.state is PlannedState.PENDING:
                self.planned_by_id[planned_id] = replace(
                    found, due=slot.due, local=slot.local, zone=slot.zone
                )

    async def cancel_planned(self, person_id: int, outcome: str) -> int:
        cancelled = 0
        for planned_id, message in list(self.planned_by_id.items()):
            live = message.state in (PlannedState.PENDING, PlannedState.CLAIMED)
            if message.person_id == person_id and live:
                self.planned_by_id[planned_id] = replace(
                    message, state=PlannedState.SKIPPED, outcome=outcome
                )
                cancelled += 1
        return cancelled

    async def add_answer(self, person_id: int, kind: str, value: str, now: dt.datetime) -> None:
        self.answers_by_person.setdefault(person_id, []).append(CheckinAnswer(kind, value, now))

    async def answers(self, person_id: int) -> Sequence[CheckinAnswer]:
        return list(self.answers_by_person.get(person_id, []))

    async def community(
        self, platform: str, community: str, default_timezone: str, now: dt.datetime
    ) -> Community:
        key = (platform, community)
        if key not in self.communities:
            self.communities[key] = Community(platform, community, default_timezone)
        return self.communities[key]

    async def update_community(self, platform: str, community: str, **changes: Any) -> Community:
        key = (platform, community)
        self.communities[key] = replace(self.communities[key], **changes)
        return self.communities[key]

    async def share(
        self,
        person: Person,
        kind: PostKind,
        *,
        week: str,
        channel: str,
        win_id: int | None,
        body: str,
        now: dt.datetime,
    ) -> bool:
        live = ("pending", "sent")
        if win_id is not None and any(
            p["win_id"] == win_id and p["state"] in live for p in self.posts
        ):
            return False
        self.posts.append(
            {"person_id": person.id, "kind": kind, "week": week, "channel": channel,
             "win_id": win_id, "body": body, "state": "pending"}
        )  # fmt: skip
        return True

    async def unshare_win(self, person_id: int, win_id: int, now: dt.datetime) -> bool:
        found = False
        for post in self.posts:
            if post["person_id"] == person_id and post["win_id"] == win_id:
                post["state"] = "withdrawn"
                found = True
        return found

    async def unshare_all(self, person_id: int, now: dt.datetime) -> None:
        for post in self.posts:
            if post["person_id"] == person_id:
                post["state"] = "withdrawn"

    async def export(self, person_id: int) -> Mapping[str, Any]:
        person = next((p for p in self.people.values() if p.id == person_id), None)
        if person is None:
            return {}
        return {
            "person": asdict(person),
            "rejections": [asdict(r) for r in await self.rejections(person_id)],
            "reflections": [asdict(r) for r in await self.reflections(person_id)],
            "moods": [asdict(m) for m in self.moods_by_person.get(person_id, [])],
            "checkin_answers": [asdict(a) for a in await self.answers(person_id)],
            "wins": [asdict(w) for w in await self.wins(person_id)],
            "planned_messages": [
                asdict(m) for m in self.planned_by_id.values() if m.person_id == person_id
            ],
        }

    async def delete_person(self, person_id: int) -> None:
        self.people = {k: p for k, p in self.people.items() if p.id != person_id}
        self.rejections_by_id = {
            i: r for i, r in self.rejections_by_id.items() if r.person_id != person_id
        }
        self.reflections_by_key = {
            k: v for k, v in self.reflections_by_key.items() if v[0] != person_id
        }
        self.wins_by_id = {i: w for i, w in self.wins_by_id.items() if w[0] != person_id}
        self.moods_by_person.pop(person_id, None)
        self.conversations.pop(person_id, None)
        self.planned_by_id = {
            i: m for i, m in self.planned_by_id.items() if m.person_id != person_id
        }
        self.answers_by_person.pop(person_id, None)
