"""The brag thread and the community around it, on the engine and the real outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import brag_thread
from bot.content import Content
from bot.dispatcher import Dispatcher
from bot.engine import Engine
from bot.events import Choice, Command, FormSubmission, Message, Sender
from bot.replies import CHANNEL_MARK, Reply
from storage.community_posts import SqlCommunityPosts
from storage.outbox import SqlOutbox
from storage.sql import SqlStore
from storage.tables import community_posts
from tests.scheduling.harness import RecordingMessenger

ADMIN = Sender("slack", "T1", "UADMIN", "Ada", is_admin=True)
SAM = Sender("slack", "T1", "USAM", "Sam")
# Monday 2026-07-13, 08:00 UTC = 10:00 in Berlin.
MONDAY = dt.datetime(2026, 7, 13, 8, 0, tzinfo=dt.UTC)
SETTINGS = {
    "brag_thread": "yes",
    "brag_day": "0",
    "brag_time": "10:00",
    "timezone": "Europe/Berlin",
    "pulse": "yes",
    "checkin_time": "09:00",
    "support": "",
}  # fmt: skip


@dataclass
class FakeChannels:
    """A fake platform's channels: records threads, posts, reactions and removals."""

    platform: str = "slack"
    threads: list[tuple[str, list[Reply]]] = field(default_factory=list)
    posts: list[tuple[str, str]] = field(default_factory=list)  # (thread, text)
    reactions: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    inner: RecordingMessenger = field(default_factory=lambda: RecordingMessenger("slack"))

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        return await self.inner.deliver(recipient, replies, key)

    async def open_thread(
        self, community: str, channel: str, replies: Sequence[Reply], key: str
    ) -> str:
        self.threads.append((channel, list(replies)))
        return f"thread-{len(self.threads)}"

    async def post(
        self, community: str, channel: str, thread: str, replies: Sequence[Reply], key: str
    ) -> str:
        self.posts.append((thread, replies[0].text))
        return f"post-{len(self.posts)}"

    async def react(
        self, community: str, channel: str, thread: str, message_id: str, emoji: str
    ) -> None:
        self.reactions.append((message_id, emoji))

    async def delete(self, community: str, channel: str, thread: str, message_id: str) -> None:
        self.removed.append(message_id)


@dataclass
class World:
    db: AsyncEngine
    engine: Engine
    channels: FakeChannels

    def dispatcher(self, name: str = "one") -> Dispatcher:
        return Dispatcher(SqlOutbox(self.db), Content.load(), {"slack": self.channels}, name,
                          publishers={"slack": self.channels},
                          posts=SqlCommunityPosts(self.db))  # fmt: skip

    async def set_up(self) -> None:
        await self.engine.handle(
            Command(ADMIN, "bounceback", "admin here", channel="C-BRAG"), MONDAY
        )
        await self.engine.handle(FormSubmission(ADMIN, "community_settings", SETTINGS), MONDAY)


@pytest.fixture
async def world(db: AsyncEngine) -> World:
    store = SqlStore(db)
    return World(db, Engine(store, Content.load(), brag_schedule=store), FakeChannels())


async def test_settings_are_for_admins_only(world: World) -> None:
    [refused] = await world.engine.handle(Command(SAM, "bounceback", "admin"), MONDAY)
    [button] = await world.engine.handle(Choice(SAM, "admin.settings"), MONDAY)
    [form] = await world.engine.handle(FormSubmission(SAM, "community_settings", SETTINGS), MONDAY)
    [here] = await world.engine.handle(
        Command(SAM, "bounceback", "admin here", channel="C1"), MONDAY
    )

    for reply in (refused, button, form, here):
        assert "Only this community's admins" in reply.text
    [shown] = await world.engine.handle(Command(ADMIN, "bounceback", "admin"), MONDAY)
    assert "Brag channel: not set" in shown.text


async def test_an_admin_sets_the_channel_and_the_schedule(world: World) -> None:
    await world.set_up()
    [shown] = await world.engine.handle(Command(ADMIN, "bounceback", "admin"), MONDAY)
    # The channel is a mark each adapter turns into its own mention, never the raw id.
    assert f"Brag channel: {CHANNEL_MARK}" in shown.text and shown.channel == "C-BRAG"
    assert "Monday at 10:00, Europe/Berlin" in shown.text
    [bad] = await world.engine.handle(
        FormSubmission(ADMIN, "community_settings", {**SETTINGS, "timezone": "Moon/Base"}), MONDAY
    )
    assert bad.form is not None and "timezone" in bad.form.errors


async def test_new_members_start_with_the_communitys_check_in_time(world: World) -> None:
    await world.set_up()
    await world.engine.handle(Command(SAM, "help"), MONDAY + dt.timedelta(minutes=1))
    person = await SqlStore(world.db).person(SAM, "UTC", MONDAY)
    assert (person.timezone, person.checkin_time) == ("Europe/Berlin", dt.time(9, 0))


