"""Following the platform's time zone, unless the person chose one. No sleeping."""

from __future__ import annotations

import datetime as dt

from bot.engine import Engine
from bot.events import Command, FormSubmission, Sender
from bot.model import ZoneSource
from tests.fakes import MemoryStore

UTC = dt.UTC
ANA = Sender("slack", "T1", "U1", "ana", timezone="America/New_York")
TUESDAY = dt.datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
REJECTION = {"company": "Acme", "stage": "interview", "feeling": "3"}


async def test_a_new_slack_member_gets_their_slack_zone(
    engine: Engine, memory_store: MemoryStore
) -> None:
    replies = await engine.handle(FormSubmission(ANA, "rejection", REJECTION), TUESDAY)

    [person] = memory_store.people.values()
    assert (person.timezone, person.timezone_source) == ("America/New_York", ZoneSource.PLATFORM)
    assert "(your time, America/New_York)" in replies[-1].text
    first = (await memory_store.planned(person.id))[0]
    assert first.local == dt.datetime(2026, 3, 11, 10, 0)
    assert first.due == dt.datetime(2026, 3, 11, 14, 0, tzinfo=UTC)  # 10:00 in New York (EDT)


async def test_a_zone_change_moves_check_ins_to_the_same_local_times(
    engine: Engine, memory_store: MemoryStore
) -> None:
    await engine.handle(FormSubmission(ANA, "rejection", REJECTION), TUESDAY)
    before = await memory_store.planned(1)

    travelled = Sender("slack", "T1", "U1", "ana", timezone="Europe/Berlin")
    await engine.follow_zone(travelled, TUESDAY + dt.timedelta(hours=1))

    [person] = memory_store.people.values()
    assert person.timezone == "Europe/Berlin"
    after = await memory_store.planned(person.id)
    assert [m.local for m in after] == [m.local for m in before]  # same wall-clock times
    assert {m.zone for m in after} == {"Europe/Berlin"}
    assert after[0].due == dt.datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # 10:00 in Berlin (CET)


async def test_a_zone_the_person_chose_is_never_overridden(
    engine: Engine, memory_store: MemoryStore
) -> None:
    await engine.handle(Command(ANA, "checkin"), TUESDAY)
    settings = {
        "timezone": "Asia/Tokyo",
        "checkin_time": "09:00",
        "quiet_start": "21:00",
        "quiet_end": "08:00",
        "weekdays_only": "no",
    }
    await engine.handle(FormSubmission(ANA, "checkin_settings", settings), TUESDAY)

    await engine.follow_zone(Sender("slack", "T1", "U1", timezone="Europe/Berlin"), TUESDAY)
    await engine.handle(Command(ANA, "progress"), TUESDAY)  # New York on every event too

    [person] = memory_store.people.values()
    assert (person.timezone, person.timezone_source) == ("Asia/Tokyo", ZoneSource.PERSON)


async def test_saving_settings_without_touching_the_zone_keeps_following_slack(
    engine: Engine, memory_store: MemoryStore
) -> None:
    await engine.handle(Command(ANA, "checkin"), TUESDAY)
    settings = {
        "timezone": "America/New_York",
        "checkin_time": "08:30",
        "quiet_start": "21:00",
        "quiet_end": "08:00",
        "weekdays_only": "no",
    }
    await engine.handle(FormSubmission(ANA, "checkin_settings", settings), TUESDAY)
    await engine.follow_zone(Sender("slack", "T1", "U1", timezone="America/Chicago"), TUESDAY)

    [person] = memory_store.people.values()
    assert person.timezone == "America/Chicago"


async def test_a_profile_change_of_a_stranger_stores_nothing(
    engine: Engine, memory_store: MemoryStore
) -> None:
    await engine.follow_zone(Sender("slack", "T1", "U9", timezone="Europe/Berlin"), TUESDAY)
    await engine.follow_zone(Sender("slack", "T1", "U1", timezone="Not/AZone"), TUESDAY)
    assert memory_store.people == {}


async def test_an_unknown_zone_from_the_platform_is_ignored(
    engine: Engine, memory_store: MemoryStore
) -> None:
    odd = Sender("slack", "T1", "U1", "ana", timezone="../etc/passwd")
    await engine.handle(Command(odd, "progress"), TUESDAY)

    [person] = memory_store.people.values()
    assert (person.timezone, person.timezone_source) == ("Europe/Berlin", ZoneSource.DEFAULT)
