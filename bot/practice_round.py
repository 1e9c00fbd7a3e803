"""Running one practice round: pair, introduce each group where its members can all talk,
re-pair whoever was left without a partner, and tell whoever is still alone.

Run by the dispatcher's :class:`bot.posting.Poster` for a claimed ``practice_round`` post,
so a round runs once per community whatever the number of instances: the pairing is stored
under the claim's token before any introduction, and a round taken over after a crash goes
on from what was stored (groups already introduced are not introduced again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot import plan, practice_kit
from bot.content import Content
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.model import PlannedState, PostDue, PostOutcome
from bot.practice_model import PracticeGroup, PracticeRound, PracticeSeat
from bot.practice_pairing import AVOID_ROUNDS, Candidate, free_minutes, pair
from bot.practice_ports import Grouping, Introduced, Introducer, Meeting, PracticeRounds
from bot.schedule import Slot, first_slot_after, local_date, next_round, week_monday

# "Did you meet?" comes this many days after the introduction, at the person's check-in time.
FOLLOW_UP_AFTER = dt.timedelta(days=3)


def follow_up_slot(seat: PracticeSeat, now: dt.datetime) -> Slot:
    """When to ask this person "Did you meet?": their check-in time, three days on."""
    prefs = plan.preferences(seat.person)
    return first_slot_after(now, prefs, local_date(now + FOLLOW_UP_AFTER, prefs))


def at_once(seat: PracticeSeat, now: dt.datetime) -> Slot:
    """As soon as the dispatcher may write to this person (it keeps their quiet hours)."""
    zone = plan.preferences(seat.person).zone
    return Slot(due=now, local=now.astimezone(zone).replace(tzinfo=None), zone=zone.key)


def candidate(seat: PracticeSeat, now: dt.datetime) -> Candidate:
    """A seat as the pairing sees it: free hours on the person's own date of the round."""
    person, member = seat.person, seat.member
    day = now.astimezone(plan.preferences(person).zone).date()
    availability = member.availability if member is not None else ""
    return Candidate(person.id, free_minutes(day, person.timezone, availability))


def _moved(post: PostDue, now: dt.datetime) -> PostOutcome | None:
    """A round not paired yet whose settings changed since it was planned: moved to its new
    time this week, or skipped when that time has passed or this week is no longer a round's
    (a change of settings never pairs people by itself). None: it runs now."""
    community = post.community
    week, due = next_round(
        post.due - dt.timedelta(seconds=1),
        community.timezone,
        community.practice_weekday,
        community.practice_time,
        community.practice_every,
    )
    if (week, due) == (post.week, post.due):
        return None
    if week == post.week and due > now:
        return PostOutcome(post.id, PlannedState.PENDING, "moved", retry_at=due)
    return PostOutcome(post.id, PlannedState.SKIPPED, "moved")


