"""The brag thread's deliveries: opening the week's thread and posting what people shared.

Driven by the dispatcher's tick, before the check-ins: threads first, so shares that arrive
together find their thread open.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot import brag_thread
from bot.batch import keep_renewing
from bot.content import Content
from bot.delivery_ports import ClaimRequest, CommunityPosts, Publisher
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.model import PlannedState, PostDue, PostKind, PostOutcome
from bot.practice_round import PracticeRunner
from bot.schedule import retry_delay, week_monday

log = logging.getLogger(__name__)

# Posts claimed at once. Each is recorded as soon as it is out, so a process killed
# mid-batch repeats at most the post in hand; a small claim keeps the batch's sends (a
# channel takes about one message a second) well inside the lease counted from its claim.
BATCH = 10
# A share's outcome while its week's thread is not open yet: it is tried again shortly.
WAITING = "waiting"
# A claimed post a stopping process did not start: any instance may take it now.
HANDED_BACK = "handed_back"
# Outcomes that were no try at posting: they count no attempt.
NOT_TRIED = (WAITING, HANDED_BACK)


@dataclass
class Poster:
    """Claims due community posts and hands them to each platform's publisher."""

    posts: CommunityPosts
    content: Content
    publishers: Mapping[str, Publisher]
    lease: dt.timedelta
    max_attempts: int
    error_code: Callable[[Exception, str], str]
    # Practice rounds ride the same outbox: planned and claimed like the brag thread.
    practice: PracticeRunner | None = None
    # Waits this many seconds between renewals of a claim's lease (a parameter for tests).
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def tick(
        self,
        now: dt.datetime,
        token: str,
        counts: dict[str, int],
        at: Callable[[], dt.datetime] | None = None,
        stopping: Callable[[], bool] = lambda: False,
    ) -> None:
        """Open due brag threads, post (or take down) what people chose to share, and run
        due practice rounds, as of the tick's ``now``. ``at`` is the time as the tick goes
        on (each claim's lease counts from its own claim); once ``stopping`` says so, no
        post is started and the claimed rest is handed back at once."""
        at = at or (lambda: now)
        platforms = sorted(self.publishers)
        await self.posts.plan_brag_threads(now, platforms)
        if self.practice is not None:
            await self.practice.rounds.plan_practice_rounds(now, platforms)
        opened: dict[tuple[str, str, str], str] = {}
        while not stopping():
            moment = at()
            request = ClaimRequest(moment, platforms, token, moment + self.lease, BATCH)
            claimed = await self.posts.claim_posts(request)
            if not claimed:
                return
            # A practice round introduces group after group at the platform's pace, which can
            # outlast the lease: it is kept ahead while this process works the claim.
            renewing = asyncio.ensure_future(
                keep_renewing(
                    self.lease,
                    self.pause,
                    lambda: self.posts.renew_posts(token, at() + self.lease),
                    "community posts",
                )
            )
            try:
                for n, post in enumerate(claimed):
                    if stopping():
                        rest = [
                            PostOutcome(p.id, PlannedState.PENDING, HANDED_BACK)
                            for p in claimed[n:]
                        ]
                        await self.posts.finish_posts(token, rest, at())
                        return
                    outcome = await self.publish(post, moment, opened, token)
                    key = f"post_{outcome.state.value}"
                    counts[key] = counts.get(key, 0) + 1
                    await self.posts.finish_posts(token, [outcome], at())
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
            if len(claimed) < BATCH:
                return

    async def publish(
        self,
        post: PostDue,
        now: dt.datetime,
        opened: dict[tuple[str, str, str], str],
        token: str = "",
    ) -> PostOutcome:
        """Post one claimed community post (or run a practice round); what became of it."""
        try:
            if post.kind is PostKind.PRACTICE_ROUND:
                if self.practice is None:
                    return PostOutcome(post.id, PlannedState.SKIPPED, "disabled")
                return await self.practice.run(post, token, now)
            return await self._publish(post, now, opened)
        except PermanentDeliveryError as error:
            return PostOutcome(post.id, PlannedState.FAILED, self.error_code(error, "refused"))
        except DeliveryError as error:
            return self._retry(post, now, "retry", error.retry_after)
        except Exception as error:
            log.warning("community post %s failed: %s", post.id, type(error).__name__)
            return self._retry(post, now, "error", None)

    def _retry(
        self, post: PostDue, now: dt.datetime, code: str, retry_after: float | None
    ) -> PostOutcome:
        if post.attempts >= self.max_attempts:
            return PostOutcome(post.id, PlannedState.FAILED, "gave_up")
        retry = now + retry_delay(post.attempts, retry_after)
        return PostOutcome(post.id, PlannedState.PENDING, code, retry_at=retry)

    async def _publish(
        self, post: PostDue, now: dt.datetime, opened: dict[tuple[str, str, str], str]
    ) -> PostOutcome:
        community = post.community
        publisher = self.publishers[community.platform]
        where = (community.platform, community.community, post.week)
        key = f"bb-post-{post.id}"
        if post.kind is PostKind.BRAG_THREAD:
            if not (community.brag_thread and community.brag_channel):
                return PostOutcome(post.id, PlannedState.SKIPPED, "disabled")
            # The week the thread belongs to, whenever it opens (a Friday thread, or one
            # opened late, still names its Monday).
            replies = brag_thread.opening(self.content, week_monday(post.week), post.pulse)
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
                return PostOutcome(post.id, PlannedState.PENDING, WAITING, retry_at=retry)
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
