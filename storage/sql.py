"""The engine's :class:`bot.ports.Store` on SQLAlchemy, for SQLite and PostgreSQL alike.

Statements are SQLAlchemy Core on the ORM's tables: each call is one short transaction, and
Core keeps the per-event cost to a few hundred microseconds on SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

from sqlalchemy import Row, String, Table, Time, bindparam, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
    Stage,
    Win,
    WinKind,
    ZoneSource,
)
from bot.schedule import Slot
from storage.crypto import Cipher
from storage.database import checkpoint
from storage.privacy import PERSONAL_TABLES, export, reseal
from storage.tables import (
    AnswerRow,
    ButtonMemoRow,
    CommunityPostRow,
    CommunityRow,
    ConversationRow,
    MoodRow,
    OrganizationMemberRow,
    PersonRow,
    PlannedMessageRow,
    ProcessedEventRow,
    ReflectionRow,
    RejectionRow,
    WinRow,
)

people: Table = PersonRow.__table__  # type: ignore[assignment]
rejections: Table = RejectionRow.__table__  # type: ignore[assignment]
reflections: Table = ReflectionRow.__table__  # type: ignore[assignment]
wins: Table = WinRow.__table__  # type: ignore[assignment]
moods: Table = MoodRow.__table__  # type: ignore[assignment]
conversations: Table = ConversationRow.__table__  # type: ignore[assignment]
processed_events: Table = ProcessedEventRow.__table__  # type: ignore[assignment]
planned_messages: Table = PlannedMessageRow.__table__  # type: ignore[assignment]
answers: Table = AnswerRow.__table__  # type: ignore[assignment]
communities: Table = CommunityRow.__table__  # type: ignore[assignment]
community_posts: Table = CommunityPostRow.__table__  # type: ignore[assignment]
button_memos: Table = ButtonMemoRow.__table__  # type: ignore[assignment]

# Opens clear values and refuses sealed ones: the mappers' default when given no cipher.
_CLEAR = Cipher()


def dialect_insert(engine: AsyncEngine, table: Table) -> Any:
    """An INSERT that knows ``ON CONFLICT`` on the engine's dialect."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


