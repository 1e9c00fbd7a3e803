"""The dispatcher: claims due check-ins, writes them, hands them to the platform, records it.

It is driven by ``tick(now)``: whatever calls it (APScheduler in production, a test directly)
is only the clock; the outbox in the database is the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot import brag_thread, checkins, plan
from bot.content import Content
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.events import Sender
from bot.model import CheckinState, Due, Outcome, PlannedState, PostDue, PostKind, PostOutcome
from bot.ports import Messenger, Outbox, Publisher
from bot.schedule import (
    WEEKLY,
    Preferences,
    Slot,
    deliverable_now,
    first_slot_after,
    local_date,
    retry_delay,
    weekly_after,
)

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """What one tick did, by outcome."""

    claimed: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        key = outcome.state.value if not outcome.code else f"{outcome.state.value}:{outcome.code}"
        self.counts[key] = self.counts.get(key, 0) + 1

    def count(self, state: PlannedState) -> int:
        """How many ended the tick in ``state``."""
        return sum(n for key, n in self.counts.items() if key.split(":")[0] == state.value)


@dataclass
class Dispatcher:
    """Delivers due planned messages exactly once per claim, in batches."""

    outbox: Outbox
    content: Content
    messengers: Mapping[str, Messenger]
    instance: str  # unique per process: claims are made under it
    batch_size: int = 1000
    lease: dt.timedelta = dt.timedelta(minutes=5)
    grace: dt.timedelta = dt.timedelta(hours=3)
    max_attempts: int = 6
    concurrency: int = 32
    # Platforms whose community channels this instance posts in (the weekly brag thread).
    publishers: Mapping[str, Publisher] = field(default_factory=dict)

    async def tick(self, now: dt.datetime) -> TickReport:
        """Deliver everything due at ``now`` (in batches until none is left)."""
        report = TickReport()
        platforms = sorted(self.messengers)
        batches = itertools.count(1)

        def claim() -> tuple[str, asyncio.Task[Sequence[Due]]]:
            # Each batch is claimed under a token of its own, so batches never mix.
            token = f"{self.instance}#{next(batches)}"
            return token, asyncio.ensure_future(
                self.outbox.claim(
                    now,
                    limit=self.batch_size,
                    lease_until=now + self.lease,
                    instance=token,
                    platforms=platforms,
                )
            )

        if self.publishers:
            await self._tick_posts(now, f"{self.instance}#posts", report)
        upcoming: tuple[str, asyncio.Task[Sequence[Due]]] | None = claim()
        while upcoming is not None:
            token, claiming = upcoming
            batch = await claiming
            # Claim the next batch while this one is written and sent, so the database
            # works while Python does.
            upcoming = claim() if len(batch) == self.batch_size else None
            if not batch:
                break
            report.claimed += len(batch)
            try:
                outcomes = await self._handle_batch(token, batch, now)
                await self.outbox.finish(token, outcomes, now)
            except BaseException:
                if upcoming is not None:
                    upcoming[1].cancel()  # its rows return to the pool when the lease ends
                raise
            for outcome in outcomes:
                report.add(outcome)
        return report

    async def _handle_batch(
        self, token: str, batch: Sequence[Due], now: dt.datetime
    ) -> list[Outcome]:
        """Decide every message, then send those that go now through a pool of
        ``concurrency`` workers (a task per worker, not per message)."""
        preferences = [_preferences(due) for due in batch]
        outcomes: list[Outcome | None] = [
            self.decide(due, now, prefs) for due, prefs in zip(batch, preferences, strict=True)
        ]
        to_send = [i for i, outcome in enumerate(outcomes) if outcome is None]
        if to_send:
            # A person may have deleted their data or stopped check-ins since the claim.
            held = await self.outbox.held(token, [batch[i].message.id for i in to_send])
            to_send = [i for i in to_send if batch[i].message.id in held]

        async def worker() -> None:
            while to_send:
                index = to_send.pop()
                outcomes[index] = await self.send(batch[index], now, preferences[index])

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(to_send)))))
        return [outcome for outcome in outcomes if outcome is not None]

    def decide(self, due: Due, now: dt.datetime, prefs: Preferences) -> Outcome | None:
        """What to do with a claimed message without sending it; None means send it now."""
        message, person = due.message, due.person
        if person.checkins is CheckinState.STOPPED:
            return _outcome(due, PlannedState.SKIPPED, "stopped")
        if person.unreachable:
            return _outcome(due, PlannedState.SKIPPED, "unreachable")
        if message.due < now - self.grace:
            # Came due while the bot was down, too long ago to still be welcome.
            return _outcome(
                due, PlannedState.SKIPPED, "stale", follow_up=self._follow_up(due, prefs)
            )
        paused_until = person.paused_until
        if person.checkins is CheckinState.PAUSED and paused_until and paused_until > now:
            later = first_slot_after(paused_until, prefs, local_date(paused_until, prefs))
            return _outcome(due, PlannedState.PENDING, "paused", retry=later, attempts_used=False)
        if not deliverable_now(now, prefs):
            later = first_slot_after(now, prefs, local_date(now, prefs))
            return _outcome(
                due, PlannedState.PENDING, "quiet_hours", retry=later, attempts_used=False
            )
        return None

    async def send(self, due: Due, now: dt.datetime, prefs: Preferences) -> Outcome:
        """Write the check-in and hand it to the person's platform."""
        message, person = due.message, due.person
        follow_up = self._follow_up(due, prefs)
        messenger = self.messengers[person.platform]
        replies, waiting = checkins.build(self.content, due)
        recipient = Sender(person.platform, person.community, person.user_id, person.display_name)
        try:
            platform_id = await messenger.deliver(recipient, replies, f"bb-{message.id}")
        except PermanentDeliveryError as error:
            reason = _code(error, "unreachable")
            return _outcome(due, PlannedState.FAILED, "unreachable", unreachable=reason)
        except DeliveryError as error:
            return self._retry(due, now, prefs, error.retry_after, follow_up, "retry")
        except Exception as error:  # a bug or an unexpected platform answer: retry, then give up
            log.warning(
                "delivery of planned message %s failed: %s", message.id, type(error).__name__
            )
            return self._retry(due, now, prefs, None, follow_up, "error")
        return _outcome(
            due,
            PlannedState.SENT,
            platform_message_id=platform_id,
            follow_up=follow_up,
            conversation=waiting,
        )

    def _retry(
        self,
        due: Due,
        now: dt.datetime,
        prefs: Preferences,
        retry_after: float | None,
        follow_up: tuple[str, Slot] | None,
        code: str,
    ) -> Outcome:
        message = due.message
        if message.attempts >= self.max_attempts:
            return _outcome(due, PlannedState.FAILED, "gave_up", follow_up=follow_up)
        moment = now + retry_delay(message.attempts, retry_after)
        slot = Slot(
            due=moment,
            local=moment.astimezone(prefs.zone).replace(tzinfo=None),
            zone=prefs.timezone,
        )
        return _outcome(due, PlannedState.PENDING, code, retry=slot)

    @staticmethod
    def _follow_up(due: Due, prefs: Preferences) -> tuple[str, Slot] | None:
        """Weekly check-ins go on until stopped: each one done with plans the next. (The
        recovery plan itself already holds the first weekly one.)"""
        message = due.message
        if message.kind != WEEKLY:
            return None
        previous = Slot(due=message.due, local=message.local, zone=message.zone)
        return WEEKLY, weekly_after(previous, prefs)

    async def _tick_posts(self, now: dt.datetime, token: str, report: TickReport) -> None:
        """Open due brag threads and post (or take down) what people chose to share."""
        platforms = sorted(self.publishers)
        await self.outbox.plan_brag_threads(now, platforms)
        while True:
            posts = await self.outbox.claim_posts(
                now, limit=100, lease_until=now + self.lease, instance=token, platforms=platforms
            )
            if not posts:
                return
            opened: dict[tuple[str, str, str], str] = {}
            outcomes = []
            for post in posts:
                outcome = await self._publish(post, now, opened)
                outcomes.append(outcome)
                key = f"post_{outcome.state.value}"
                report.counts[key] = report.counts.get(key, 0) + 1
            await self.outbox.finish_posts(token, outcomes, now)
            if len(posts) < 100:
                return

    async def _publish(
        self, post: PostDue, now: dt.datetime, opened: dict[tuple[str, str, str], str]
    ) -> PostOutcome:
        community = post.community
        publisher = self.publishers[community.platform]
        where = (community.platform, community.community, post.week)
        key = f"bb-post-{post.id}"
        try:
            if post.kind is PostKind.BRAG_THREAD:
                if not (community.brag_thread and community.brag_channel):
                    return PostOutcome(post.id, PlannedState.SKIPPED, "disabled")
                week_start = (now.astimezone(ZoneInfo(community.timezone))).date()
                week_start -= dt.timedelta(days=week_start.weekday())
                replies = brag_thread.opening(self.content, week_start, post.pulse)
                thread = await publisher.open_thread(
                    community.community, community.brag_channel, replies, key
                )
                opened[where] = thread
                return PostOutcome(post.id, PlannedState.SENT, thread=thread, message_id=thread)
            if post.kind is PostKind.UNSHARE:
                await publisher.delete(
                    community.community, community.brag_channel, post.thread, post.message_id
                )
                return PostOutcome(post.id, PlannedState.SENT, "removed")
            thread = post.thread or opened.get(where, "")
            if not thread:
                if post.thread_pending:
                    retry = now + dt.timedelta(minutes=1)
                    return PostOutcome(post.id, PlannedState.PENDING, "waiting", retry_at=retry)
                return PostOutcome(post.id, PlannedState.SKIPPED, "no_thread")
            if post.kind is PostKind.SHARE_WIN:
                if not post.text:
                    return PostOutcome(post.id, PlannedState.SKIPPED, "win_gone")
                replies = brag_thread.shared_win(self.content, post.author, post.text)
            else:
                replies = brag_thread.shared_offer(self.content, post.author, post.text)
            message_id = await publisher.post(
                community.community, community.brag_channel, thread, replies, key
            )
            # The celebration is a nicety; the post itself is what matters.
            with contextlib.suppress(DeliveryError, PermanentDeliveryError):
                await publisher.react(
                    community.community, community.brag_channel, thread, message_id, "tada"
                )
            return PostOutcome(post.id, PlannedState.SENT, thread=thread, message_id=message_id)
        except PermanentDeliveryError as error:
            return PostOutcome(post.id, PlannedState.FAILED, _code(error, "refused"))
        except DeliveryError as error:
            if post.attempts >= self.max_attempts:
                return PostOutcome(post.id, PlannedState.FAILED, "gave_up")
            retry = now + retry_delay(post.attempts, error.retry_after)
            return PostOutcome(post.id, PlannedState.PENDING, "retry", retry_at=retry)
        except Exception as error:
            log.warning("community post %s failed: %s", post.id, type(error).__name__)
            if post.attempts >= self.max_attempts:
                return PostOutcome(post.id, PlannedState.FAILED, "gave_up")
            retry = now + retry_delay(post.attempts)
            return PostOutcome(post.id, PlannedState.PENDING, "error", retry_at=retry)


def _outcome(due: Due, state: PlannedState, code: str = "", **extra: Any) -> Outcome:
    """What became of ``due``'s message."""
    person = due.person
    return Outcome(due.message.id, person.id, person.platform, state, code, **extra)


def _preferences(due: Due) -> Preferences:
    return plan.preferences(due.person)


def _code(error: Exception, fallback: str) -> str:
    """A short reason code from an error's message (never the person's text)."""
    text = str(error).strip().split(" ")[0][:32]
    return text if text.replace("_", "").isalnum() else fallback


def deliveries(report: TickReport) -> Sequence[str]:
    """The report as ``state:code=count`` lines, for logs and the CLI."""
    return [f"{key}={count}" for key, count in sorted(report.counts.items())]
