"""Scheduled delivery through SlackMessenger, against the fake Slack."""

from __future__ import annotations

import pytest

from adapters.slack.messenger import SlackMessenger
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.events import Sender
from bot.ports import Messenger
from bot.replies import Attachment, Button, Field, Form, Reply
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import BOT_TOKEN, Harness, RecordingSleep

ANA = Sender("slack", "T1", "U1", "ana")


@pytest.fixture
def messenger(slack: Harness) -> SlackMessenger:
    return slack.bot.messenger


def test_it_is_a_messenger(messenger: SlackMessenger) -> None:
    implements: Messenger = messenger
    assert implements.platform == "slack"


async def test_delivers_to_the_dm_and_returns_the_first_ts(
    messenger: SlackMessenger, fake_slack: FakeSlack
) -> None:
    replies = [
        Reply(text="How are you today?", buttons=(Button("Good", "mood", "4"),)),
        Reply(text="Any reply from Acme?"),
    ]
    ts = await messenger.deliver(ANA, replies, "checkin:1:day1")
    await messenger.deliver(ANA, [Reply(text="again")], "checkin:1:day2")
    assert ts == "1.000100"
    assert len(fake_slack.calls_to("conversations.open")) == 1  # the DM id is remembered
    posts = fake_slack.calls_to("chat.postMessage")
    assert [post.args["channel"] for post in posts] == ["DU1", "DU1", "DU1"]
    assert all(post.token == BOT_TOKEN for post in posts)
    assert posts[0].args["blocks"][-1]["elements"][0]["action_id"] == "bb|0|mood"


async def test_a_form_becomes_a_button(messenger: SlackMessenger, fake_slack: FakeSlack) -> None:
    await messenger.deliver(
        ANA, [Reply(form=Form("checkin", "Check in", (Field("mood", "Mood"),)))], "k"
    )
    [post] = fake_slack.calls_to("chat.postMessage")
    assert post.args["blocks"][-1]["elements"][0]["action_id"].startswith("bbform|")


async def test_a_file_goes_to_the_dm(messenger: SlackMessenger, fake_slack: FakeSlack) -> None:
    export = Attachment("data.json", b"{}")
    await messenger.deliver(ANA, [Reply(text="Your data", attachment=export)], "k")
    assert [call.args["content"] for call in fake_slack.calls_to("upload")] == [b"{}"]
    [shared] = fake_slack.calls_to("files.completeUploadExternal")
    assert shared.args["channel_id"] == "DU1"


async def test_a_429_is_waited_out(
    messenger: SlackMessenger, fake_slack: FakeSlack, sleep: RecordingSleep
) -> None:
    fake_slack.script("chat.postMessage", {"ok": False, "error": "ratelimited"}, status=429,
                      headers={"Retry-After": "3"}, times=2)  # fmt: skip
    ts = await messenger.deliver(ANA, [Reply(text="hi")], "k")
    assert ts
    assert sleep.waits == [3.0, 3.0]


async def test_a_429_that_does_not_clear_is_retryable_with_its_wait(
    messenger: SlackMessenger, fake_slack: FakeSlack, sleep: RecordingSleep
) -> None:
    fake_slack.script("chat.postMessage", {"ok": False, "error": "ratelimited"}, status=429,
                      headers={"Retry-After": "120"})  # fmt: skip
    with pytest.raises(DeliveryError) as raised:
        await messenger.deliver(ANA, [Reply(text="hi")], "k")
    assert raised.value.retry_after == 120
    assert sleep.waits == []  # too long to hold a worker: the scheduler retries later


@pytest.mark.parametrize("error", ["cannot_dm_bot", "user_not_found", "account_inactive"])
async def test_unreachable_people_are_permanent_failures(
    messenger: SlackMessenger, fake_slack: FakeSlack, error: str
) -> None:
    fake_slack.script("conversations.open", {"ok": False, "error": error})
    with pytest.raises(PermanentDeliveryError, match=error):
        await messenger.deliver(ANA, [Reply(text="hi")], "k")


async def test_other_errors_are_retryable(messenger: SlackMessenger, fake_slack: FakeSlack) -> None:
    fake_slack.script("chat.postMessage", {"ok": False, "error": "internal_error"}, status=500)
    with pytest.raises(DeliveryError) as raised:
        await messenger.deliver(ANA, [Reply(text="hi")], "k")
    assert not isinstance(raised.value, PermanentDeliveryError)


async def test_an_unreachable_slack_is_retried_once_then_retryable(
    messenger: SlackMessenger, fake_slack: FakeSlack, sleep: RecordingSleep
) -> None:
    await fake_slack.stop()
    with pytest.raises(DeliveryError):
        await messenger.deliver(ANA, [Reply(text="hi")], "k")
    assert sleep.waits == [0.5]