class SqlStore:
    """Per-person records in the relational database.

    Inside :meth:`transaction` every call shares one connection and commits together; outside
    it each call is a transaction of its own.
    """

    def __init__(self, engine: AsyncEngine, cipher: Cipher | None = None) -> None:
        self._engine = engine
        self._cipher = cipher or Cipher()
        self._current: ContextVar[AsyncConnection | None] = ContextVar("connection", default=None)
        # Set by a deletion inside a transaction: the WAL is checkpointed once it commits.
        self._erased: ContextVar[bool] = ContextVar("erased", default=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the calls made inside as one transaction (one event, all or nothing)."""
        if self._current.get() is not None:
            yield
            return
        async with self._engine.begin() as connection:
            token = self._current.set(connection)
            try:
                yield
            finally:
                self._current.reset(token)
        if self._erased.get():
            self._erased.set(False)
            await checkpoint(self._engine)

    async def _erase_after_commit(self) -> None:
        """Leave nothing of deleted rows in the database files once the deletion commits."""
        if self._current.get() is not None:
            self._erased.set(True)
        else:
            await checkpoint(self._engine)

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[AsyncConnection]:
        current = self._current.get()
        if current is not None:
            yield current
            return
        async with self._engine.begin() as connection:
            yield connection

    async def person(self, sender: Sender, default_timezone: str, now: dt.datetime) -> Person:
        key = (
            people.c.platform == sender.platform,
            people.c.community == sender.community,
            people.c.user_id == sender.user_id,
        )
        async with self._connect() as connection:
            row = (await connection.execute(select(people).where(*key))).first()
        if row is not None:
            return person_from_row(row, self._cipher)
        # A new member starts with their community's time zone and check-in time, if its
        # admins set them. Two instances may meet a new person at once: the unique key lets
        # one row win.
        home = (
            communities.c.platform == sender.platform,
            communities.c.community == sender.community,
        )
        statement = (
            dialect_insert(self._engine, people)
            .values(
                platform=sender.platform,
                community=sender.community,
                user_id=sender.user_id,
                display_name=self._cipher.seal(sender.display_name[:100]),
                timezone=func.coalesce(
                    select(communities.c.timezone).where(*home).scalar_subquery(),
                    literal(default_timezone, String),
                ),
                checkin_time=func.coalesce(
                    select(communities.c.checkin_time).where(*home).scalar_subquery(),
                    literal(dt.time(10, 0), Time),
                ),
                quiet_start=dt.time(21, 0),
                quiet_end=dt.time(8, 0),
                weekdays_only=False,
                unreachable="",
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(*people.c)
        )
        async with self._connect() as connection:
            row = (await connection.execute(statement)).first()
            if row is None:
                row = (await connection.execute(select(people).where(*key))).one()
        return person_from_row(row, self._cipher)

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
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    update(people)
                    .where(people.c.id == person_id)
                    .values(
                        timezone=timezone,
                        checkin_time=checkin_time,
                        quiet_start=quiet_start,
                        quiet_end=quiet_end,
                        weekdays_only=weekdays_only,
                    )
                    .returning(*people.c)
                )
            ).one()
        return person_from_row(row, self._cipher)

    async def known_person(self, sender: Sender) -> Person | None:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    select(people).where(
                        people.c.platform == sender.platform,
                        people.c.community == sender.community,
                        people.c.user_id == sender.user_id,
                    )
                )
            ).first()
        return None if row is None else person_from_row(row, self._cipher)

    async def set_timezone(self, person_id: int, timezone: str, source: ZoneSource) -> Person:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    update(people)
                    .where(people.c.id == person_id)
                    .values(timezone=timezone, timezone_source=source.value)
                    .returning(*people.c)
                )
            ).one()
        return person_from_row(row, self._cipher)

    async def remember_memo(self, token: str, data: str, now: dt.datetime) -> None:
        """Keep what a platform button means under ``token`` (the Discord adapter's long
        buttons and forms), sealed like everything a person typed."""
        async with self._connect() as connection:
            await connection.execute(
                dialect_insert(self._engine, button_memos)
                .values(token=token, data=self._cipher.seal(data), created_at=now)
                .on_conflict_do_nothing()
            )

    async def memo(self, token: str) -> str | None:
        """What :meth:`remember_memo` kept under ``token``."""
        async with self._connect() as connection:
            data = await connection.scalar(
                select(button_memos.c.data).where(button_memos.c.token == token)
            )
        return None if data is None else self._cipher.open(data)

    async def set_unreachable(self, person_id: int, reason: str, now: dt.datetime) -> None:
        async with self._connect() as connection:
            await connection.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(unreachable=reason[:32], unreachable_at=now if reason else None)
            )

    async def add_rejection(
        self, person_id: int, draft: RejectionDraft, now: dt.datetime
    ) -> Rejection:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    rejections.insert()
                    .values(
                        person_id=person_id,
                        company=self._cipher.seal(draft.company),
                        role=self._cipher.seal(draft.role),
                        stage=draft.stage.value,
                        rejected_on=draft.rejected_on,
                        interviewer=self._cipher.seal(draft.interviewer),
                        feeling=draft.feeling,
                        created_at=now,
                        feedback="",
                    )
                    .returning(*rejections.c)
                )
            ).one()
            await connection.execute(
                moods.insert().values(
                    person_id=person_id,
                    score=draft.feeling,
                    note="",
                    source="rejection",
                    created_at=now,
                )
            )
        return rejection_from_row(row, self._cipher)

    async def rejections(self, person_id: int) -> Sequence[Rejection]:
        async with self._connect() as connection:
            rows = await connection.execute(
                select(rejections)
                .where(rejections.c.person_id == person_id)
                .order_by(rejections.c.id)
            )
            return [rejection_from_row(row, self._cipher) for row in rows]

    async def mark_note_sent(
        self, person_id: int, rejection_id: int, now: dt.datetime
    ) -> Rejection | None:
        return await self._change_rejection(person_id, rejection_id, note_sent_at=now)

    async def log_feedback(
        self, person_id: int, rejection_id: int, text: str, now: dt.datetime
    ) -> Rejection | None:
        return await self._change_rejection(
            person_id, rejection_id, feedback=self._cipher.seal(text), feedback_at=now
        )

    async def _change_rejection(
        self, person_id: int, rejection_id: int, **values: Any
    ) -> Rejection | None:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    update(rejections)
                    .where(rejections.c.id == rejection_id, rejections.c.person_id == person_id)
                    .values(**values)
                    .returning(*rejections.c)
                )
            ).first()
        return None if row is None else rejection_from_row(row, self._cipher)

    async def save_reflection(
        self,
        person_id: int,
        rejection_id: int,
        question: str,
        answer: Answer,
        note: str,
        now: dt.datetime,
    ) -> bool:
        async with self._connect() as connection:
            owned = await connection.scalar(
                select(rejections.c.id).where(
                    rejections.c.id == rejection_id, rejections.c.person_id == person_id
                )
            )
            if owned is None:
                return False
            values = {"answer": answer.value, "note": self._cipher.seal(note), "created_at": now}
            await connection.execute(
                dialect_insert(self._engine, reflections)
                .values(person_id=person_id, rejection_id=rejection_id, question=question, **values)
                .on_conflict_do_update(index_elements=["rejection_id", "question"], set_=values)
            )
        return True

    async def reflections(self, person_id: int) -> Sequence[Reflection]:
        async with self._connect() as connection:
            rows = await connection.execute(
                select(reflections)
                .where(reflections.c.person_id == person_id)
                .order_by(reflections.c.id)
            )
            return [
                Reflection(
                    r.rejection_id,
                    r.question,
                    Answer(r.answer),
                    self._cipher.open(r.note),
                    r.created_at,
                )
                for r in rows
            ]

    async def add_win(self, person_id: int, text: str, kind: WinKind, now: dt.datetime) -> Win:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    wins.insert()
                    .values(
                        person_id=person_id,
                        text=self._cipher.seal(text),
                        kind=kind.value,
                        created_at=now,
                        number=select(func.coalesce(func.max(wins.c.number), 0) + 1)
                        .where(wins.c.person_id == person_id)
                        .scalar_subquery(),
                    )
                    .returning(*wins.c)
                )
            ).one()
        return self._opened_win(_win(row))

    async def wins(self, person_id: int) -> Sequence[Win]:
        async with self._connect() as connection:
            rows = await connection.execute(
                select(wins).where(wins.c.person_id == person_id).order_by(wins.c.id)
            )
            return [self._opened_win(_win(row)) for row in rows]

    async def set_win_kind(self, person_id: int, win_id: int, kind: WinKind) -> Win | None:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    update(wins)
                    .where(wins.c.id == win_id, wins.c.person_id == person_id)
                    .values(kind=kind.value)
                    .returning(*wins.c)
                )
            ).first()
        return None if row is None else self._opened_win(_win(row))

    async def remove_win(self, person_id: int, win_id: int) -> bool:
        async with self._connect() as connection:
            result = await connection.execute(
                delete(wins).where(wins.c.id == win_id, wins.c.person_id == person_id)
            )
        await self._erase_after_commit()
        return result.rowcount > 0

    async def add_mood(
        self, person_id: int, score: int, note: str, source: str, now: dt.datetime
    ) -> Mood:
        async with self._connect() as connection:
            await connection.execute(
                moods.insert().values(
                    person_id=person_id,
                    score=score,
                    note=self._cipher.seal(note),
                    source=source,
                    created_at=now,
                )
            )
        return Mood(score, note, source, now)

    async def moods(self, person_id: int, limit: int) -> Sequence[Mood]:
        async with self._connect() as connection:
            rows = await connection.execute(
                select(moods)
                .where(moods.c.person_id == person_id)
                .order_by(moods.c.created_at.desc(), moods.c.id.desc())
                .limit(limit)
            )
            opened = [
                Mood(r.score, self._cipher.open(r.note), r.source, r.created_at) for r in rows
            ]
            return opened[::-1]

    async def conversation(self, person_id: int) -> Conversation | None:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    select(conversations).where(conversations.c.person_id == person_id)
                )
            ).first()
        return None if row is None else Conversation(row.topic, row.data, row.updated_at)

    async def set_conversation(
        self, person_id: int, topic: str, data: str, now: dt.datetime
    ) -> None:
        values = {"topic": topic, "data": data, "updated_at": now}
        async with self._connect() as connection:
            await connection.execute(
                dialect_insert(self._engine, conversations)
                .values(person_id=person_id, **values)
                .on_conflict_do_update(index_elements=["person_id"], set_=values)
            )

    async def clear_conversation(self, person_id: int) -> None:
        async with self._connect() as connection:
            await connection.execute(
                delete(conversations).where(conversations.c.person_id == person_id)
            )

    async def set_checkins(
        self, person_id: int, state: CheckinState, paused_until: dt.datetime | None
    ) -> None:
        async with self._connect() as connection:
            await connection.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(checkins=state.value, paused_until=paused_until)
            )

    async def replace_plan(
        self,
        person_id: int,
        platform: str,
        rejection_id: int | None,
        steps: Sequence[tuple[str, Slot]],
        now: dt.datetime,
    ) -> None:
        async with self._connect() as connection:
            # A claimed one of the old plan is superseded too: the dispatcher's last look
            # before sending finds it no longer claimed, and it is not sent.
            await connection.execute(
                update(planned_messages)
                .where(
                    planned_messages.c.person_id == person_id,
                    planned_messages.c.state.in_(
                        [PlannedState.PENDING.value, PlannedState.CLAIMED.value]
                    ),
                )
                .values(state=PlannedState.SKIPPED.value, outcome="superseded")
            )
            if steps:
                await connection.execute(
                    planned_messages.insert(),
                    [planned_row(person_id, platform, rejection_id, k, s, now) for k, s in steps],
                )

    async def add_planned(
        self,
        person_id: int,
        platform: str,
        rejection_id: int | None,
        kind: str,
        slot: Slot,
        now: dt.datetime,
    ) -> None:
        # One pending message per kind and person (a unique index): asking for one that is
        # already pending moves it instead.
        statement = dialect_insert(self._engine, planned_messages).values(
            **planned_row(person_id, platform, rejection_id, kind, slot, now)
        )
        statement = statement.on_conflict_do_update(
            index_elements=[planned_messages.c.person_id, planned_messages.c.kind],
            index_where=planned_messages.c.state == PlannedState.PENDING.value,
            set_={
                "due_at": statement.excluded.due_at,
                "planned_local": statement.excluded.planned_local,
                "planned_zone": statement.excluded.planned_zone,
            },
        )
        async with self._connect() as connection:
            await connection.execute(statement)

    async def planned(self, person_id: int) -> Sequence[PlannedMessage]:
        async with self._connect() as connection:
            rows = await connection.execute(
                select(planned_messages)
                .where(
                    planned_messages.c.person_id == person_id,
                    planned_messages.c.state == PlannedState.PENDING.value,
                )
                .order_by(planned_messages.c.due_at, planned_messages.c.id)
            )
            return [planned_message(row) for row in rows]

    async def move_planned(self, person_id: int, moves: Sequence[tuple[int, Slot]]) -> None:
        if not moves:
            return
        statement = (
            update(planned_messages)
            .where(
                planned_messages.c.id == bindparam("b_id"),
                planned_messages.c.person_id == person_id,
                planned_messages.c.state == PlannedState.PENDING.value,
            )
            .values(
                due_at=bindparam("b_due"),
                planned_local=bindparam("b_local"),
                planned_zone=bindparam("b_zone"),
            )
        )
        async with self._connect() as connection:
            await connection.execute(
                statement,
                [
                    {"b_id": i, "b_due": s.due, "b_local": s.local, "b_zone": s.zone}
                    for i, s in moves
                ],
            )

    async def cancel_planned(self, person_id: int, outcome: str) -> int:
        async with self._connect() as connection:
            result = await connection.execute(
                update(planned_messages)
                .where(
                    planned_messages.c.person_id == person_id,
                    planned_messages.c.state.in_(
                        [PlannedState.PENDING.value, PlannedState.CLAIMED.value]
                    ),
                )
                .values(state=PlannedState.SKIPPED.value, outcome=outcome[:32])
            )
        return result.rowcount

    async def add_answer(self, person_id: int, kind: str, value: str, now: dt.datetime) -> None:
        async with self._connect() as connection:
            await connection.execute(
                answers.insert().values(
                    person_id=person_id, kind=kind, value=self._cipher.seal(value), created_at=now
                )
            )

    async def answers(self, person_id: int) -> Sequence[CheckinAnswer]:
        async with self._connect() as connection:
            rows = await connection.execute(
                select(answers).where(answers.c.person_id == person_id).order_by(answers.c.id)
            )
            return [CheckinAnswer(r.kind, self._cipher.open(r.value), r.created_at) for r in rows]

    async def community(
        self, platform: str, community: str, default_timezone: str, now: dt.datetime
    ) -> Community:
        key = (communities.c.platform == platform, communities.c.community == community)
        async with self._connect() as connection:
            row = (await connection.execute(select(communities).where(*key))).first()
            if row is None:
                await connection.execute(
                    dialect_insert(self._engine, communities)
                    .values(
                        platform=platform,
                        community=community,
                        timezone=default_timezone,
                        brag_channel="",
                        brag_weekday=0,
                        brag_time=dt.time(10, 0),
                        checkin_time=dt.time(10, 0),
                        support_resources="",
                        brag_thread=True,
                        pulse=True,
                        created_at=now,
                    )
                    .on_conflict_do_nothing()
                )
                row = (await connection.execute(select(communities).where(*key))).one()
        return community_from_row(row)

    async def update_community(self, platform: str, community: str, **changes: Any) -> Community:
        async with self._connect() as connection:
            row = (
                await connection.execute(
                    update(communities)
                    .where(communities.c.platform == platform, communities.c.community == community)
                    .values(**changes)
                    .returning(*communities.c)
                )
            ).one()
        return community_from_row(row)

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
        async with self._connect() as connection:
            if win_id is not None:
                existing = await connection.scalar(
                    select(community_posts.c.id).where(
                        community_posts.c.win_id == win_id,
                        community_posts.c.person_id == person.id,
                        community_posts.c.kind == PostKind.SHARE_WIN.value,
                        community_posts.c.state.in_(["pending", "claimed", "sent"]),
                    )
                )
                if existing is not None:
                    return False
            # The week's thread opens now if it was not due yet: a share needs its home.
            thread = post_row(
                person.platform, person.community, PostKind.BRAG_THREAD, week, channel, now
            )
            await connection.execute(
                dialect_insert(self._engine, community_posts)
                .values(**thread)
                .on_conflict_do_nothing()
            )
            await connection.execute(
                update(community_posts)
                .where(
                    community_posts.c.platform == person.platform,
                    community_posts.c.community == person.community,
                    community_posts.c.kind == PostKind.BRAG_THREAD.value,
                    community_posts.c.week == week,
                    community_posts.c.state == "pending",
                    community_posts.c.due_at > now,
                )
                .values(due_at=now)
            )
            shared = post_row(person.platform, person.community, kind, week, channel, now)
            await connection.execute(
                community_posts.insert().values(
                    {
                        **shared,
                        "person_id": person.id,
                        "win_id": win_id,
                        "body": self._cipher.seal(body),
                    }
                )
            )
        return True

    async def unshare_win(self, person_id: int, win_id: int, now: dt.datetime) -> bool:
        return await self._unshare(person_id, now, community_posts.c.win_id == win_id) > 0

    async def unshare_all(self, person_id: int, now: dt.datetime) -> None:
        await self._unshare(person_id, now)

    async def _unshare(self, person_id: int, now: dt.datetime, *where: Any) -> int:
        """Cancel the person's unsent shares and plan the removal of the sent ones."""
        posts = community_posts
        mine = (
            posts.c.person_id == person_id,
            posts.c.kind.in_([PostKind.SHARE_WIN.value, PostKind.SHARE_HIRED.value]),
            *where,
        )
        async with self._connect() as connection:
            cancelled = await connection.execute(
                update(posts)
                .where(*mine, posts.c.state.in_(["pending", "claimed"]))
                .values(state="skipped", outcome="withdrawn", body="")
            )
            sent = (
                await connection.execute(select(posts).where(*mine, posts.c.state == "sent"))
            ).all()
            for row in sent:
                removal = post_row(
                    row.platform, row.community, PostKind.UNSHARE, row.week, row.channel, now
                )
                await connection.execute(
                    posts.insert().values(
                        {**removal, "thread": row.thread, "message_id": row.message_id}
                    )
                )
                await connection.execute(
                    update(posts)
                    .where(posts.c.id == row.id)
                    .values(state="skipped", outcome="withdrawn", body="")
                )
        return cancelled.rowcount + len(sent)

    async def export(self, person_id: int) -> Mapping[str, Any]:
        async with self._connect() as connection:
            return await export(connection, self._cipher, person_id)

    async def delete_person(self, person_id: int) -> None:
        async with self._connect() as connection:
            # Claimed check-ins go too: the dispatcher re-checks its claims before sending.
            for _, table in PERSONAL_TABLES:
                await connection.execute(delete(table).where(table.c.person_id == person_id))
            await connection.execute(delete(people).where(people.c.id == person_id))
        await self._erase_after_commit()

    def _opened_win(self, win: Win) -> Win:
        return replace(win, text=self._cipher.open(win.text))

    async def reseal(self) -> int:
        """Seal every sealed value with the current key (after adding or rotating a key);
        returns how many values changed."""
        return await reseal(self._engine, self._cipher)

    async def delete_community(self, platform: str, community: str) -> int:
        """Delete a community's settings, its posts' records and every person of it with all
        their records; returns how many people."""
        async with self._connect() as connection:
            members: Table = OrganizationMemberRow.__table__  # type: ignore[assignment]
            for table in (community_posts, communities, members):
                where = (table.c.platform == platform, table.c.community == community)
                await connection.execute(delete(table).where(*where))
            result = await connection.execute(
                delete(people).where(people.c.platform == platform, people.c.community == community)
            )
        await self._erase_after_commit()
        return result.rowcount


class EventLog:
    """Remembers which platform events were handled, across every instance sharing the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def first_time(self, key: str, now: dt.datetime) -> bool:
        """True the first time ``key`` is seen, False on every later call."""
        statement = (
            dialect_insert(self._engine, processed_events)
            .values(key=key[:200], seen_at=now)
            .on_conflict_do_nothing()
            .returning(processed_events.c.key)
        )
        async with self._engine.begin() as connection:
            return (await connection.execute(statement)).first() is not None

    async def forget_before(self, moment: dt.datetime) -> int:
        """Drop keys older than ``moment`` (platforms stop retrying long before); returns how
        many went."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(processed_events).where(processed_events.c.seen_at < moment)
            )
        return result.rowcount


