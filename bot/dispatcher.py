"""The dispatcher: claims due check-ins, writes them, hands them to the platform, records it.

It is driven by ``tick(now)``: whatever calls it (APScheduler in production, a test directly)
is only the clock; the outbox in the database is the truth.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bot import applications_reminders as reminders
from bot import checkin_messages as checkins
from bot import slices
from bot.batch import Lease, follow_up_of, keep_renewing, outcome, preferences_of
from bot.content import Content
from bot.delivery import WriteBehind
from bot.delivery_ports import (
    ClaimRequest,
    CommunityPosts,
    Messenger,
    Outbox,
    Publisher,
    Recaller,
)
from bot.errors import DeliveryError, PermanentDeliveryError, error_code
from bot.events import Sender
from bot.model import CheckinState, Due, Outcome, PlannedState
from bot.outcomes import TickReport
from bot.posting import Poster
from bot.practice_ports import PracticeRounds
from bot.practice_round import PracticeRunner
from bot.schedule import (
    Preferences,
    Slot,
    deliverable_now,
    first_slot_after,
    local_date,
    retry_delay,
)

log = logging.getLogger(__name__)

# A record that failed (the connection dropped mid-write) is written again: the writes are
# fenced and idempotent, so a commit whose acknowledgement was lost changes nothing twice.
RECORD_RETRIES = 5


@dataclass
class Dispatcher:
    """Delivers due planned messages exactly once per claim.

    Each batch is claimed under a token of its own with a lease counted from the claim and
    renewed while the batch is worked. Every message is looked at once more right before its
    send and recorded as soon as the platform accepted it (a write-behind grouping the
    records of concurrent sends): a process killed at any instant can repeat at most the
    messages sent and not yet recorded (:attr:`in_flight`), never a batch.
    """

    outbox: Outbox
    content: Content
    messengers: Mapping[str, Messenger]
    instance: str  # unique per process: claims are made under it
    batch_size: int = 1000
    lease: dt.timedelta = dt.timedelta(minutes=2)
    grace: dt.timedelta = dt.timedelta(hours=3)
    max_attempts: int = 6
    concurrency: int = 32
    # No send starts later than this before the lease ends (a send's own time limit).
    send_margin: dt.timedelta = dt.timedelta(seconds=30)
    # Seconds before the first new try of a record that failed (doubling each time).
    record_backoff: float = 0.2
    # Platforms whose community channels this instance posts in (the weekly brag thread).
    publishers: Mapping[str, Publisher] = field(default_factory=dict)
    posts: CommunityPosts | None = None
    # Practice rounds, run with the community posts by the publishers that can introduce.
    practice: PracticeRounds | None = None
    # Seconds, for the time a tick has been running (the tick's ``now`` plus that is the
    # moment of each claim); a parameter so tests can run a long tick without waiting.
    monotonic: Callable[[], float] = time.monotonic
    # Waits between lease renewals; a parameter so tests move time themselves.
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep
    _stopping: bool = field(default=False, init=False)

    @property
    def in_flight(self) -> int:
        """The most messages handed to a platform and not yet recorded, at any instant: what
        the senders have in hand plus as much again being recorded, so sending and recording
        overlap."""
        return 2 * self.concurrency

    def stop(self) -> None:
        """Take no new message: sends in flight finish and are recorded, the rest of the
        claimed batch is handed back at once for any instance to take."""
        self._stopping = True

    async def tick(self, now: dt.datetime) -> TickReport:
        """Deliver everything due at ``now`` (in batches until none is left)."""
        report = TickReport()
        started = self.monotonic()

        def at() -> dt.datetime:
            return now + dt.timedelta(seconds=self.monotonic() - started)

        if self.publishers and self.posts is not None and not self._stopping:
            runner = None
            if self.practice is not None:
                runner = PracticeRunner.through(
                    self.practice, self.content, self.publishers, self.max_attempts
                )
            poster = Poster(
                self.posts,
                self.content,
                self.publishers,
                self.lease,
                self.max_attempts,
                error_code,
                runner,
                self.pause,
            )
            token = f"{self.instance}#posts"
            await poster.tick(now, token, report.counts, at, lambda: self._stopping)
        platforms = sorted(self.messengers)
        numbers = itertools.count(1)
        # The next batch, claimed while this one is sent (its claim and reads overlap the
        # sends); whatever stops the tick hands it back at once.
        claiming: asyncio.Future[tuple[Lease, Sequence[Due]]] | None = None
        try:
            while not self._stopping:
                if claiming is None:
                    lease, batch = await self._claim(next(numbers), at, platforms)
                else:
                    lease, batch = await claiming
                    claiming = None
                if not batch:
                    break
                report.claimed += len(batch)
                if len(batch) == self.batch_size and not self._stopping:
                    claiming = asyncio.ensure_future(self._claim(next(numbers), at, platforms))
                await self._deliver(lease, batch, at, report)
                if claiming is None:
                    break
        finally:
            if claiming is not None:
                await self._hand_back(claiming, report)
        return report

    async def _claim(
        self, number: int, at: Callable[[], dt.datetime], platforms: Sequence[str]
    ) -> tuple[Lease, Sequence[Due]]:
        """A batch under a token of its own, its lease counted from its own claim and kept
        ahead from then on."""
        token = f"{self.instance}#{number}"
        moment = at()
        lease = Lease(token, self.monotonic() + self.lease.total_seconds())
        request = ClaimRequest(moment, platforms, token, moment + self.lease, self.batch_size)
        batch = await self.outbox.claim(request)
        if batch:
            lease.renewing = asyncio.ensure_future(self._renew(lease, at))
        return lease, batch

    async def _hand_back(
        self, claiming: asyncio.Future[tuple[Lease, Sequence[Due]]], report: TickReport
    ) -> None:
        """A batch claimed ahead and never sent: every message goes back at once."""
        try:
            lease, batch = await claiming
        except Exception as error:  # nothing claimed, or its lease runs out: no loss
            log.warning("claiming ahead failed: %s", type(error).__name__)
            return
        try:
            released = await self.outbox.release(lease.token, [due.message.id for due in batch])
        except Exception as error:  # the lease runs out and another instance takes them
            log.warning("handing back a batch failed: %s", type(error).__name__)
            released = 0
        finally:
            await lease.stop_renewing()
        report.claimed += len(batch)
        report.counts["handed_back"] = report.counts.get("handed_back", 0) + released

    async def _deliver(
        self,
        lease: Lease,
        batch: Sequence[Due],
        at: Callable[[], dt.datetime],
        report: TickReport,
    ) -> None:
        """Send one claimed batch through ``concurrency`` senders, recording as they go."""
        token = lease.token
        now = at()
        preferences = await preferences_of(batch)

        def written(outcomes: Sequence[Outcome], recorded: Sequence[bool]) -> None:
            for one, done in zip(outcomes, recorded, strict=True):
                if done:
                    report.add(one)
                else:  # the claim ran out and another instance has the row now
                    report.counts["taken_over"] = report.counts.get("taken_over", 0) + 1

        writes: WriteBehind[Outcome] = WriteBehind(
            lambda outcomes: self.outbox.record(token, outcomes, at()),
            written,
            bound=self.in_flight,
            retries=RECORD_RETRIES,
            backoff=self.record_backoff,
        )
        decisions = await slices.mapped(
            lambda index: self.decide(batch[index], now, preferences[index]), range(len(batch))
        )
        queue = collections.deque(i for i, decision in enumerate(decisions) if decision is None)
        writes.add([decision for decision in decisions if decision is not None])
        looked: collections.deque[int] = collections.deque()
        looking = asyncio.Lock()
        handed_back: list[int] = []
        margin = min(self.send_margin, self.lease / 4).total_seconds()

        async def look() -> None:
            """The last look at the next few, right before they are sent: deleted, stopped
            or paused since the claim, or taken over by another instance."""
            async with looking:
                if looked or not queue:
                    return
                taking = [queue.popleft() for _ in range(min(len(queue), self.concurrency))]
                ids = [batch[index].message.id for index in taking]
                held = await self._looking_again(token, ids, at)
                for index in taking:
                    if batch[index].message.id in held:
                        looked.append(index)
                    else:
                        handed_back.append(batch[index].message.id)

        def stopping() -> bool:
            if self._stopping or self.monotonic() >= lease.deadline - margin:
                handed_back.extend(batch[i].message.id for i in (*looked, *queue))
                looked.clear()
                queue.clear()
                return True
            return False

        async def sender() -> None:
            while (looked or queue) and not stopping():
                if not looked:
                    await look()
                    continue
                # A place among the unrecorded is taken before the send: a send in flight
                # counts towards the bound as much as one sent and not yet written.
                await writes.reserve()
                if not looked or stopping():  # taken by another sender, or time is up
                    writes.give_back()
                    continue
                index = looked.popleft()
                try:
                    outcome = await self.send(batch[index], at(), preferences[index])
                except BaseException:
                    writes.give_back()
                    raise
                writes.add([outcome], reserved=True)

        if lease.renewing is None:
            lease.renewing = asyncio.ensure_future(self._renew(lease, at))
        try:
            senders = min(self.concurrency, len(queue))
            await asyncio.gather(*(sender() for _ in range(senders)))
        finally:
            await lease.stop_renewing()
            await writes.close()
        if handed_back:
            released = await self.outbox.release(token, handed_back)
            report.counts["handed_back"] = report.counts.get("handed_back", 0) + released

    async def _looking_again(
        self, token: str, ids: Sequence[int], at: Callable[[], dt.datetime]
    ) -> set[int]:
        """The last look, tried again like a record when the connection drops under it."""
        delay = self.record_backoff
        for _ in range(RECORD_RETRIES):
            try:
                return await self.outbox.held(token, ids, at())
            except Exception as error:
                log.warning("last look before sending failed: %s", type(error).__name__)
                await asyncio.sleep(delay)
                delay *= 2
        return await self.outbox.held(token, ids, at())

    async def _renew(self, lease: Lease, at: Callable[[], dt.datetime]) -> None:
        """Keep the batch's lease ahead while it is worked (a backlog, slow or rate-limited
        sends); if the database cannot be reached, the local deadline stops the sends."""

        async def renew() -> None:
            started = self.monotonic()
            await self.outbox.renew(lease.token, at() + self.lease)
            lease.deadline = started + self.lease.total_seconds()

        await keep_renewing(self.lease, self.pause, renew, "check-ins")

    def decide(self, due: Due, now: dt.datetime, prefs: Preferences) -> Outcome | None:
        """What to do with a claimed message without sending it; None means send it now."""
        message, person = due.message, due.person
        if person.checkins is CheckinState.STOPPED:
            return outcome(due, PlannedState.SKIPPED, "stopped")
        if person.unreachable:
            return outcome(due, PlannedState.SKIPPED, "unreachable")
        if message.application_id is not None and not (
            due.application is not None and due.application.stage.waiting
        ):
            # News came (or the application went) since this reminder was planned.
            return outcome(due, PlannedState.SKIPPED, "settled")
        if message.due < now - self.grace:
            # Came due while the bot was down, too long ago to still be welcome.
            return outcome(due, PlannedState.SKIPPED, "stale", follow_up=follow_up_of(due, prefs))
        paused_until = person.paused_until
        if person.checkins is CheckinState.PAUSED and paused_until and paused_until > now:
            later = first_slot_after(paused_until, prefs, local_date(paused_until, prefs))
            return outcome(due, PlannedState.PENDING, "paused", retry=later, attempts_used=False)
        if not deliverable_now(now, prefs):
            later = first_slot_after(now, prefs, local_date(now, prefs))
            return outcome(
                due, PlannedState.PENDING, "quiet_hours", retry=later, attempts_used=False
            )
        return None

    async def send(self, due: Due, now: dt.datetime, prefs: Preferences) -> Outcome:
        """Write the check-in and hand it to the person's platform."""
        message, person = due.message, due.person
        follow_up = follow_up_of(due, prefs)
        messenger = self.messengers[person.platform]
        replies, waiting = checkins.build(self.content, due)
        closes = message.kind == reminders.CLOSING
        recipient = Sender(person.platform, person.community, person.user_id, person.display_name)
        key = f"bb-{message.id}"
        try:
            if message.attempts > 1 and isinstance(messenger, Recaller):
                # An earlier claim may have sent it and died before recording it.
                found = await messenger.delivered(recipient, key)
                if found is not None:
                    return outcome(
                        due,
                        PlannedState.SENT,
                        "recalled",
                        platform_message_id=found,
                        follow_up=follow_up,
                        conversation=waiting,
                        closes_application=closes,
                    )
            platform_id = await messenger.deliver(recipient, replies, key)
        except PermanentDeliveryError as error:
            reason = error_code(error, "unreachable")
            return outcome(due, PlannedState.FAILED, "unreachable", unreachable=reason)
        except DeliveryError as error:
            return self._retry(due, now, prefs, error.retry_after, follow_up, "retry")
        except Exception as error:  # a bug or an unexpected platform answer: retry, then give up
            log.warning(
                "delivery of planned message %s failed: %s", message.id, type(error).__name__
            )
            return self._retry(due, now, prefs, None, follow_up, "error")
        # The outcome of nearly every send, made without _outcome's keywords (the hot path).
        return Outcome(
            message.id,
            person.id,
            person.platform,
            PlannedState.SENT,
            "",
            platform_id,
            None,
            True,
            follow_up,
            waiting,
            "",
            message.application_id,
            closes,
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
            return outcome(due, PlannedState.FAILED, "gave_up", follow_up=follow_up)
        moment = now + retry_delay(message.attempts, retry_after)
        slot = Slot(
            due=moment,
            local=moment.astimezone(prefs.zone).replace(tzinfo=None),
            zone=prefs.timezone,
        )
        return outcome(due, PlannedState.PENDING, code, retry=slot)
