"""Practice partners on Slack: the real engine, store and dispatcher against the fake Slack.
The introduction lands in a group DM of the partners and the bot; "Did you meet?" comes in
each one's own DM."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.events import FormSubmission, Sender
from bot.practice_ports import Introducer
from bounceback.bootstrap import Services
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import NOW, Harness
from tests.slack.test_community import answers, button, sections

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

# NOW is Tuesday 2026-03-10, 14:30 UTC; the default pairing is Tuesday 10:00, so next week's.
ROUND = dt.datetime(2026, 3, 17, 10, 0, tzinfo=dt.UTC)
JOIN = {"areas": "Lead with the answer, then back it with a concrete example",
        "role_kind": "Analyst", "availability": "daytime"}  # fmt: skip


async def set_up(services: Services, *users: str) -> None:
    """Practice turned on, and members who joined."""
    await services.store.community("slack", "T1", "UTC", NOW)
    await services.store.update_community("slack", "T1", practice=True)
    for user in users:
        sender = Sender("slack", "T1", user, f"Member {user}")
        await services.engine.handle(FormSubmission(sender, "practice_join", JOIN), NOW)


async def test_join_opens_the_form_in_a_modal(real: Harness, fake_slack: FakeSlack) -> None:
    await real.command("practice", "join")
    await real.bot.drain()
    [opened] = fake_slack.calls_to("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "practice_join"
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert any("your partner sees" in label for label in labels)


async def test_partners_meet_in_a_group_dm_and_are_asked_privately_later(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await set_up(services, "U1", "U2")
    introducer: Introducer = real.bot.messenger  # the messenger introduces (checked by mypy)
    assert isinstance(introducer, Introducer) and not introducer.needs_channel
    dispatcher = services.dispatcher({"slack": real.bot.messenger})
    await dispatcher.tick(ROUND)
    await services.dispatcher({"slack": real.bot.messenger}).tick(ROUND + dt.timedelta(minutes=1))

    opened = [c.args["users"] for c in fake_slack.calls_to("conversations.open")]
    assert opened == ["U1,U2"]  # one group DM: both of them and the bot
    group = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "DU1,U2"]
    assert group and "Practice partners: week of 16 March 2026" in str(group[0].args["blocks"])
    words = "\n".join(sections(c) for c in group)
    assert "Member U1's kit (Analyst)" in words and "Member U2's kit (Analyst)" in words
    assert not any(block["type"] == "actions" for c in group for block in c.args["blocks"])

    await dispatcher.tick(ROUND + dt.timedelta(days=3))
    asked = [c for c in fake_slack.calls_to("chat.postMessage") if "Did you meet" in c.args["text"]]
    assert sorted(c.args["channel"] for c in asked) == ["DU1", "DU2"]  # each in their own DM
    buttons = [b["text"]["text"] for b in asked[0].args["blocks"][-1]["elements"]]
    assert buttons == ["Yes, we met", "Not yet", "Skip this week"]


async def test_someone_slack_refuses_is_left_out_and_the_other_is_told(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await set_up(services, "U1", "U2")
    fake_slack.script("conversations.open", {"ok": False, "error": "user_disabled"})  # the group
    fake_slack.script("conversations.open", {"ok": False, "error": "user_disabled"})  # U1 alone
    await services.dispatcher({"slack": real.bot.messenger}).tick(ROUND)

    opened = [c.args["users"] for c in fake_slack.calls_to("conversations.open")]
    assert opened[:3] == ["U1,U2", "U1", "U2"]
    told = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "DU2"]
    assert [("couldn't find you a practice partner" in c.args["text"]) for c in told] == [True]
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "DU1"]
    # Recorded like closed DMs: not paired again, and no check-in tries either.
    gone = await services.store.known_person(Sender("slack", "T1", "U1"))
    assert gone is not None and gone.unreachable == "practice_refused"


async def test_a_workspace_without_the_group_dm_scope_tells_everyone(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await set_up(services, "U1", "U2")
    fake_slack.script("conversations.open", {"ok": False, "error": "missing_scope"})
    await services.dispatcher({"slack": real.bot.messenger}).tick(ROUND)

    told = [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")
            if "couldn't find you a practice partner" in c.args["text"]]  # fmt: skip
    assert sorted(told) == ["DU1", "DU2"]


async def test_an_admin_turns_practice_on_and_a_member_is_refused(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    fake_slack.users["U1"] = {"is_admin": True}
    await real.command("bounceback", "admin")
    await real.bot.drain()
    assert "Practice partners: off" in sections(answers(fake_slack)[-1])
    change = button(answers(fake_slack), "admin.practice")
    await real.press(change["action_id"], change.get("value", ""), channel="C1", ephemeral=True)
    await real.bot.drain()
    [opened] = fake_slack.calls_to("views.open")
    assert opened.args["view"]["callback_id"] == "practice_settings"

    state: dict[str, dict[str, Any]] = {
        "practice": {"type": "plain_text_input", "value": "yes"},
        "practice_time": {"type": "plain_text_input", "value": "17:30"},
        "practice_day": {"type": "static_select", "selected_option": {"value": "3"}},
        "practice_every": {"type": "static_select", "selected_option": {"value": "2"}},
    }
    refused = await real.submit("practice_settings", state, user="U2")  # not an admin
    await real.bot.drain()
    assert refused.status == 200
    assert not (await services.store.community("slack", "T1", "UTC", NOW)).practice

    await real.submit("practice_settings", state)
    await real.bot.drain()
    community = await services.store.community("slack", "T1", "UTC", NOW)
    assert (community.practice, community.practice_weekday, community.practice_every) == (
        True, 3, 2,
    )  # fmt: skip
    assert community.practice_time == dt.time(17, 30)