@dataclass
class PracticeRunner:
    """Runs claimed practice rounds through each platform's :class:`Introducer`."""

    rounds: PracticeRounds
    content: Content
    introducers: Mapping[str, Introducer]
    # Tries of a round before whoever is still waiting for an introduction is told instead.
    max_attempts: int = 6

    @classmethod
    def through(
        cls,
        rounds: PracticeRounds,
        content: Content,
        publishers: Mapping[str, object],
        max_attempts: int = 6,
    ) -> PracticeRunner:
        """A runner introducing through those of ``publishers`` that can."""
        introducers = {
            name: publisher
            for name, publisher in publishers.items()
            if isinstance(publisher, Introducer)
        }
        return cls(rounds, content, introducers, max_attempts)

    async def run(self, post: PostDue, token: str, now: dt.datetime) -> PostOutcome:
        """Pair, introduce and tell, for one claimed round; what became of the round."""
        community = post.community
        introducer = self.introducers.get(community.platform)
        current = await self.rounds.practice_round(token, post.id)
        off = "disabled" if not community.practice or introducer is None else ""
        if introducer is not None and introducer.needs_channel and not community.practice_channel:
            off = off or "no_channel"
        if off or introducer is None:
            # Turned off after this round was paired: whoever still waits hears so.
            await self._tell_waiting(current, post, token, now)
            return PostOutcome(post.id, PlannedState.SKIPPED, off)
        history = await self.rounds.practice_history(
            community.platform, community.community, post.week, AVOID_ROUNDS
        )
        if current is not None and not current.paired:
            moved = _moved(post, now)
            if moved is not None:
                return moved
            found = await self.rounds.practice_candidates(
                community.platform, community.community, now
            )
            seats = {person.id: PracticeSeat(person, member) for person, member in found}
            result = pair([candidate(s, now) for s in seats.values()], history)
            alone = tuple((p, at_once(seats[p], now)) for p in result.alone)
            current = await self.rounds.save_groups(
                token, post.id, Grouping(result.groups, alone), now
            )
        if current is None:
            return PostOutcome(post.id, PlannedState.SKIPPED, "taken_over")
        round_ = _Round(self, introducer, post, token, now)
        lone = await round_.introduce_all(current.groups)
        if len(lone) >= 2 and not round_.nowhere:
            # A second chance: those whose partner could not be reached meet each other.
            by_id = {s.person.id: s for s in lone}
            result = pair([candidate(s, now) for s in lone], history)
            alone = tuple((p, at_once(by_id[p], now)) for p in result.alone)
            again = await self.rounds.save_groups(
                token, post.id, Grouping(result.groups, alone), now
            )
            if again is None:
                return PostOutcome(post.id, PlannedState.SKIPPED, "taken_over")
            lone = await round_.introduce_all(again.groups)
        if round_.lost:
            return PostOutcome(post.id, PlannedState.SKIPPED, "taken_over")
        if lone:
            told = Grouping(alone=tuple((s.person.id, at_once(s, now)) for s in lone))
            if await self.rounds.save_groups(token, post.id, told, now) is None:
                return PostOutcome(post.id, PlannedState.SKIPPED, "taken_over")
        return PostOutcome(post.id, PlannedState.SENT, round_.code)

    async def _tell_waiting(
        self, current: PracticeRound | None, post: PostDue, token: str, now: dt.datetime
    ) -> None:
        waiting = [
            seat
            for group in (current.groups if current is not None else ())
            if not group.introduced
            for seat in group.seats
            if seat.available
        ]
        if waiting:
            told = Grouping(alone=tuple((s.person.id, at_once(s, now)) for s in waiting))
            await self.rounds.save_groups(token, post.id, told, now)


@dataclass
class _Round:
    runner: PracticeRunner
    introducer: Introducer
    post: PostDue
    token: str
    now: dt.datetime
    nowhere: bool = False  # the platform can open nothing in this community
    lost: bool = False  # the claim ran out and another instance has the round now
    code: str = ""

    async def introduce_all(self, groups: Sequence[PracticeGroup]) -> list[PracticeSeat]:
        """Introduce every group not introduced yet; whoever was left without a partner."""
        lone: list[PracticeSeat] = []
        for group in groups:
            if self.lost:
                break
            if not group.introduced:
                lone += await self._introduce(group)
        return lone

    async def _record(self, introduced: Introduced) -> None:
        recorded = await self.runner.rounds.practice_introduced(
            self.token, self.post.id, introduced, self.now
        )
        self.lost = self.lost or not recorded

    async def _introduce(self, group: PracticeGroup) -> list[PracticeSeat]:
        now = self.now
        present = [s for s in group.seats if s.available]
        missed = [s.person.id for s in group.seats if not s.available]
        if len(present) < 2 or self.nowhere:
            await self._record(Introduced(group.number, missed=tuple(missed)))
            return present
        community = self.post.community
        replies = practice_kit.introduction(
            self.runner.content, present, week_monday(self.post.week)
        )
        meeting = Meeting(
            community.community,
            community.practice_channel,
            tuple(s.person.user_id for s in present),
            tuple(replies),
            f"bb-practice-{self.post.id}-{group.number}",
        )
        try:
            intro = await self.introducer.introduce(meeting)
        except (PermanentDeliveryError, DeliveryError) as error:
            if not isinstance(error, PermanentDeliveryError) and (
                self.post.attempts < self.runner.max_attempts
            ):
                raise  # the round is tried again later; introduced groups stay introduced
            # Nothing can be opened here (a permission, a channel gone), or the platform kept
            # failing until the last try: everyone still waiting is told.
            permanent = isinstance(error, PermanentDeliveryError)
            self.nowhere = True
            self.code = str(error).split(" ")[0][:32] if permanent else "gave_up"
            await self._record(Introduced(group.number, missed=tuple(missed)))
            return present
        gone = set(intro.unreachable)
        reached = [s for s in present if s.person.user_id not in gone]
        refused = tuple(s.person.id for s in present if s.person.user_id in gone)
        outcome = Introduced(group.number, missed=(*missed, *refused), refused=refused)
        if not intro.conversation or len(reached) < 2:
            await self._record(outcome)
            return reached
        follow_ups = tuple((s.person.id, follow_up_slot(s, now)) for s in reached)
        await self._record(replace(outcome, reached=follow_ups, conversation=intro.conversation))
        return []
