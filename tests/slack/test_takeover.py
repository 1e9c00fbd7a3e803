"""A check-in whose sender died after Slack took it is found in the DM, not sent again."""

from __future__ import annotations

import datetime as dt

from adapters.slack.messenger import SlackMessenger
from bot import checkin_messages
from bot.content import Content
from bot.delivery_ports import ClaimRequest
from bot.dispatcher import Dispatcher
from bot.events import Sender
from bounceback.bootstrap import Services
from storage.tables import people
from tests.scheduling.harness import seed_due
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import Harness

DUE = dt.datetime(2026, 7, 14, 8, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=2)


async def test_a_taken_over_check_in_already_in_the_dm_is_recorded_not_resent(
    slack: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    messenger: SlackMessenger = slack.bot.messenger
    content = Content.load()
    await seed_due(services.db, 3, DUE, platform="slack")
    async with services.db.begin() as connection:
        await connection.execute(people.update().values(community="T1"))

    # Instance A claims the three, hands the first to Slack, and dies before recording it.
    [first, *_] = await services.outbox.claim(
        ClaimRequest(DUE, ["slack"], "A#1", DUE + LEASE, limit=10)
    )
    who = first.person
    replies, _ = checkin_messages.build(content, first)
    recipient = Sender("slack", who.community, who.user_id, who.display_name)
    await messenger.deliver(recipient, replies, f"bb-{first.message.id}")
    posted_by_a = len(fake_slack.calls_to("chat.postMessage"))

    # After A's lease, B takes them over: the one A sent is found in the DM, the others go.
    b = Dispatcher(services.outbox, content, {"slack": messenger}, "B", lease=LEASE)
    report = await b.tick(DUE + LEASE + dt.timedelta(seconds=1))

    assert report.counts == {"sent": 2, "sent:recalled": 1}
    assert len(fake_slack.calls_to("chat.postMessage")) == posted_by_a + 2
    # Every message of the dead claim was looked for (any of them might have gone).
    looked = {call.args["channel"] for call in fake_slack.calls_to("conversations.history")}
    assert looked == {f"Duser-{n}" for n in range(3)}
