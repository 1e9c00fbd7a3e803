"""Check-ins at Discord's pace: each person's DM channel kept (one request for a returning
person, also after a restart), the global limit kept before it is hit, 429s waited out with
nothing lost, and the oldest due first. Against the fake Discord with its rate limits on."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import random
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.discord.config import DiscordConfig
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.pace import LONGEST_HOLD, GlobalPace, RouteBucket
from bot.content import Content
from bot.dispatcher import Dispatcher
from bot.errors import DeliveryError
from bot.events import Sender
from bot.model import PlannedState
from bot.reach import Reach
from storage.outbox import SqlOutbox
from storage.sql import SqlStore
from storage.tables import planned_messages
from tests.discord.conftest import NOW, TOKEN
from tests.discord.fake_discord import GUILD_ID, USER_ID, FakeDiscord
from tests.discord.fake_limits import DM_OPEN, RateLimits, RouteLimit
from tests.discord.test_messenger import ADA, CHECK_IN, POSTS
from tests.scheduling.harness import seed_due

OPENS = "/users/@me/channels"
Connect = Callable[..., AbstractAsyncContextManager[DiscordMessenger]]
Dispatched = Callable[[], AbstractAsyncContextManager[Dispatcher]]


class FakeTime:
    """A monotonic clock whose sleeps move it on at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def store(db: AsyncEngine) -> SqlStore:
    return SqlStore(db)


@pytest.fixture
def connect(fake: FakeDiscord, store: SqlStore) -> Connect:
    """Opens a messenger (a new process's, nothing in memory) keeping DM channels in ``store``."""

    def opened(per_second: int = 50) -> AbstractAsyncContextManager[DiscordMessenger]:
        config = DiscordConfig(token=TOKEN, api_url=fake.base_url, requests_per_second=per_second)
        return DiscordMessenger.connect(
            config, reach=Reach(store), clock=lambda: NOW, dm_channels=store
        )

    return opened


async def test_the_global_pace_lets_50_start_in_any_second_in_the_order_asked() -> None:
    time = FakeTime()
    pace = GlobalPace(50, margin=0.0, clock=time, sleep=time.sleep)
    starts: list[tuple[int, float]] = []

    async def request(number: int) -> None:
        await pace.wait()
        starts.append((number, time.now))

    await asyncio.gather(*(request(n) for n in range(120)))
    assert [number for number, _ in starts] == list(range(120))
    assert [at for _, at in starts] == [0.0] * 50 + [1.0] * 50 + [2.0] * 20


async def test_a_place_freed_goes_to_the_first_still_waiting() -> None:
    pace = GlobalPace(2)
    await pace.take()
    await pace.take()
    gave_up, second, third = (asyncio.ensure_future(pace.take()) for _ in range(3))
    await asyncio.sleep(0)
    gave_up.cancel()
    pace.give_back()  # an answer came a second ago
    await asyncio.sleep(0)
    assert gave_up.cancelled() and second.done() and not third.done()
    for _ in range(3):
        pace.give_back()
    await asyncio.sleep(0)
    assert third.done()
    await pace.take()  # the two given back with nobody waiting, and no more
    await pace.take()
    fourth = asyncio.ensure_future(pace.take())
    await asyncio.sleep(0)
    assert not fourth.done()
    fourth.cancel()


@pytest.fixture
async def ada(store: SqlStore) -> Sender:
    """Ada, stored (a DM channel is kept for a stored person)."""
    await store.person(ADA, "UTC", NOW)
    return ADA


async def test_a_returning_person_costs_one_request_also_after_a_restart(
    fake: FakeDiscord, store: SqlStore, connect: Connect, ada: Sender
) -> None:
    async with connect() as messenger:
        for key in ("bb-1", "bb-2"):
            await messenger.deliver(ada, CHECK_IN, key)
    assert len(fake.find("POST", OPENS)) == 1
    async with connect() as restarted:
        await restarted.deliver(ADA, CHECK_IN, "bb-3")
    assert len(fake.find("POST", OPENS)) == 1
    assert len(fake.messages[fake.dm_channel(USER_ID)]) == 3
    assert await store.dm_channel("discord", str(USER_ID)) == str(fake.dm_channel(USER_ID))


