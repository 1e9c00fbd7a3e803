"""The delivery side's ports: the outboxes the dispatcher claims from, and the platforms it
hands messages and posts to (each adapter's messenger and publisher)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.events import Sender
from bot.model import Due, Outcome, PostDue, PostOutcome
from bot.replies import Reply


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    """A claim on an outbox: up to ``limit`` items for ``platforms`` due at ``now`` (or
    whose earlier claim's lease ran out), held under the token ``instance`` until
    ``lease_until``."""

    now: dt.datetime
    platforms: Sequence[str]
    instance: str
    lease_until: dt.datetime
    limit: int


class CommunityPosts(Protocol):
    """The durable queue of posts in community channels (the weekly brag thread)."""

    async def plan_brag_threads(self, now: dt.datetime, platforms: Sequence[str]) -> int:
        """Make sure every community with a brag channel has its next thread planned at the
        time its settings give (once, whatever the number of instances), and none is planned
        where the thread is off; returns how many communities have one planned."""
        ...

    async def claim_posts(self, request: ClaimRequest) -> Sequence[PostDue]:
        """Take due community posts, brag threads before the shares that go into them."""
        ...

    async def finish_posts(
        self, instance: str, outcomes: Sequence[PostOutcome], now: dt.datetime
    ) -> None:
        """Record what happened to claimed posts."""
        ...

    async def renew_posts(self, instance: str, lease_until: dt.datetime) -> int:
        """Extend the lease of every post still claimed under ``instance``; returns how many."""
        ...


class Outbox(Protocol):
    """The durable queue of planned messages, as the dispatcher sees it.

    Every write after a claim is fenced by the claim's token: it changes a row only while
    that row is still claimed under that token, so an instance whose lease ran out can never
    record, re-plan or hand back a row that another instance has taken over.
    """

    async def claim(self, request: ClaimRequest) -> Sequence[Due]:
        """Atomically take the due messages ``request`` asks for, and any whose earlier
        claim's lease ran out, holding them under its token until its lease ends."""
        ...

    async def held(self, instance: str, planned_ids: Sequence[int], now: dt.datetime) -> set[int]:
        """Which of these messages are still claimed by ``instance`` and still welcome at
        ``now`` (the person not deleted, stopped, paused or unreachable): the last look
        before sending."""
        ...

    async def record(
        self, instance: str, outcomes: Sequence[Outcome], now: dt.datetime
    ) -> Sequence[bool]:
        """Record what happened to claimed messages, each with its follow-ups (the next
        weekly check-in, the conversation, an unreachable person), in one transaction;
        returns, per outcome, whether it was recorded (False: the claim was no longer
        ``instance``'s, so nothing of it was written). Safe to call again with the same
        outcomes after a lost connection."""
        ...

    async def renew(self, instance: str, lease_until: dt.datetime) -> int:
        """Extend the lease of every row still claimed under ``instance``; returns how many."""
        ...

    async def release(self, instance: str, planned_ids: Sequence[int]) -> int:
        """Hand back claimed messages that were not sent, due as before and with the claim's
        attempt given back, so any instance takes them at once; returns how many."""
        ...


class Messenger(Protocol):
    """Delivers replies to a person outside any request (check-ins, nudges), for one platform."""

    platform: str

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        """Send privately and return the platform's message id.

        ``key`` is unique per planned message so a platform that supports it can drop a
        duplicate. Raises :class:`bot.errors.DeliveryError` for a failure worth retrying and
        :class:`bot.errors.PermanentDeliveryError` when this person cannot be reached.
        """
        ...


@runtime_checkable
class Recaller(Protocol):
    """A messenger that can tell whether a keyed delivery already reached the person.

    Used before sending a message whose earlier claim may have sent it (the process died
    between the platform's acceptance and the record): found, it is recorded, not resent.
    """

    async def delivered(self, recipient: Sender, key: str) -> str | None:
        """The platform's id of the message sent under ``key``, or None if there is none."""
        ...


@runtime_checkable
class Publisher(Protocol):
    """Posts in a community's channels (the weekly brag thread), for one platform.

    Only what a person explicitly agreed to share, or the bot's own words, ever goes through
    here. Every text is rendered with the platform's escaping, so nothing pings anyone.
    """

    platform: str

    async def open_thread(
        self, community: str, channel: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Start this week's thread in ``channel``; return the id later posts reply into
        (Slack: the parent message's ts; Discord: the new thread's channel id)."""
        ...

    async def post(
        self, community: str, channel: str, thread: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Post into a thread; return the posted message's id."""
        ...

    async def react(
        self, community: str, channel: str, thread: str, message_id: str, emoji: str
    ) -> None:
        """Add a reaction (an emoji name such as "tada") to a posted message."""
        ...

    async def delete(self, community: str, channel: str, thread: str, message_id: str) -> None:
        """Remove a message the bot posted; a message already gone is not an error."""
        ...
