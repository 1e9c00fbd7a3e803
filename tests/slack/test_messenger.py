"""Scheduled delivery through SlackMessenger, against the fake Slack."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import pytest

from adapters.slack.messenger import SlackMessenger
from adapters.slack.outbox import Outbox
from bot.delivery_ports import Messenger, Publisher
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.events import Sender
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


def rate_limited(fake_slack: FakeSlack, retry_after: int, times: int = 1) -> None:
    """The next ``times`` posts are refused with a 429 asking to wait ``retry_after`` seconds."""
    refused = {"ok": False, "error": "ratelimited"}
    headers = {"Retry-After": str(retry_after)}
    fake_slack.script("chat.postMessage", refused, status=429, headers=headers, times=times)


async def test_a_429_is_waited_out(
    messenger: SlackMessenger, fake_slack: FakeSlack, sleep: RecordingSleep
) -> None:
    rate_limited(fake_slack, 3, times=2)
    ts = await messenger.deliver(ANA, [Reply(text="hi")], "k")
    assert ts
    assert sleep.waits == [3.0, 3.0]


# What a 429 too long to wait out may hold up: a DM delivered, a post in a thread.
SENDS: dict[str, Callable[[SlackMessenger], Awaitable[object]]] = {
    "dm": lambda messenger: messenger.deliver(ANA, [Reply(text="hi")], "k"),
    "thread": lambda messenger: messenger.post(
        "T1", "C123", "1.1", [Reply(text="hi", private=False)], "k"
    ),
}


@pytest.mark.parametrize(("send", "retry_after"), [("dm", 120), ("thread", 90)])
async def test_a_429_that_does_not_clear_is_retryable_with_its_wait(
    messenger: SlackMessenger,
    fake_slack: FakeSlack,
    sleep: RecordingSleep,
    send: str,
    retry_after: int,
) -> None:
    rate_limited(fake_slack, retry_after)
    with pytest.raises(DeliveryError) as raised:
        await SENDS[send](messenger)
    assert not isinstance(raised.value, PermanentDeliveryError)
    assert raised.value.retry_after == retry_after
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


# ----- the brag thread: SlackMessenger as the engine's Publisher -----

WIN = "Ana shared a win: <!channel> @everyone <@U2> <!subteam^S1> <https://evil.example|bank>"


def test_it_is_a_publisher(messenger: SlackMessenger) -> None:
    assert isinstance(messenger, Publisher)


async def test_a_thread_opens_in_the_channel_and_posts_go_into_it(
    messenger: SlackMessenger, fake_slack: FakeSlack
) -> None:
    parent = await messenger.open_thread(
        "T1", "C123", [Reply(heading="Brag thread", text="Share a win", private=False)], "k1"
    )
    ts = await messenger.post("T1", "C123", parent, [Reply(text=WIN, private=False)], "k2")
    await messenger.react("T1", "C123", parent, ts, "tada")
    await messenger.delete("T1", "C123", parent, ts)

    opened, posted = fake_slack.calls_to("chat.postMessage")
    assert (opened.args["channel"], "thread_ts" in opened.args) == ("C123", False)
    assert (posted.args["channel"], posted.args["thread_ts"]) == ("C123", parent)
    assert (parent, ts) == ("1.000100", "2.000100")
    assert fake_slack.calls_to("conversations.open") == []  # never through a DM
    [reaction] = fake_slack.calls_to("reactions.add")
    assert reaction.args == {"channel": "C123", "timestamp": ts, "name": "tada"}
    [deleted] = fake_slack.calls_to("chat.delete")
    assert deleted.args == {"channel": "C123", "ts": ts}
    assert {call.token for call in fake_slack.api_calls} == {BOT_TOKEN}


async def test_a_shared_win_cannot_ping_or_hide_a_link(
    messenger: SlackMessenger, fake_slack: FakeSlack
) -> None:
    await messenger.post("T1", "C123", "1.1", [Reply(text=WIN, private=False)], "k")
    [posted] = fake_slack.calls_to("chat.postMessage")
    sent = json.dumps([posted.args["text"], posted.args["blocks"]])
    for live in ("<!channel>", "<@U2>", "<!subteam", "<https://"):
        assert live not in sent
    [section] = posted.args["blocks"]
    assert section["text"]["verbatim"] is True  # no auto-linking of names or URLs
    assert "&lt;!channel&gt; @everyone &lt;@U2&gt;" in section["text"]["text"]
    assert posted.args["unfurl_links"] in (False, "0", 0)


async def test_a_long_opening_continues_inside_the_thread(
    messenger: SlackMessenger, fake_slack: FakeSlack
) -> None:
    long = "\n\n".join(f"paragraph {n} " + "x" * 2900 for n in range(55))
    parent = await messenger.open_thread("T1", "C123", [Reply(text=long, private=False)], "k")
    first, *rest = fake_slack.calls_to("chat.postMessage")
    assert "thread_ts" not in first.args and len(first.args["blocks"]) == 50
    assert rest and all(call.args["thread_ts"] == parent for call in rest)


async def test_each_workspace_posts_with_its_own_token(fake_slack: FakeSlack) -> None:
    tokens = {"T1": "xoxb-one-T1", "T9": "xoxb-nine-T9"}

    async def lookup(team_id: str) -> str | None:
        return tokens.get(team_id)

    publisher = SlackMessenger(
        tokens=lookup,
        api_url=fake_slack.api_url,
        session=None,
        retry_handlers=[],
        outbox=Outbox(session=None, retry_handlers=[]),
    )
    await publisher.open_thread("T9", "C9", [Reply(text="hi", private=False)], "k")
    await publisher.react("T1", "C1", "1.1", "1.1", "tada")
    assert [call.token for call in fake_slack.api_calls] == ["xoxb-nine-T9", "xoxb-one-T1"]
    with pytest.raises(PermanentDeliveryError, match="not_installed"):
        await publisher.post("T404", "C1", "1.1", [Reply(text="hi", private=False)], "k")


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "is_archived", "restricted_action"]
)
async def test_a_channel_the_bot_cannot_use_is_a_permanent_failure(
    messenger: SlackMessenger, fake_slack: FakeSlack, error: str
) -> None:
    fake_slack.script("chat.postMessage", {"ok": False, "error": error}, times=2)
    with pytest.raises(PermanentDeliveryError, match=error):
        await messenger.open_thread("T1", "C123", [Reply(text="hi", private=False)], "k")
    with pytest.raises(PermanentDeliveryError, match=error):
        await messenger.post("T1", "C123", "1.1", [Reply(text="hi", private=False)], "k")


async def test_an_existing_reaction_and_a_message_already_gone_are_fine(
    messenger: SlackMessenger, fake_slack: FakeSlack
) -> None:
    fake_slack.script("reactions.add", {"ok": False, "error": "already_reacted"})
    fake_slack.script("chat.delete", {"ok": False, "error": "message_not_found"})
    await messenger.react("T1", "C123", "1.1", "2.2", "tada")
    await messenger.delete("T1", "C123", "1.1", "2.2")
    fake_slack.script("chat.delete", {"ok": False, "error": "internal_error"}, status=500)
    with pytest.raises(DeliveryError):
        await messenger.delete("T1", "C123", "1.1", "2.2")


async def test_each_check_in_carries_its_key_as_metadata(
    messenger: SlackMessenger, fake_slack: FakeSlack
) -> None:
    await messenger.deliver(ANA, [Reply(text="How are you today?")], "bb-41")
    [post] = fake_slack.calls_to("chat.postMessage")
    metadata = post.args["metadata"]
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    assert metadata == {"event_type": "bounceback_delivery", "event_payload": {"key": "bb-41"}}


async def test_a_delivery_is_found_in_the_dm_history_by_its_key(
    messenger: SlackMessenger, fake_slack: FakeSlack
) -> None:
    assert await messenger.delivered(ANA, "bb-41") is None
    ts = await messenger.deliver(ANA, [Reply(text="How are you today?")], "bb-41")
    await messenger.deliver(ANA, [Reply(text="Another one")], "bb-42")

    assert await messenger.delivered(ANA, "bb-41") == ts
    assert await messenger.delivered(ANA, "bb-43") is None
    [history, *_] = fake_slack.calls_to("conversations.history")
    assert history.args["channel"] == "DU1"


async def test_a_failed_look_up_is_a_delivery_error_never_a_blind_resend(
    messenger: SlackMessenger, fake_slack: FakeSlack
) -> None:
    fake_slack.script("conversations.history", {"ok": False, "error": "internal_error"})
    with pytest.raises(DeliveryError):
        await messenger.delivered(ANA, "bb-41")