async def test_a_channel_discord_no_longer_knows_is_opened_again(
    fake: FakeDiscord, store: SqlStore, connect: Connect, ada: Sender
) -> None:
    async with connect() as messenger:
        await messenger.deliver(ADA, CHECK_IN, "bb-1")
        unknown = {"message": "Unknown Channel", "code": 10003}
        fake.fail("POST", rf"/channels/{fake.dm_channel(USER_ID)}/messages", 404, unknown)
        with pytest.raises(DeliveryError):
            await messenger.deliver(ADA, CHECK_IN, "bb-2")
        assert await store.dm_channel("discord", str(USER_ID)) is None
        await messenger.deliver(ADA, CHECK_IN, "bb-2")
    assert len(fake.find("POST", OPENS)) == 2


async def test_the_kept_channel_is_exported_and_goes_with_the_person(store: SqlStore) -> None:
    ada = await store.person(ADA, "UTC", NOW)
    elsewhere = Sender("discord", "other-server", ADA.user_id, "Ada")
    await store.person(elsewhere, "UTC", NOW)
    await store.remember_dm_channel(ADA, "777", NOW)
    assert (await store.export(ada.id))["dm_channel"][0]["channel_id"] == "777"
    await store.delete_person(ada.id)
    assert await store.dm_channel("discord", ADA.user_id) is None
    await store.remember_dm_channel(elsewhere, "778", NOW)
    await store.delete_community("discord", "other-server")
    assert await store.dm_channel("discord", ADA.user_id) is None


async def test_requests_keep_to_the_global_limit_without_a_429(
    fake: FakeDiscord, store: SqlStore, connect: Connect
) -> None:
    fake.limits = RateLimits(per_second=3)
    bob = Sender("discord", str(GUILD_ID), str(USER_ID + 1), "Bob")
    async with connect(per_second=3) as messenger:  # logging in, then 4: twice the limit
        await asyncio.gather(
            messenger.deliver(ADA, CHECK_IN, "bb-1"), messenger.deliver(bob, CHECK_IN, "bb-2")
        )
    assert len(fake.calls) >= 6 and not fake.limits.refused


async def test_a_bucket_another_instance_emptied_is_waited_out_once(
    fake: FakeDiscord, store: SqlStore, connect: Connect
) -> None:
    opens = RouteLimit(DM_OPEN.method, DM_OPEN.path, DM_OPEN.bucket, limit=2, per=0.5)
    fake.limits = RateLimits(routes=(opens,))
    async with aiohttp.ClientSession() as other:  # another instance empties the bucket
        for user in (1, 2):
            await other.post(f"{fake.base_url}{OPENS}", json={"recipient_id": str(user)})
    sent = [Sender("discord", str(GUILD_ID), str(USER_ID + n), f"P{n}") for n in range(2)]
    async with connect() as messenger:
        # It knows nothing of the bucket yet: refused once, it waits, then keeps to it.
        await asyncio.gather(*(messenger.deliver(p, CHECK_IN, f"bb-{p.user_id}") for p in sent))
    assert fake.limits.refused == [f"{opens.bucket}:"]
    assert fake.limits.after_first() == 0
    assert [len(fake.messages[fake.dm_channel(int(p.user_id))]) for p in sent] == [1, 1]


async def seed_discord(db: AsyncEngine, count: int) -> dict[str, dt.datetime]:
    """``count`` Discord people, each with one check-in due in the last two hours, in an order
    unlike the people's; returns each user id's due moment."""
    users = [str(USER_ID + n) for n in range(count)]
    dues = [NOW - dt.timedelta(minutes=2 * n) for n in range(count)]
    random.Random(7).shuffle(dues)
    await seed_due(db, count, NOW, platform="discord", user_ids=users, dues=dues)
    return dict(zip(users, dues, strict=True))


async def sent_order(fake: FakeDiscord) -> list[str]:
    """The users messaged, in the order Discord created the messages."""
    recipients = {channel: user for user, channel in fake._dm_channels.items()}
    created = [m for messages in fake.messages.values() for m in messages]
    return [
        str(recipients[int(m["channel_id"])]) for m in sorted(created, key=lambda m: int(m["id"]))
    ]


@pytest.fixture
async def dispatched(
    db: AsyncEngine, fake: FakeDiscord, store: SqlStore, connect: Connect
) -> Dispatched:
    """Makes a dispatcher delivering to Discord through the messenger, four senders at once."""

    @asynccontextmanager
    async def made() -> AsyncIterator[Dispatcher]:
        async with connect() as messenger:
            yield Dispatcher(SqlOutbox(db), Content.load(), {"discord": messenger}, "one",
                             concurrency=4, record_backoff=0.0)  # fmt: skip

    return made


