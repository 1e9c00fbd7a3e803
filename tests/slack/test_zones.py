"""Each Slack member's own time zone, from their profile, followed when it changes.

The real engine and SQLite storage behind the adapter, the fake Slack Web API, signed requests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from adapters.slack.translate import profile_change
from bot.events import Sender
from bounceback.bootstrap import Services
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import Harness

UTC = dt.UTC
SENDER = Sender("slack", "T1", "U1")


def rejection() -> dict[str, dict[str, Any]]:
    return {
        "company": {"type": "plain_text_input", "value": "Acme"},
        "stage": {"type": "static_select", "selected_option": {"value": "interview"}},
        "feeling": {"type": "static_select", "selected_option": {"value": "3"}},
    }


async def reject_in_new_york(real: Harness, fake_slack: FakeSlack) -> None:
    """A member whose Slack profile is in New York logs a rejection, which plans check-ins."""
    fake_slack.users["U1"] = {"tz": "America/New_York"}
    await real.submit("rejection", rejection())


def user_change(user: str, tz: str, **flags: Any) -> dict[str, Any]:
    return {
        "type": "user_change",
        "user": {"id": user, "team_id": "T1", "name": "ana", "tz": tz, "deleted": False, **flags},
    }


async def planned(services: Services) -> list[tuple[dt.datetime, dt.datetime, str]]:
    person = await services.store.known_person(SENDER)
    assert person is not None
    return [(m.due, m.local, m.zone) for m in await services.store.planned(person.id)]


async def test_a_member_hears_at_ten_in_their_own_slack_zone(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await reject_in_new_york(real, fake_slack)
    await real.bot.drain()

    said = " ".join(str(call.args) for call in fake_slack.calls_to("response_url"))
    said += " ".join(str(call.args) for call in fake_slack.calls_to("chat.postMessage"))
    assert "(your time, America/New_York)" in said
    first_due, first_local, zone = (await planned(services))[0]
    assert (first_local, zone) == (dt.datetime(2026, 3, 11, 10, 0), "America/New_York")
    assert first_due == dt.datetime(2026, 3, 11, 14, 0, tzinfo=UTC)  # 10:00 EDT, not UTC


async def test_a_new_zone_in_slack_moves_pending_check_ins_to_the_same_local_times(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await reject_in_new_york(real, fake_slack)
    await real.bot.drain()
    before = await planned(services)

    await real.event(user_change("U1", "Europe/Berlin"), event_id="EvTz1")
    await real.bot.drain()

    after = await planned(services)
    assert [local for _, local, _ in after] == [local for _, local, _ in before]
    assert {zone for _, _, zone in after} == {"Europe/Berlin"}
    assert after[0][0] == dt.datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


async def test_a_zone_chosen_in_settings_wins_over_slack(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    await reject_in_new_york(real, fake_slack)
    settings = {
        name: {"type": "plain_text_input", "value": value}
        for name, value in {
            "timezone": "Asia/Tokyo",
            "checkin_time": "10:00",
            "quiet_start": "21:00",
            "quiet_end": "08:00",
            "weekdays_only": "no",
        }.items()
    }
    await real.submit("checkin_settings", settings)
    await real.bot.drain()

    await real.event(user_change("U1", "Europe/Berlin"), event_id="EvTz2")
    await real.bot.drain()

    person = await services.store.known_person(SENDER)
    assert person is not None and person.timezone == "Asia/Tokyo"
    assert {zone for _, _, zone in await planned(services)} == {"Asia/Tokyo"}


async def test_profile_changes_of_people_who_never_used_the_bot_store_nothing(
    real: Harness, services: Services
) -> None:
    await real.event(user_change("U7", "Europe/Berlin"), event_id="EvTz3")
    await real.event(user_change("U8", "Europe/Berlin", is_bot=True), event_id="EvTz4")
    await real.bot.drain()

    assert await services.store.known_person(Sender("slack", "T1", "U7")) is None
    assert await services.store.known_person(Sender("slack", "T1", "U8")) is None


def test_a_user_change_reads_as_the_person_and_their_zone() -> None:
    body = {"team_id": "T1", "event": user_change("U1", "Asia/Kolkata")}
    assert profile_change(body) == Sender("slack", "T1", "U1", timezone="Asia/Kolkata")
    for ignored in (
        {"team_id": "T1", "event": user_change("U1", "")},
        {"team_id": "T1", "event": user_change("U1", "Asia/Kolkata", deleted=True)},
        {"team_id": "T1", "event": user_change("U1", "Asia/Kolkata", is_bot=True)},
        {"team_id": "T1", "event": {"type": "user_change"}},
    ):
        assert profile_change(ignored) is None
