"""Community settings and the weekly brag thread on Slack: the real engine and dispatcher on
SQLite, signed requests to the real endpoint, and the fake Slack recording every call."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest

from bot.model import Community
from bounceback.bootstrap import Services
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import (
    BOT_TOKEN,
    NOW,
    FixedClock,
    Harness,
)

REFUSAL = "Only this community's admins"
# What Slack sends for a person who typed "<!channel> <https://evil.example|bank>" in /brag
# (slash command text always arrives with &, < and > encoded).
TYPED_WIN = "&lt;!channel&gt; @everyone &lt;https://evil.example|bank&gt; <@U2|bo>"


async def settings_of(services: Services) -> Community:
    return await services.store.community("slack", "T1", "UTC", NOW)


def sections(call: Call) -> str:
    return "\n".join(
        block["text"]["text"] for block in call.args["blocks"] if block["type"] == "section"
    )


def settings_form(**typed: str) -> dict[str, dict[str, Any]]:
    """A ``community_settings`` view_submission state: sound values unless ``typed``."""
    values = {"brag_thread": "yes", "brag_time": "16:00", "timezone": "UTC", "pulse": "yes",
              "checkin_time": "09:00", "support": "", **typed}  # fmt: skip
    state: dict[str, dict[str, Any]] = {
        name: {"type": "plain_text_input", "value": value or None}
        for name, value in values.items()
        if name != "brag_day"
    }
    day = typed.get("brag_day", "0")
    state["brag_day"] = {"type": "static_select", "selected_option": {"value": day}}
    return state


def answers(fake_slack: FakeSlack) -> list[Call]:
    return fake_slack.calls_to("response_url")


def button(calls: list[Call], action: str) -> dict[str, Any]:
    """The rendered button for an engine ``action`` among some messages."""
    return next(
        element
        for call in calls
        for block in call.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].endswith(f"|{action}")
    )


def in_channel(fake_slack: FakeSlack, channel: str) -> list[Call]:
    return [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


# ----- who is an admin -----


async def test_a_member_is_refused_privately_and_nothing_changes(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await real.command("bounceback", "admin", user="U2")
    await real.command("bounceback", "admin here", user="U2", channel="C123")
    await real.bot.drain()

    refusals = answers(fake_slack)
    assert [call.args["response_type"] for call in refusals] == ["ephemeral", "ephemeral"]
    assert all(REFUSAL in sections(call) for call in refusals)
    # Asked once, then remembered for the second command.
    assert [call.args["user"] for call in fake_slack.calls_to("users.info")] == ["U2"]
    assert (await settings_of(services)).brag_channel == ""


async def test_other_commands_never_ask_who_is_an_admin(
    real: Harness, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U1"] = {"is_admin": True}
    await real.command("progress")
    await real.command("brag", "a win")
    await real.bot.drain()
    # One read, for the person's time zone on first contact; never one per command.
    assert len(fake_slack.calls_to("users.info")) == 1


@pytest.mark.parametrize("flag", ["is_admin", "is_owner", "is_primary_owner"])
async def test_a_workspace_admin_sees_the_settings_and_picks_the_channel(
    real: Harness, fake_slack: FakeSlack, services: Services, flag: str
) -> None:
    fake_slack.users["U1"] = {flag: True}
    await real.command("bounceback", "admin")
    await real.command("bounceback", "admin here", channel="C123")
    await real.bot.drain()
    await real.command("bounceback", "admin")
    await real.bot.drain()

    shown, done, again = answers(fake_slack)
    assert all(call.args["response_type"] == "ephemeral" for call in (shown, done, again))
    assert "Brag channel: not set" in sections(shown)
    assert "posted in <#C123>" in sections(done)
    assert "Brag channel: <#C123>" in sections(again)
    assert (await settings_of(services)).brag_channel == "C123"
    [asked] = fake_slack.calls_to("users.info")
    assert asked.token == BOT_TOKEN


@pytest.mark.parametrize("admins", ["U7, U1"])
async def test_slack_admins_lists_extra_admins(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await real.command("bounceback", "admin here", channel="C123")
    await real.bot.drain()
    [done] = answers(fake_slack)
    assert "posted in <#C123>" in sections(done)
    # The setting is enough: users.info (read once, for the time zone) says not an admin.
    assert len(fake_slack.calls_to("users.info")) <= 1
    assert (await settings_of(services)).brag_channel == "C123"


async def test_here_in_a_dm_is_not_a_channel(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    fake_slack.users["U1"] = {"is_admin": True}
    await real.command("bounceback", "admin here", channel="DU1", channel_name="directmessage")
    await real.bot.drain()
    [answer] = answers(fake_slack)
    assert "not in a direct message" in sections(answer)
    assert (await settings_of(services)).brag_channel == ""


@pytest.mark.parametrize(
    "user",
    [
        {"is_admin": True, "team_id": "T5"},  # an admin elsewhere, here through Slack Connect
        {"is_admin": True, "deleted": True},
    ],
)
async def test_admins_of_other_workspaces_and_deleted_users_are_not_admins(
    real: Harness, fake_slack: FakeSlack, user: dict[str, Any]
) -> None:
    fake_slack.users["U1"] = user
    await real.command("bounceback", "admin")
    await real.bot.drain()
    [answer] = answers(fake_slack)
    assert REFUSAL in sections(answer)


async def test_a_failed_lookup_is_not_admin_and_logs_nothing_personal(
    real: Harness, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_slack.script("users.info", {"ok": False, "error": "missing_scope"})
    await real.command("bounceback", "admin here Ana Secret", channel="C123")
    await real.bot.drain()
    [answer] = answers(fake_slack)
    assert REFUSAL in sections(answer)
    assert "users.info returned missing_scope" in caplog.text
    assert "Ana Secret" not in caplog.text and BOT_TOKEN not in caplog.text

    # A failure is not remembered: the next request asks again and succeeds.
    fake_slack.users["U1"] = {"is_admin": True}
    await real.command("bounceback", "admin")
    await real.bot.drain()
    assert "Brag channel" in sections(answers(fake_slack)[-1])
    assert len(fake_slack.calls_to("users.info")) == 2


async def test_the_settings_form_checks_again_on_every_step(
    real: Harness, fake_slack: FakeSlack, services: Services, clock: FixedClock
) -> None:
    fake_slack.users["U1"] = {"is_admin": True}
    await real.command("bounceback", "admin")
    await real.bot.drain()
    change = button(answers(fake_slack), "admin.settings")
    await real.press(change["action_id"], change.get("value", ""), channel="C1", ephemeral=True)
    await real.bot.drain()
    [opened] = fake_slack.calls_to("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "community_settings"

    # Demoted after the form opened (and after the cache expired): the submission is refused.
    fake_slack.users["U1"] = {"is_admin": False}
    clock.now = NOW + dt.timedelta(minutes=5)
    state = settings_form(brag_day="4", timezone="Europe/Berlin", pulse="no")
    refused = await real.submit("community_settings", state)
    await real.bot.drain()
    assert (refused.status, refused.text) == (200, "")  # the modal closes
    [told] = fake_slack.calls_to("chat.postMessage")
    assert told.args["channel"] == "DU1" and REFUSAL in sections(told)
    assert (await settings_of(services)).timezone == "UTC"

    fake_slack.users["U1"] = {"is_admin": True}
    clock.now = NOW + dt.timedelta(minutes=10)
    saved = await real.submit("community_settings", state)
    await real.bot.drain()
    assert (saved.status, saved.text) == (200, "")
    community = await settings_of(services)
    assert (community.timezone, community.brag_time, community.pulse) == (
        "Europe/Berlin",
        dt.time(16, 0),
        False,
    )


async def test_the_day_picked_in_the_settings_form_is_the_day_saved(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    fake_slack.users["U1"] = {"is_admin": True}
    await real.submit("community_settings", settings_form(brag_day="4"))
    await real.bot.drain()
    assert (await settings_of(services)).brag_weekday == 4  # Friday


async def test_a_member_pressing_change_settings_is_refused(
    real: Harness, fake_slack: FakeSlack
) -> None:
    await real.press("bb|0|admin.settings", channel="C1", ephemeral=True, user="U2")
    await real.bot.drain()
    assert fake_slack.calls_to("views.open") == []
    [answer] = answers(fake_slack)
    assert REFUSAL in sections(answer)


@pytest.mark.parametrize("answer_budget", [0.0])
async def test_a_slow_admin_check_closes_the_modal_and_answers_in_the_dm(
    real: Harness, fake_slack: FakeSlack
) -> None:
    held = fake_slack.hold("users.info")
    fake_slack.users["U1"] = {"is_admin": True}
    answer = await real.submit("community_settings", settings_form(brag_thread="maybe"))
    assert (answer.status, answer.text) == (200, "")  # acked while users.info was pending
    held.set()
    await real.bot.drain()
    [told] = fake_slack.calls_to("chat.postMessage")
    assert told.args["channel"] == "DU1"
    assert REFUSAL not in sections(told)


# ----- the weekly brag thread -----


async def open_today(real: Harness, fake_slack: FakeSlack, channel: str = "C123") -> None:
    """An admin picks the channel and sets the thread for now (Tuesday 14:30 UTC)."""
    fake_slack.users["U1"] = {"is_admin": True}
    await real.command("bounceback", "admin here", channel=channel)
    await real.submit("community_settings", settings_form(brag_day="1", brag_time="14:30"))
    await real.bot.drain()


async def test_the_brag_thread_opens_once_and_posts_only_what_was_shared(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await open_today(real, fake_slack)
    messengers = {"slack": real.bot.messenger}
    one, two = services.dispatcher(messengers), services.dispatcher(messengers)
    assert set(one.publishers) == {"slack"}

    # The thread is due now (Tuesday 14:30): it opens once, whichever dispatcher ticks.
    await one.tick(NOW)
    await two.tick(NOW + dt.timedelta(minutes=1))
    await one.tick(NOW + dt.timedelta(minutes=2))
    [parent] = in_channel(fake_slack, "C123")
    assert "thread_ts" not in parent.args
    assert parent.args["blocks"][0]["type"] == "header"
    assert "Brag thread" in parent.args["text"]
    assert parent.token == BOT_TOKEN
    thread = "2.000100"  # the fake's second ts (the first answered the settings form)

    await real.command("brag", TYPED_WIN, channel="C1")
    await real.command("brag", "a quiet private win", channel="C1")
    await real.bot.drain()
    asked = answers(fake_slack)
    assert all(call.args["response_type"] == "ephemeral" for call in asked)
    share = button(asked, "community.share")
    await two.tick(NOW + dt.timedelta(minutes=3))
    assert len(in_channel(fake_slack, "C123")) == 1, "nothing is posted without a yes"

    await real.press(share["action_id"], share["value"], channel="C1", ephemeral=True)
    await real.bot.drain()
    await one.tick(NOW + dt.timedelta(minutes=4))
    await two.tick(NOW + dt.timedelta(minutes=5))

    [_, shared] = in_channel(fake_slack, "C123")
    assert shared.args["thread_ts"] == thread
    posted = json.dumps([shared.args["text"], shared.args["blocks"]])
    assert "quiet private win" not in posted
    assert "&lt;!channel&gt;" in sections(shared)
    assert "&lt;https://evil.example|bank&gt;" in sections(shared)
    for live in ("<!channel>", "<!everyone>", "<https://", "<@U2"):
        assert live not in posted
    assert shared.args["unfurl_links"] in (False, "0", 0)
    [reaction] = fake_slack.calls_to("reactions.add")
    assert reaction.args == {"channel": "C123", "timestamp": "3.000100", "name": "tada"}

    await real.command("brag", "remove 1", channel="C1")
    await real.bot.drain()
    await two.tick(NOW + dt.timedelta(hours=1))
    await one.tick(NOW + dt.timedelta(hours=1, minutes=1))
    [deleted] = fake_slack.calls_to("chat.delete")
    assert deleted.args == {"channel": "C123", "ts": "3.000100"}
    assert len(in_channel(fake_slack, "C123")) == 2


async def test_a_channel_the_bot_cannot_post_in_fails_the_thread_for_good(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await open_today(real, fake_slack, "GSECRET")
    fake_slack.script("chat.postMessage", {"ok": False, "error": "not_in_channel"})
    dispatcher = services.dispatcher({"slack": real.bot.messenger})
    report = await dispatcher.tick(NOW)
    await dispatcher.tick(NOW + dt.timedelta(minutes=1))
    assert report.counts.get("post_failed") == 1
    assert len(in_channel(fake_slack, "GSECRET")) == 1  # tried once, not retried


async def test_hired_news_is_shared_through_the_modal_with_the_advice_escaped(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await open_today(real, fake_slack)
    dispatcher = services.dispatcher({"slack": real.bot.messenger})
    await dispatcher.tick(NOW)

    await real.command("hired", channel="C1")
    await real.bot.drain()
    share = button(answers(fake_slack), "community.hired_share")
    await real.press(share["action_id"], share.get("value", ""), channel="C1", ephemeral=True)
    await real.bot.drain()
    [opened] = fake_slack.calls_to("views.open")
    assert opened.args["view"]["callback_id"] == "hired_share"
    advice = {"advice": {"type": "plain_text_input", "value": "Ask <!here> for referrals"}}
    closed = await real.submit("hired_share", advice)
    assert (closed.status, closed.text) == (200, "")
    await real.bot.drain()
    await dispatcher.tick(NOW + dt.timedelta(minutes=1))

    [_, news] = in_channel(fake_slack, "C123")
    assert news.args["thread_ts"] == "2.000100"  # the first ts answered the settings form
    assert "Ask &lt;!here&gt; for referrals" in sections(news)
    assert "<!here>" not in json.dumps(news.args)