async def test_429s_are_honoured_and_nothing_is_lost_or_sent_twice(
    db: AsyncEngine, fake: FakeDiscord, dispatched: Dispatched
) -> None:
    fake.limits = RateLimits(per_second=4, second=0.05)  # tighter than the client's pace
    fake.rate_limit("POST", POSTS, retry_after=0.01, times=6)  # and some for certain:
    fake.rate_limit("POST", POSTS, retry_after=60.0)  # longer than a send may wait
    dues = await seed_discord(db, 20)
    sent = 0
    async with dispatched() as dispatcher:
        # discord.py waits short 429s out; a long one goes back to the dispatcher with
        # Discord's wait, and a later tick sends it.
        for hour in range(6):
            report = await dispatcher.tick(NOW + dt.timedelta(hours=hour))
            sent += report.count(PlannedState.SENT)
            if not report.claimed:
                break
    assert len(fake.find("POST", POSTS)) >= 20 + 7 and hour > 0
    assert sent == 20
    assert sorted(await sent_order(fake)) == sorted(dues)  # each once
    async with db.connect() as connection:
        states = (await connection.execute(select(planned_messages.c.state))).scalars().all()
    assert states.count("sent") == 20


async def test_the_oldest_due_go_first(
    db: AsyncEngine, fake: FakeDiscord, dispatched: Dispatched
) -> None:
    fake.limits = RateLimits()
    dues = await seed_discord(db, 20)
    async with dispatched() as dispatcher:
        await dispatcher.tick(NOW)
    order = [dues[user] for user in await sent_order(fake)]
    # Four senders at once may swap neighbours, and a send that stalls on its connection
    # falls back several places: 84% to 97% of the 190 pairs come in due order over many
    # runs. Sent in any other order (the people's, say), about half would (95, give or
    # take 15); taken in chunks by the four senders, about 60%.
    pairs = list(itertools.combinations(order, 2))
    assert len(order) == 20 and sum(a <= b for a, b in pairs) >= 0.75 * len(pairs)
    assert order[0] == min(order) or order.index(min(order)) < dispatcher.concurrency
    assert not fake.limits.refused


async def test_dm_opens_keep_to_their_bucket_with_many_in_flight(
    fake: FakeDiscord, store: SqlStore, connect: Connect
) -> None:
    opens = RouteLimit(DM_OPEN.method, DM_OPEN.path, DM_OPEN.bucket, limit=3, per=0.2)
    fake.limits = RateLimits(routes=(opens,))
    people = [Sender("discord", str(GUILD_ID), str(USER_ID + n), f"P{n}") for n in range(15)]
    async with connect() as messenger:
        # discord.py alone trusts the Remaining of answers that miss the opens still in
        # flight, and sends a few over the bucket each window.
        await asyncio.gather(*(messenger.deliver(p, CHECK_IN, f"bb-{p.user_id}") for p in people))
    assert not fake.limits.refused
    assert len(fake.find("POST", OPENS)) == 15
    assert all(len(fake.messages[fake.dm_channel(int(p.user_id))]) == 1 for p in people)


async def test_a_bucket_learns_its_size_and_window_from_the_answers() -> None:
    bucket = RouteBucket("POST", OPENS, margin=0.0)
    assert bucket.covers("POST", f"/api/v10{OPENS}") and not bucket.covers("GET", OPENS)
    await bucket.places.take()  # one at a time until an answer tells the size
    second = asyncio.ensure_future(bucket.places.take())
    await asyncio.sleep(0)
    assert not second.done()
    bucket.learn({"X-RateLimit-Limit": "3", "X-RateLimit-Reset-After": "0.750"})
    await second  # the bucket grew to three places
    await bucket.places.take()
    fourth = asyncio.ensure_future(bucket.places.take())
    await asyncio.sleep(0)
    assert not fourth.done() and bucket.hold == 0.75
    bucket.learn({"X-RateLimit-Limit": "2", "X-RateLimit-Reset-After": "0.1"})
    assert bucket.hold == 0.75  # the longest window seen
    bucket.places.give_back()  # three taken, two places now: the first back frees none
    await asyncio.sleep(0)
    assert not fourth.done()
    bucket.places.give_back()
    await fourth
    bucket.learn({"X-RateLimit-Limit": "nonsense", "X-RateLimit-Reset-After": "3600"})
    assert bucket.hold == LONGEST_HOLD
