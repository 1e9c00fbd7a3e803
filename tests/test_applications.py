"""``/applied`` on the in-memory store: logging, one-tap stages, bad input refused with nothing
changed, the CSV, the funnel in /progress, the plan-B step's real count, and the setting."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace

import pytest

from bot import checkin_messages
from bot.content import Content
from bot.engine import Engine
from bot.events import Choice, Command, FormSubmission, Sender
from bot.model import (
    ApplicationStage,
    CheckinState,
    Due,
    Person,
    PlannedMessage,
    PlannedState,
    Rejection,
    Stage,
)
from bot.replies import FieldKind, Reply
from tests.fakes import MemoryStore
from tests.forms import fields_of

SAM = Sender("console", "console", "sam", "Sam")
ALEX = Sender("console", "console", "alex", "Alex")
APPLICATION = {
    "company": "Acme",
    "role": "Data analyst",
    "link": "https://jobs.example.org/42",
    "applied_on": "2026-03-09",
    "adjacent": "no",
}


async def log(engine: Engine, now: dt.datetime, sender: Sender = SAM, **changes: str) -> Reply:
    [reply] = await engine.handle(
        FormSubmission(sender, "application", {**APPLICATION, **changes}), now
    )
    return reply


def settings(days: str) -> FormSubmission:
    return FormSubmission(SAM, "application_settings", {"ghost_days": days})


async def test_applied_opens_a_form_with_the_company_and_today(
    engine: Engine, now: dt.datetime
) -> None:
    [reply] = await engine.handle(Command(SAM, "applied", "Acme Corp"), now)
    fields = fields_of(reply)
    assert fields["company"].initial == "Acme Corp" and fields["company"].required
    assert fields["applied_on"].kind is FieldKind.DATE
    assert fields["applied_on"].initial == "2026-03-10"  # today in Berlin
    assert [o.value for o in fields["adjacent"].options] == ["no", "yes"]
    assert not fields["link"].required and not fields["role"].required


async def test_a_logged_application_is_counted_and_its_reminder_planned(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    saved = await log(engine, now, adjacent="yes")

    assert "Logged: Acme (application 1). That's 1 this week." in saved.text
    assert "adjacent title" in saved.text
    labels = [b.label for b in saved.buttons]
    assert labels == ["Screening", "Interview", "Final round", "Offer", "Rejected", "No answer",
                      "Edit"]  # fmt: skip
    person = await memory_store.person(SAM, "UTC", now)
    [reminder] = await memory_store.reminders(person.id)
    # 14 days after 9 March, at Sam's check-in time (10:00 in Berlin).
    assert (reminder.kind, reminder.local) == ("app_nudge", dt.datetime(2026, 3, 23, 10, 0))
    assert await memory_store.planned(person.id) == []  # no check-in plan of its own


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"applied_on": "2026-03-11"}, "can't be in the future"),
        ({"applied_on": "1989-12-31"}, "can't be before 1990-01-01"),
        ({"applied_on": "9 March"}, "YYYY-MM-DD"),
        ({"company": "A" * 101}, "up to 100 characters"),
        ({"company": ""}, "Company is needed"),
        ({"link": "javascript:alert(1)"}, "starting with http:// or https://"),
        ({"link": "ftp://example.org/job"}, "starting with http:// or https://"),
        ({"link": "https://" + "x" * 500}, "up to 500 characters"),
        ({"adjacent": "maybe"}, "pick one of the options"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_saved(
    engine: Engine,
    memory_store: MemoryStore,
    now: dt.datetime,
    changes: dict[str, str],
    message: str,
) -> None:
    [refused] = await engine.handle(
        FormSubmission(SAM, "application", {**APPLICATION, **changes}), now
    )

    assert message in refused.text
    assert refused.form is not None and refused.form.errors
    assert memory_store.applications_by_id == {}
    assert memory_store.planned_by_id == {}


async def test_one_tap_moves_an_application_and_stages_are_checked(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    saved = await log(engine, now)
    interview = next(b for b in saved.buttons if b.label == "Interview")
    [moved] = await engine.handle(Choice(SAM, interview.action, interview.value), now)
    assert "An interview with Acme!" in moved.text

    ident = interview.value.split(":")[0]
    [forged] = await engine.handle(Choice(SAM, "applied.move", f"{ident}:hired"), now)
    [typed] = await engine.handle(Command(SAM, "applied", "update 1 promoted"), now)
    [missing] = await engine.handle(Command(SAM, "applied", "update 7 offer"), now)
    [not_mine] = await engine.handle(Choice(ALEX, "applied.move", f"{ident}:offer"), now)
    for refused in (forged, typed):
        assert "I don't know the stage" in refused.text and "Nothing was changed" in refused.text
    assert "no application 7" in missing.text
    assert "couldn't find that application" in not_mine.text
    [application] = memory_store.applications_by_id.values()
    assert application.stage is ApplicationStage.INTERVIEW

    [final] = await engine.handle(Command(SAM, "applied", "update 1 Final round"), now)
    assert "Final round at Acme" in final.text
    person = await memory_store.person(SAM, "UTC", now)
    [reminder] = await memory_store.reminders(person.id)
    assert reminder.local.date() == dt.date(2026, 3, 24)  # 14 days after today's news


async def test_the_list_shows_waiting_ones_newest_first_a_page_at_a_time(
    engine: Engine, now: dt.datetime
) -> None:
    for n in range(12):
        await log(engine, now, company=f"Company {n}", applied_on=f"2026-02-{n + 1:02d}")
    await engine.handle(Command(SAM, "applied", "update 1 no answer"), now)

    heading, *items, more = await engine.handle(Command(SAM, "applied", "list"), now)
    assert heading.heading == "Waiting for news (11)"
    assert len(items) == 10
    first = "12. Company 11: Data analyst · Applied · applied 26 days ago (2026-02-12)"
    assert items[0].text.startswith(first)
    assert "Company 0" not in "".join(i.text for i in items)
    [button] = more.buttons
    _, *rest = await engine.handle(Choice(SAM, button.action, button.value), now)
    assert [r.text.split(":")[0] for r in rest] == ["2. Company 1"]
    _, *every, _ = await engine.handle(Command(SAM, "applied", "list all"), now)
    assert len(every) == 10


async def test_export_is_a_csv_of_every_application(engine: Engine, now: dt.datetime) -> None:
    await log(engine, now)
    await log(engine, now, company='=HYPERLINK("x")', role="", link="", adjacent="yes")

    [reply] = await engine.handle(Command(SAM, "applied", "export"), now)
    assert reply.attachment is not None and reply.private
    assert reply.attachment.mime_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(reply.attachment.content.decode("utf-8"))))
    assert [r["company"] for r in rows] == ["Acme", '\'=HYPERLINK("x")']
    assert (rows[0]["stage"], rows[0]["link"], rows[1]["adjacent"]) == (
        "Applied", APPLICATION["link"], "yes",
    )  # fmt: skip


async def test_progress_shows_the_funnel_from_the_persons_own_data(
    engine: Engine, now: dt.datetime
) -> None:
    for n, adjacent in enumerate(("yes", "no", "no", "yes")):
        await log(
            engine, now, company=f"C{n}", adjacent=adjacent, applied_on="2026-03-0" + str(n + 3)
        )
    await engine.handle(Command(SAM, "applied", "update 1 interview"), now)
    await engine.handle(Command(SAM, "applied", "update 2 offer"), now)
    await engine.handle(Command(SAM, "applied", "update 3 no answer"), now)

    [reply] = await engine.handle(Command(SAM, "progress"), now)
    assert "Applications: 3 this week, 4 in total" in reply.text
    assert "Responses: 2 · interviews: 2 · offers: 1" in reply.text
    assert "Adjacent titles: 50% (2)" in reply.text
    assert "Most people hear about 24 noes" in reply.text  # the one "no answer"


async def test_mydata_export_and_delete_include_applications(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await log(engine, now)
    [exported] = await engine.handle(Command(SAM, "mydata", "export"), now)
    assert exported.attachment is not None
    data = json.loads(exported.attachment.content)
    assert data["applications"][0]["company"] == "Acme"

    await engine.handle(Choice(SAM, "mydata.delete", "confirm"), now)
    assert memory_store.applications_by_id == {}
    assert memory_store.planned_by_id == {}


async def test_the_days_without_news_are_a_setting_and_zero_means_never(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await log(engine, now)
    [asked] = await engine.handle(Command(SAM, "applied", "settings"), now)
    assert asked.form is not None and asked.form.fields[0].initial == "14"
    [refused] = await engine.handle(
        FormSubmission(SAM, "application_settings", {"ghost_days": "x"}), now
    )
    assert "from 0 to 90" in refused.text
    person = await memory_store.person(SAM, "UTC", now)
    assert await memory_store.ghost_days(person.id) is None

    await engine.handle(settings("7"), now)
    [reminder] = await memory_store.reminders(person.id)
    assert reminder.local.date() == dt.date(2026, 3, 16)
    [off] = await engine.handle(
        FormSubmission(SAM, "application_settings", {"ghost_days": "0"}), now
    )
    assert "no reminders" in off.text
    assert await memory_store.reminders(person.id) == []


async def test_someone_who_stopped_check_ins_gets_no_reminders(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await engine.handle(Command(SAM, "checkin", "stop"), now)
    await log(engine, now)
    person = await memory_store.person(SAM, "UTC", now)
    assert person.checkins is CheckinState.STOPPED
    assert await memory_store.reminders(person.id) == []


def test_the_plan_b_step_uses_the_real_count(content: Content, now: dt.datetime) -> None:
    local = now.replace(tzinfo=None)
    sam = Person(
        1,
        "console",
        "console",
        "sam",
        "Sam",
        "UTC",
        dt.time(10),
        dt.time(21),
        dt.time(8),
        False,
        now,
    )
    rejection = Rejection(1, 1, "Acme", "", Stage.APPLICATION, now.date(), "", 3, now)
    message = PlannedMessage(1, 1, "day5_plan_b", now, local, "UTC", PlannedState.CLAIMED,
                             rejection_id=1)  # fmt: skip
    due = Due(message, sam, rejection=rejection, applied_this_week=(3, 0))

    [reply], waiting = checkin_messages.build(content, due)
    assert "you applied to 3 this week. Two adjacent titles" in reply.text
    assert waiting is None  # nothing to ask: the count is known
    [widened], _ = checkin_messages.build(content, replace(due, applied_this_week=(3, 2)))
    assert "3 this week, 2 of them adjacent titles" in widened.text
    [asked], _ = checkin_messages.build(content, replace(due, applied_this_week=None))
    assert "How many jobs did you apply to this week?" in asked.text


async def test_a_mistake_is_removed_with_its_reminder(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await log(engine, now)
    await log(engine, now, company="Globex")
    [usage] = await engine.handle(Command(SAM, "applied", "remove x"), now)
    [missing] = await engine.handle(Command(SAM, "applied", "remove 3"), now)
    assert "/applied remove NUMBER" in usage.text and "no application 3" in missing.text
    assert len(memory_store.applications_by_id) == 2

    [removed] = await engine.handle(Command(SAM, "applied", "remove 1"), now)
    assert "Removed Acme (application 1)" in removed.text
    person = await memory_store.person(SAM, "UTC", now)
    assert [a.company for a in await memory_store.applications(person.id)] == ["Globex"]
    [reminder] = await memory_store.reminders(person.id)
    assert reminder.application_id == next(iter(memory_store.applications_by_id))


async def test_reminders_keep_their_local_time_when_the_person_moves(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime
) -> None:
    await log(engine, now)
    moved = Sender("console", "console", "sam", "Sam", timezone="America/New_York")
    await engine.handle(Command(moved, "progress"), now)

    person = await memory_store.person(SAM, "UTC", now)
    [reminder] = await memory_store.reminders(person.id)
    assert (reminder.local, reminder.zone) == (dt.datetime(2026, 3, 23, 10, 0), "America/New_York")
    assert reminder.due == dt.datetime(2026, 3, 23, 14, 0, tzinfo=dt.UTC)


async def test_still_waiting_promises_a_reminder_only_while_one_is_planned(
    engine: Engine, memory_store: MemoryStore, now: dt.datetime, content: Content
) -> None:
    saved = await log(engine, now)
    ident = next(b for b in saved.buttons if b.label == "Interview").value.split(":")[0]

    [waiting] = await engine.handle(Choice(SAM, "applied.waiting", ident), now)
    assert waiting.text == content.text("applied.waiting_noted", company="Acme", days=14)

    await engine.handle(Choice(SAM, "applied.move", f"{ident}:offer"), now)
    [offered] = await engine.handle(Choice(SAM, "applied.waiting", ident), now)
    assert offered.text == content.text("applied.waiting_noted_quiet", company="Acme")
    assert not [m for m in memory_store.planned_by_id.values() if m.state.value == "pending"
                and m.application_id is not None]  # fmt: skip