async def test_the_weekly_thread_opens_once_whatever_the_instances_and_restarts(
    world: World,
) -> None:
    await world.set_up()
    for name in ("one", "two", "one-restarted"):
        for minutes in (0, 1, 30):
            await world.dispatcher(name).tick(MONDAY + dt.timedelta(minutes=minutes))
    assert len(world.channels.threads) == 1
    channel, [opening] = world.channels.threads[0]
    assert channel == "C-BRAG"
    assert not opening.private
    assert "Share a win" in opening.text

    next_monday = MONDAY + dt.timedelta(days=7)
    await world.dispatcher().tick(next_monday - dt.timedelta(minutes=1))
    assert len(world.channels.threads) == 1
    await world.dispatcher().tick(next_monday)
    assert len(world.channels.threads) == 2


async def test_a_win_is_posted_only_with_a_yes_and_celebrated(world: World) -> None:
    await world.set_up()
    replies = await world.engine.handle(
        Command(SAM, "brag", "Shipped <!channel> @everyone"), MONDAY
    )
    ask = replies[-1]
    assert [b.label for b in ask.buttons] == ["Share it", "Keep it private"]
    await world.engine.handle(Command(SAM, "brag", "A private one"), MONDAY)
    await world.engine.handle(Choice(SAM, "community.keep", "2"), MONDAY)
    await world.dispatcher().tick(MONDAY)
    assert world.channels.posts == []

    yes = ask.buttons[0]
    [shared] = await world.engine.handle(Choice(SAM, yes.action, yes.value), MONDAY)
    assert "Shared" in shared.text
    [again] = await world.engine.handle(Choice(SAM, yes.action, yes.value), MONDAY)
    assert "already shared" in again.text
    await world.dispatcher().tick(MONDAY + dt.timedelta(minutes=1))

    # The renderers escape the text; the engine posts it as the person wrote it.
    assert world.channels.posts == [("thread-1", "Sam shared a win: Shipped <!channel> @everyone")]
    assert world.channels.reactions == [("post-1", "tada")]


async def test_a_share_before_the_threads_day_waits_for_the_opening(world: World) -> None:
    sunday = MONDAY - dt.timedelta(days=1)
    await world.engine.handle(Command(ADMIN, "bounceback", "admin here", channel="C-BRAG"), sunday)
    friday = {**SETTINGS, "brag_day": "4"}
    await world.engine.handle(FormSubmission(ADMIN, "community_settings", friday), sunday)
    replies = await world.engine.handle(Command(SAM, "brag", "Got a callback"), MONDAY)
    [told] = await world.engine.handle(
        Choice(SAM, replies[-1].buttons[0].action, replies[-1].buttons[0].value), MONDAY
    )
    assert "The thread opens Friday 17 July 2026 at 10:00 (Europe/Berlin)" in told.text

    for hours in (0, 1, 24, 72):
        await world.dispatcher().tick(MONDAY + dt.timedelta(hours=hours))
    assert world.channels.threads == [] and world.channels.posts == []

    await world.dispatcher().tick(MONDAY + dt.timedelta(days=4))  # Friday 10:00 in Berlin
    assert len(world.channels.threads) == 1
    assert world.channels.posts == [("thread-1", "Sam shared a win: Got a callback")]


async def test_deleting_a_shared_win_takes_the_post_down(world: World) -> None:
    await world.set_up()
    replies = await world.engine.handle(Command(SAM, "brag", "Ran my first mock interview"), MONDAY)
    await world.engine.handle(
        Choice(SAM, replies[-1].buttons[0].action, replies[-1].buttons[0].value), MONDAY
    )
    await world.dispatcher().tick(MONDAY)

    [removed] = await world.engine.handle(
        Command(SAM, "brag", "remove 1"), MONDAY + dt.timedelta(hours=1)
    )
    await world.dispatcher().tick(MONDAY + dt.timedelta(hours=1))

    assert "Removed from the brag thread too" in removed.text
    assert world.channels.removed == ["post-1"]


async def test_mydata_delete_removes_the_wins_posted_for_them(world: World) -> None:
    await world.set_up()
    for text in ("Win one", "Win two"):
        replies = await world.engine.handle(Command(SAM, "brag", text), MONDAY)
        await world.engine.handle(
            Choice(SAM, replies[-1].buttons[0].action, replies[-1].buttons[0].value), MONDAY
        )
    await world.dispatcher().tick(MONDAY)
    await world.engine.handle(
        Choice(SAM, "mydata.delete", "confirm"), MONDAY + dt.timedelta(hours=1)
    )

    await world.dispatcher().tick(MONDAY + dt.timedelta(hours=1))

    assert sorted(world.channels.removed) == ["post-1", "post-2"]
    async with world.db.connect() as connection:
        bodies = (
            await connection.execute(select(community_posts.c.body, community_posts.c.person_id))
        ).all()
    assert all(person is None for _, person in bodies)


