"""The home, as the engine builds it: a welcome, a returning member's journey, the admin
section, and buttons that do what the commands do."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content import Content
from bot.engine import Engine
from bot.events import Choice, Command, FormSubmission, Sender
from bot.home import DO_ACTION, WIN_ACTION, WIN_FORM
from bot.home_view import HomeView
from bot.model import CheckinState
from bot.replies import CHANNEL_MARK
from storage.sql import SqlStore
from tests.fakes import MemoryStore
from tests.test_console import console
from tests.test_engine import ALEX, SAM, submit_rejection

ADMIN = dataclasses.replace(SAM, is_admin=True)


def words(home: HomeView) -> str:
    return f"{home.heading}\n{home.as_text()}"


def actions(home: HomeView) -> set[tuple[str, str]]:
    return {(button.action, button.value) for button in home.buttons()}


async def test_a_first_visit_is_a_welcome_and_creates_nobody(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime, content: Content
) -> None:
    home = await engine.home(SAM, now)

    assert home.new and home.chart is None and home.admin is None
    assert content.text("home.welcome_heading") == home.heading
    assert (DO_ACTION, "rejected") in actions(home) and (WIN_ACTION, "") in actions(home)
    assert await memory_store.known_person(SAM) is None


async def test_a_returning_member_sees_their_journey_the_next_checkin_and_the_chart(
    engine: Engine, now: dt.datetime, content: Content
) -> None:
    await submit_rejection(engine, now)
    await engine.handle(Command(SAM, "brag", "Shipped the release"), now)

    home = await engine.home(SAM, now)

    text = words(home)
    assert not home.new
    assert content.text("progress.rejections", count=1) in text
    assert content.text("progress.wins", count=1) in text
    assert "Next check-in:" in text and "(Europe/Berlin)" in text
    assert {(DO_ACTION, v) for v in ("pause", "stop", "settings", "export", "delete")} <= actions(
        home
    )
    assert home.chart is not None and home.chart.noes == 1 and not home.chart.hired
    assert home.chart.moods and home.chart.moods[0].day == 0
    assert home.chart.alt.startswith("Since the rejection on")


async def test_the_home_holds_only_the_members_own_records(
    engine: Engine, now: dt.datetime
) -> None:
    await submit_rejection(engine, now, company="SecretCo")
    await engine.handle(Command(ALEX, "brag", "Alex private win"), now)

    assert "Alex private win" not in words(await engine.home(SAM, now))
    alex = await engine.home(ALEX, now)
    assert alex.chart is not None and alex.chart.noes == 0
    assert "SecretCo" not in words(alex)


async def test_a_stopped_member_is_offered_to_resume(engine: Engine, now: dt.datetime) -> None:
    await submit_rejection(engine, now)
    await engine.handle(Command(SAM, "checkin", "stop"), now)

    home = await engine.home(SAM, now)

    assert (DO_ACTION, "resume") in actions(home)
    assert (DO_ACTION, "pause") not in actions(home)


async def test_home_buttons_do_exactly_what_the_commands_do(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await submit_rejection(engine, now)
    typed = await engine.handle(Command(ALEX, "checkin", "pause"), now)
    await submit_rejection(engine, now, sender=ALEX)

    pressed = await engine.handle(Choice(SAM, DO_ACTION, "pause"), now)

    person = await memory_store.known_person(SAM)
    assert person is not None and person.checkins is CheckinState.PAUSED
    assert [r.text.split(" until")[0] for r in pressed] == [
        r.text.split(" until")[0] for r in typed
    ]
    [export] = await engine.handle(Choice(SAM, DO_ACTION, "export"), now)
    assert export.attachment is not None
    [unknown] = await engine.handle(Choice(SAM, DO_ACTION, "rm -rf"), now)
    assert unknown.text.startswith("That button is from an older version")


async def test_the_win_form_adds_a_win_as_brag_does(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    [opened] = await engine.handle(Choice(SAM, WIN_ACTION), now)
    assert opened.form is not None and opened.form.form_id == WIN_FORM

    [refused] = await engine.handle(FormSubmission(SAM, WIN_FORM, {"win": " "}), now)
    assert refused.form is not None and refused.form.errors
    await engine.handle(FormSubmission(SAM, WIN_FORM, {"win": "skill: SQL"}), now)

    person = await memory_store.known_person(SAM)
    assert person is not None
    [win] = await memory_store.wins(person.id)
    assert win.text == "SQL" and win.kind.value == "technical_skill"


async def test_the_admin_section_is_for_admins_only_with_counts_of_three_or_more(
    engine: Engine, now: dt.datetime, content: Content
) -> None:
    await submit_rejection(engine, now)

    member = await engine.home(SAM, now)
    admin = await engine.home(ADMIN, now)

    assert member.admin is None
    assert admin.admin is not None
    assert content.text("home.pulse_quiet") in admin.admin.lines
    assert ("admin.settings", "") in actions(admin)
    first_visit = await engine.home(Sender("console", "console", "newadmin", is_admin=True), now)
    assert first_visit.new and first_visit.admin is not None


async def test_slash_home_answers_with_the_home_and_its_picture(
    engine: Engine, now: dt.datetime
) -> None:
    await submit_rejection(engine, now)

    [reply] = await engine.handle(Command(SAM, "home"), now)

    assert reply.home is not None and reply.private
    assert reply.chart == reply.home.chart and reply.chart is not None
    assert reply.buttons == reply.home.buttons()
    assert "At a glance" in reply.text


async def test_an_admins_slash_home_names_the_brag_channel(
    engine: Engine, now: dt.datetime
) -> None:
    await engine.handle(Command(ADMIN, "bounceback", "admin here", channel="C42"), now)

    [reply] = await engine.handle(Command(ADMIN, "home"), now)

    assert reply.home is not None and reply.home.admin is not None
    assert reply.channel == "C42" == reply.home.admin.channel
    assert CHANNEL_MARK in reply.text  # each platform writes its own mention there


async def test_progress_chart_hands_over_the_picture_with_its_words(
    engine: Engine, now: dt.datetime
) -> None:
    await submit_rejection(engine, now)
    await engine.handle(Command(SAM, "checkin", "4"), now + dt.timedelta(days=1))

    [reply] = await engine.handle(Command(SAM, "progress", "chart"), now + dt.timedelta(days=1))

    assert reply.chart is not None and reply.text == reply.chart.alt
    assert [(p.day, p.score, p.checkin) for p in reply.chart.moods] == [(0, 2, False), (1, 4, True)]
    assert "from 2 to 4 out of 5 (rising)" in reply.text
    assert "One no so far, against the 24" in reply.text


def test_the_console_saves_the_chart_as_a_private_picture(tmp_path: Path) -> None:
    result = console(tmp_path, ["/checkin 3", "/progress chart", "/home"])

    assert result.returncode == 0, result.stderr
    assert "One mood logged, 3 out of 5. No rejection logged." in result.stdout
    [picture] = tmp_path.glob("bounceback-journey-*.png")
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert picture.stat().st_mode & 0o777 == 0o600
    assert "At a glance" in result.stdout  # /home: the home in words, no second picture
    assert "[1] Check-in settings" in result.stdout


async def test_the_admin_section_shows_this_weeks_pulse_from_three_people(
    db: AsyncEngine, content: Content, now: dt.datetime
) -> None:
    store = SqlStore(db)
    engine = Engine(store, content, default_timezone="Europe/Berlin", brag_schedule=store)
    members = [Sender("console", "console", f"m{n}", f"Member {n}") for n in range(3)]
    for member in members[:2]:
        await submit_rejection(engine, now, sender=member, company="Hidden Corp")

    two = await engine.home(ADMIN, now)
    await submit_rejection(engine, now, sender=members[2], company="Hidden Corp")
    three = await engine.home(ADMIN, now)

    assert two.admin is not None and content.text("home.pulse_quiet") in two.admin.lines
    assert three.admin is not None
    pulse = content.text("community.pulse_setbacks", count=3)
    assert any(pulse in line for line in three.admin.lines)
    shown = "\n".join(three.admin.lines)
    assert "Member" not in shown and "Hidden Corp" not in shown  # counts, never who or where
