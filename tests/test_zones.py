"""Following the platform's time zone, unless the person chose one. No sleeping."""

from __future__ import annotations

import datetime as dt

from bot.engine import Engine
from bot.events import Command, FormSubmission, Sender
from bot.model import ZoneSource
from tests.fakes import MemoryStore
from tests.forms import checkin_settings

UTC = dt.UTC
ANA = Sender("slack", "T1", "U1", "ana", timezone="America/New_York")
TUESDAY = dt.datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
REJECTION = {"company": "Acme", "stage": "interview", "feeling": "3"}


async def save_settings(engine: Engine, timezone: str, checkin_time: str) -> None:
    """Ana opens /checkin and saves her check-in settings, naming ``timezone`` as her zone."""
    await engine.handle(Command(ANA, "checkin"), TUESDAY)
    settings = checkin_settings(timezone, checkin_time)
    await engine.handle(FormSubmission(ANA, "checkin_settings", settings), TUESDAY)


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
    await save_settings(engine, "Asia/Tokyo", "09:00")
    await engine.follow_zone(Sender("slack", "T1", "U1", timezone="Europe/Berlin"), TUESDAY)
    await engine.handle(Command(ANA, "progress"), TUESDAY)  # New York on every event too

    [person] = memory_store.people.values()
    assert (person.timezone, person.timezone_source) == ("Asia/Tokyo", ZoneSource.PERSON)


async def test_saving_settings_without_touching_the_zone_keeps_following_slack(
    engine: Engine, memory_store: MemoryStore
) -> None:
    await save_settings(engine, "America/New_York", "08:30")
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


LUCIA = Sender("discord", "G1", "42", "Lucía", locale="pt-BR")


async def test_a_discord_member_is_asked_their_zone_once_with_likely_ones(
    engine: Engine, memory_store: MemoryStore
) -> None:
    [reply] = await engine.handle(Command(LUCIA, "rejected"), TUESDAY)

    assert reply.form is not None
    [zone] = [f for f in reply.form.fields if f.name == "timezone"]
    values = [option.value for option in zone.options]
    assert values[0] == zone.initial == "Europe/Berlin"  # the community's, preselected
    assert "America/Sao_Paulo" in values and len(values) <= 6
    assert "Sao Paulo (11:30 now)" in [option.label for option in zone.options]

    answer = {**REJECTION, "timezone": "America/Sao_Paulo"}
    replies = await engine.handle(FormSubmission(LUCIA, "rejection", answer), TUESDAY)

    [person] = memory_store.people.values()
    assert (person.timezone, person.timezone_source) == ("America/Sao_Paulo", ZoneSource.PERSON)
    assert "(your time, America/Sao_Paulo)" in replies[-1].text
    assert {m.zone for m in await memory_store.planned(person.id)} == {"America/Sao_Paulo"}
    [again] = await engine.handle(Command(LUCIA, "rejected"), TUESDAY)
    assert again.form is not None
    assert "timezone" not in [f.name for f in again.form.fields]  # asked once


async def test_keeping_the_preselected_zone_counts_as_an_answer(
    engine: Engine, memory_store: MemoryStore
) -> None:
    answer = {**REJECTION, "timezone": "Europe/Berlin"}
    await engine.handle(FormSubmission(LUCIA, "rejection", answer), TUESDAY)

    [person] = memory_store.people.values()
    assert (person.timezone, person.timezone_source) == ("Europe/Berlin", ZoneSource.PERSON)


async def test_no_zone_question_where_the_platform_gives_a_zone_or_no_locale(
    engine: Engine,
) -> None:
    console = Sender("console", "console", "sam", "Sam")
    for sender in (ANA, console):
        [reply] = await engine.handle(Command(sender, "rejected"), TUESDAY)
        assert reply.form is not None
        assert "timezone" not in [f.name for f in reply.form.fields]


async def test_a_forged_zone_answer_is_refused(engine: Engine, memory_store: MemoryStore) -> None:
    answer = {**REJECTION, "timezone": "../../etc/passwd"}
    [reply] = await engine.handle(FormSubmission(LUCIA, "rejection", answer), TUESDAY)

    assert reply.form is not None and "timezone" in reply.form.errors
    assert not memory_store.rejections_by_id