def person_from_row(row: Row[Any], cipher: Cipher | None = None) -> Person:
    """A people row (all columns, or at least these by name) as the engine sees it.

    ``cipher`` opens the sealed display name; without one, a sealed value raises CipherError.
    """
    mapping = row._mapping
    return Person(
        id=mapping["id"],
        platform=mapping["platform"],
        community=mapping["community"],
        user_id=mapping["user_id"],
        display_name=(cipher or _CLEAR).open(mapping["display_name"]),
        timezone=mapping["timezone"],
        checkin_time=mapping["checkin_time"],
        quiet_start=mapping["quiet_start"],
        quiet_end=mapping["quiet_end"],
        weekdays_only=mapping["weekdays_only"],
        created_at=mapping["created_at"],
        unreachable=mapping["unreachable"],
        checkins=CheckinState(mapping["checkins"]),
        paused_until=mapping["paused_until"],
        timezone_source=ZoneSource(mapping.get("timezone_source", ZoneSource.DEFAULT)),
    )


def rejection_from_row(row: Row[Any], cipher: Cipher | None = None) -> Rejection:
    """A rejections row as the engine sees it, its sealed values opened with ``cipher``
    (without one, a sealed value raises CipherError rather than reaching a person)."""
    opened = cipher or _CLEAR
    return Rejection(
        id=row.id,
        person_id=row.person_id,
        company=opened.open(row.company),
        role=opened.open(row.role),
        stage=Stage(row.stage),
        rejected_on=row.rejected_on,
        interviewer=opened.open(row.interviewer),
        feeling=row.feeling,
        created_at=row.created_at,
        note_sent_at=row.note_sent_at,
        feedback=opened.open(row.feedback),
        feedback_at=row.feedback_at,
    )


