"""Practice rounds on the community-post outbox (:class:`bot.practice_ports.PracticeRounds`).

A round is a ``practice_round`` community post: a partial unique index lets each community's
round be planned once, and it is claimed, leased and fenced like the brag thread. Its groups
are ``practice_pairs`` rows, one per person per round, written only while the round is still
claimed under the token that pairs it, so two instances never pair a round twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import CheckinState, Person, PostKind
from bot.practice_kit import ALONE_KIND, CHECK_KIND
from bot.practice_model import (
    PracticeGroup,
    PracticeMember,
    PracticeRound,
    PracticeSeat,
    PracticeState,
)
from bot.practice_pairing import Group
from bot.practice_ports import Grouping, Introduced
from bot.schedule import next_round
from bot.writes import NewPlanned
from storage.database import dialect_insert
from storage.part import SqlPart
from storage.plans import plan_one
from storage.practice import INTRODUCED, member_from_row
from storage.rows import PERSON, person_from_row, planned_row, post_row
from storage.tables import communities, community_posts, people, practice_members, practice_pairs

posts = community_posts
ROUND = PostKind.PRACTICE_ROUND.value
PENDING = "pending"
CLAIMED = "claimed"
PLANNED = "planned"
MISSED = "missed"
ALONE = "alone"
# Why a person the platform would not bring into a group is unreachable.
REFUSED = "practice_refused"


class SqlPracticeRounds(SqlPart):
    """:class:`bot.practice_ports.PracticeRounds` on SQLAlchemy."""

    async def plan_practice_rounds(self, now: dt.datetime, platforms: Sequence[str]) -> int:
        planned = 0
        async with self._engine.begin() as connection:
            off = select(communities.c.platform, communities.c.community).where(
                communities.c.platform.in_(list(platforms)), communities.c.practice.is_(False)
            )
            paired = select(practice_pairs.c.id).where(
                practice_pairs.c.platform == posts.c.platform,
                practice_pairs.c.community == posts.c.community,
                practice_pairs.c.week == posts.c.week,
            )
            await connection.execute(
                delete(posts).where(
                    posts.c.kind == ROUND,
                    posts.c.state == PENDING,
                    tuple_(posts.c.platform, posts.c.community).in_(off),
                    # A round already paired runs once more, to tell whoever still waits.
                    ~paired.exists(),
                )
            )
            rows = await connection.execute(
                select(communities)
                .where(communities.c.platform.in_(list(platforms)), communities.c.practice)
                # One order on every instance, so two planning at once never wait in a circle.
                .order_by(communities.c.platform, communities.c.community)
            )
            for row in rows.all():
                await self._plan(connection, row, now)
                planned += 1
        return planned

    async def _plan(self, connection: AsyncConnection, row: Any, now: dt.datetime) -> None:
        """The community's next round at the time its settings give; a pending one still
        ahead moves there (a change of settings never runs a round by itself)."""
        week, due = next_round(
            now, row.timezone, row.practice_weekday, row.practice_time, row.practice_every
        )
        mine = (posts.c.platform == row.platform, posts.c.community == row.community)
        pending = await connection.execute(
            select(posts.c.id, posts.c.week, posts.c.due_at).where(
                *mine,
                posts.c.kind == ROUND,
                posts.c.state == PENDING,
                posts.c.due_at > now,
                # Never tried: a round waiting to try again keeps its time.
                posts.c.attempts == 0,
            )
        )
        for found in pending.all():
            if (found.week, found.due_at) == (week, due):
                continue
            # Fenced on the due time read: two instances move it once. Another week's round
            # is dropped (the week's row stays unique); this week's moves to its new time.
            values = (
                {"due_at": due} if found.week == week else {"state": "skipped", "outcome": "moved"}
            )
            await connection.execute(
                update(posts)
                .where(posts.c.id == found.id, posts.c.due_at == found.due_at)
                .values(**values)
            )  # fmt: skip
        new = post_row(row.platform, row.community, PostKind.PRACTICE_ROUND, week, "", due)
        await connection.execute(
            dialect_insert(self._engine, posts).values(**new).on_conflict_do_nothing()
        )

    async def practice_round(self, instance: str, post_id: int) -> PracticeRound | None:
        async with self._engine.begin() as connection:
            return await self._round(connection, instance, post_id)

    async def _claimed(self, connection: AsyncConnection, instance: str, post_id: int) -> Any:
        """The round's post while ``instance`` holds it (locked until the transaction ends)."""
        return (
            await connection.execute(
                select(posts.c.platform, posts.c.community, posts.c.week)
                .where(posts.c.id == post_id, posts.c.state == CLAIMED,
                       posts.c.claimed_by == instance)
                .with_for_update()
            )
        ).first()  # fmt: skip

    async def _round(
        self, connection: AsyncConnection, instance: str, post_id: int
    ) -> PracticeRound | None:
        post = await self._claimed(connection, instance, post_id)
        if post is None:
            return None
        mine = _of(post.platform, post.community, post.week)
        stored = await connection.scalar(
            select(func.count()).select_from(practice_pairs).where(*mine)
        )
        rows = await connection.execute(
            select(practice_pairs.c.grp, practice_pairs.c.state.label("seat"), *PERSON,
                   *practice_members.c)
            .join(people, people.c.id == practice_pairs.c.person_id)
            .outerjoin(practice_members, practice_members.c.person_id == people.c.id)
            .where(*mine, practice_pairs.c.state.in_([PLANNED, INTRODUCED]),
                   practice_pairs.c.grp > 0)
            .order_by(practice_pairs.c.grp, practice_pairs.c.person_id)
        )  # fmt: skip
        groups: dict[int, list[tuple[str, PracticeSeat]]] = {}
        for row in rows.all():
            person = person_from_row(row[2 : 2 + len(PERSON)], self._cipher)
            member = self._member(row._mapping)
            groups.setdefault(row.grp, []).append((row.seat, PracticeSeat(person, member)))
        return PracticeRound(
            paired=bool(stored),
            groups=tuple(
                PracticeGroup(number, tuple(seat for _, seat in seats),
                              any(state == INTRODUCED for state, _ in seats))
                for number, seats in sorted(groups.items())
            ),
        )  # fmt: skip

    def _member(self, values: Any) -> PracticeMember | None:
        if values[practice_members.c.person_id] is None:
            return None
        return member_from_row(self._cipher, {c.name: values[c] for c in practice_members.c})

    async def practice_candidates(
        self, platform: str, community: str, now: dt.datetime
    ) -> Sequence[tuple[Person, PracticeMember]]:
        members = practice_members
        active = (members.c.state == PracticeState.ACTIVE.value) | (
            (members.c.state == PracticeState.PAUSED.value) & (members.c.paused_until <= now)
        )
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(*PERSON, *members.c)
                .join(members, members.c.person_id == people.c.id)
                .where(
                    people.c.platform == platform,
                    people.c.community == community,
                    people.c.checkins != CheckinState.STOPPED.value,
                    people.c.unreachable == "",
                    active,
                )
                .order_by(people.c.id)
            )
            return [
                (person_from_row(row[: len(PERSON)], self._cipher),
                 member_from_row(self._cipher, {c.name: row._mapping[c] for c in members.c}))
                for row in rows.all()
            ]  # fmt: skip

    async def practice_history(
        self, platform: str, community: str, before: str, rounds: int
    ) -> Sequence[Sequence[Group]]:
        pairs = practice_pairs
        async with self._engine.connect() as connection:
            weeks = (
                await connection.scalars(
                    select(pairs.c.week)
                    .where(pairs.c.platform == platform, pairs.c.community == community,
                           pairs.c.week < before)
                    .group_by(pairs.c.week)
                    .order_by(pairs.c.week.desc())
                    .limit(rounds)
                )
            ).all()  # fmt: skip
            rows = await connection.execute(
                select(pairs.c.week, pairs.c.grp, pairs.c.person_id)
                .where(pairs.c.platform == platform, pairs.c.community == community,
                       pairs.c.week.in_(weeks), pairs.c.grp > 0,
                       pairs.c.state.in_([PLANNED, INTRODUCED]))
                .order_by(pairs.c.week, pairs.c.grp, pairs.c.person_id)
            )  # fmt: skip
            found: dict[str, dict[int, list[int]]] = {}
            for row in rows.all():
                found.setdefault(row.week, {}).setdefault(row.grp, []).append(row.person_id)
        return [[tuple(g) for g in found[w].values()] for w in sorted(found)]

    async def save_groups(
        self, instance: str, post_id: int, grouping: Grouping, now: dt.datetime
    ) -> PracticeRound | None:
        groups, alone = grouping.groups, grouping.alone
        async with self._engine.begin() as connection:
            post = await self._claimed(connection, instance, post_id)
            if post is None:
                return None
            mine = _of(post.platform, post.community, post.week)
            last = await connection.scalar(select(func.max(practice_pairs.c.grp)).where(*mine))
            places = [
                (person, number, PLANNED)
                for number, group in enumerate(groups, start=(last or 0) + 1)
                for person in group
            ] + [(person, 0, ALONE) for person, _ in alone]
            for person, number, state in places:
                insert = dialect_insert(self._engine, practice_pairs).values(
                    platform=post.platform, community=post.community, week=post.week,
                    grp=number, person_id=person, state=state, conversation="", met="",
                    created_at=now,
                )  # fmt: skip
                await connection.execute(
                    insert.on_conflict_do_update(
                        index_elements=["platform", "community", "week", "person_id"],
                        set_={"grp": number, "state": state},
                    )
                )
            for person, slot in alone:
                await connection.execute(
                    plan_one(
                        self._engine,
                        planned_row(NewPlanned(person, post.platform, ALONE_KIND, slot), now),
                    )
                )
            return await self._round(connection, instance, post_id)

    async def practice_introduced(
        self, instance: str, post_id: int, introduced: Introduced, now: dt.datetime
    ) -> bool:
        number, reached, missed = introduced.number, introduced.reached, introduced.missed
        refused, conversation = introduced.refused, introduced.conversation
        async with self._engine.begin() as connection:
            post = await self._claimed(connection, instance, post_id)
            if post is None:
                return False
            if refused:
                await connection.execute(
                    update(people)
                    .where(people.c.id.in_(list(refused)), people.c.unreachable == "")
                    .values(unreachable=REFUSED, unreachable_at=now)
                )
            mine = (*_of(post.platform, post.community, post.week), practice_pairs.c.grp == number)
            if missed:
                await connection.execute(
                    update(practice_pairs)
                    .where(*mine, practice_pairs.c.person_id.in_(list(missed)))
                    .values(state=MISSED)
                )
            if reached:
                await connection.execute(
                    update(practice_pairs)
                    .where(*mine, practice_pairs.c.person_id.in_([p for p, _ in reached]))
                    .values(state=INTRODUCED, conversation=conversation[:64])
                )
            for person, slot in reached:
                await connection.execute(
                    plan_one(
                        self._engine,
                        planned_row(NewPlanned(person, post.platform, CHECK_KIND, slot), now),
                    )
                )
        return True


def _of(platform: str, community: str, week: str) -> tuple[Any, ...]:
    return (
        practice_pairs.c.platform == platform,
        practice_pairs.c.community == community,
        practice_pairs.c.week == week,
    )