async def test_hired_celebrates_ends_the_plan_and_offers_to_share(world: World) -> None:
    await world.set_up()
    await world.engine.handle(
        FormSubmission(SAM, "rejection", {"company": "Acme", "stage": "interview", "feeling": "3"}),
        MONDAY,
    )
    replies = await world.engine.handle(Command(SAM, "hired"), MONDAY)
    assert "congratulations" in replies[0].text
    assert [b.label for b in replies[1].buttons] == ["Share the news", "Keep it to myself"]
    [form] = await world.engine.handle(Choice(SAM, replies[1].buttons[0].action), MONDAY)
    assert form.form is not None
    await world.engine.handle(
        FormSubmission(SAM, form.form.form_id, {"advice": "Apply to adjacent titles"}), MONDAY
    )

    await world.dispatcher().tick(MONDAY + dt.timedelta(days=3))

    assert world.channels.posts == [
        ("thread-1", "Sam got an offer! 🎉 Their advice: Apply to adjacent titles")
    ]
    assert world.channels.inner.sent == []  # the plan ended: no check-ins


async def test_i_got_an_offer_in_words_offers_to_share_too(world: World) -> None:
    await world.set_up()
    replies = await world.engine.handle(Message(SAM, "I got the job!"), MONDAY)
    assert len(replies) == 2
    assert replies[1].buttons[0].label == "Share the news"


async def test_the_pulse_shows_only_counts_of_three_or_more(world: World) -> None:
    await world.set_up()
    last_week = MONDAY - dt.timedelta(days=3)
    for n in range(3):
        member = Sender("slack", "T1", f"U{n}", f"Member {n}")
        await world.engine.handle(
            FormSubmission(
                member, "rejection", {"company": "X", "stage": "interview", "feeling": "3"}
            ),
            last_week,
        )
    one = Sender("slack", "T1", "U0", "Member 0")
    await world.engine.handle(Command(one, "feedback", "sent"), last_week)

    await world.dispatcher().tick(MONDAY)

    [(_, [opening])] = world.channels.threads
    assert "3 members logged a setback" in opening.text
    assert "feedback note" not in opening.text  # only one: too few to show
    assert "Member" not in opening.text


async def test_brag_export_turns_wins_into_bullets_and_star_stories(world: World) -> None:
    await world.engine.handle(
        Command(SAM, "brag", "Cut report time from 2 days to 2 hours"), MONDAY
    )
    replies = await world.engine.handle(Command(SAM, "brag", "export"), MONDAY)
    assert all(r.private for r in replies)
    assert "• Cut report time from 2 days to 2 hours" in replies[1].quote
    star = replies[2].quote
    for part in ("Situation:", "Task:", "Action:", "Result:"):
        assert part in star
    assert "Cut report time" in star


async def test_setbacks_and_moods_never_leave_the_dms(world: World) -> None:
    await world.set_up()
    await world.engine.handle(
        FormSubmission(
            SAM, "rejection", {"company": "Secret Corp", "stage": "final_round", "feeling": "1"}
        ),
        MONDAY,
    )
    await world.engine.handle(Command(SAM, "checkin", "1 awful day"), MONDAY)
    for days in range(0, 8):
        await world.dispatcher().tick(MONDAY + dt.timedelta(days=days, minutes=5))
    public = [r.text for _, replies in world.channels.threads for r in replies]
    public += [text for _, text in world.channels.posts]
    assert not any("Secret Corp" in text or "awful" in text for text in public)


async def test_the_pulse_counts_applications_only_from_three_people_on(world: World) -> None:
    await world.set_up()
    last_week = MONDAY - dt.timedelta(days=3)
    applied = {"company": "Y", "applied_on": last_week.date().isoformat(), "adjacent": "no"}
    for n in (0, 0, 1):
        member = Sender("slack", "T1", f"U{n}", f"Member {n}")
        await world.engine.handle(FormSubmission(member, "application", applied), last_week)

    await world.dispatcher().tick(MONDAY)
    [(_, [opening])] = world.channels.threads
    assert "applications went out" not in opening.text  # two people: too few to show

    member = Sender("slack", "T1", "U2", "Member 2")
    await world.engine.handle(FormSubmission(member, "application", applied), last_week)
    assert "4 applications went out" in brag_thread.pulse_line(
        world.engine.content, await SqlStore(world.db).brag_pulse("slack", "T1", MONDAY)
    )