def _win(row: Row[Any]) -> Win:
    return Win(
        id=row.id,
        text=row.text,
        kind=WinKind(row.kind),
        created_at=row.created_at,
        number=row.number,
    )


def planned_row(
    person_id: int,
    platform: str,
    rejection_id: int | None,
    kind: str,
    slot: Slot,
    now: dt.datetime,
) -> dict[str, Any]:
    """Column values for a new pending message."""
    return {
        "person_id": person_id,
        "platform": platform,
        "rejection_id": rejection_id,
        "kind": kind,
        "due_at": slot.due,
        "planned_local": slot.local,
        "planned_zone": slot.zone,
        "state": PlannedState.PENDING.value,
        "attempts": 0,
        "claimed_by": "",
        "message_id": "",
        "outcome": "",
        "created_at": now,
    }


def planned_message(row: Row[Any]) -> PlannedMessage:
    """A planned_messages row as the engine sees it."""
    return PlannedMessage(
        id=row.id,
        person_id=row.person_id,
        kind=row.kind,
        due=row.due_at,
        local=row.planned_local,
        zone=row.planned_zone,
        state=PlannedState(row.state),
        attempts=row.attempts,
        rejection_id=row.rejection_id,
        outcome=row.outcome,
    )


def community_from_row(row: Row[Any]) -> Community:
    """A communities row as the engine sees it."""
    return Community(
        platform=row.platform,
        community=row.community,
        timezone=row.timezone,
        brag_channel=row.brag_channel,
        brag_weekday=row.brag_weekday,
        brag_time=row.brag_time,
        checkin_time=row.checkin_time,
        support_resources=row.support_resources,
        brag_thread=row.brag_thread,
        pulse=row.pulse,
    )


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
