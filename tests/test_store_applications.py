"""The Store contract for tracked applications and the reminders about them, held by the fake
and by the SQL store on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import ApplicationDraft, ApplicationStage, RejectionDraft, Stage
from bot.ports import Applications, Store
from bot.schedule import Slot
from bot.writes import ApplicationNews, NewPlanned, RecoveryPlan
from storage.application_tables import applications
from storage.applications import SqlApplications
from storage.crypto import Cipher
from storage.sql import SqlStore
from tests.fakes import MemoryApplications
from tests.store_contract import SAM, sam_and_alex, slot


def reminder(person_id: int, application_id: int, kind: str, due: Slot) -> NewPlanned:
    """A reminder about an application, on Slack."""
    return NewPlanned(person_id, "slack", kind, due, application_id=application_id)


# Each with a space or a colon: a sealed value (base64) can never hold one by chance.
DRAFT = ApplicationDraft(
    "Acme Labs", "Data analyst", "https://acme.example/jobs/1", dt.date(2026, 3, 2), True,
    "Jo Rivera", "called twice",
)  # fmt: skip


def test_the_role_has_a_fake_and_a_part_of_the_sql_store(db: AsyncEngine) -> None:
    members = {name for name in vars(Applications) if not name.startswith("_")}
    assert members and members <= set(dir(MemoryApplications())) & set(dir(SqlApplications(db)))


async def test_applications_are_logged_edited_and_moved_by_their_owner_only(
    every_store: Store, now: dt.datetime
) -> None:
    sam, alex = await sam_and_alex(every_store, now)
    first = await every_store.add_application(sam.id, DRAFT, now)
    globex = ApplicationDraft("Globex", "", "", dt.date(2026, 3, 9), False)
    second = await every_store.add_application(sam.id, globex, now)

    assert [a.company for a in await every_store.applications(sam.id)] == ["Acme Labs", "Globex"]
    assert await every_store.applications(alex.id) == []
    assert (first.stage, first.moved_at, first.adjacent, first.notes) == (
        ApplicationStage.APPLIED, None, True, "called twice",
    )  # fmt: skip
    offer = ApplicationNews(ApplicationStage.OFFER, now)
    assert await every_store.move_application(alex.id, first.id, offer) is None
    assert await every_store.edit_application(alex.id, first.id, DRAFT) is None

    later = now + dt.timedelta(days=3)
    rejection = await every_store.add_rejection(
        sam.id, RejectionDraft("Acme", "Analyst", Stage.INTERVIEW, later.date(), "Jo", 2), later
    )
    news = ApplicationNews(ApplicationStage.REJECTED, later, rejection.id)
    moved = await every_store.move_application(sam.id, first.id, news)
    assert moved is not None
    assert (moved.stage, moved.moved_at, moved.rejection_id) == (
        ApplicationStage.REJECTED, later, rejection.id,
    )  # fmt: skip
    assert not await every_store.remove_application(alex.id, second.id)
    edited = await every_store.edit_application(
        sam.id, second.id, ApplicationDraft("Globex", "Lead", "", dt.date(2026, 3, 8), True)
    )
    assert edited is not None and (edited.role, edited.adjacent) == ("Lead", True)
    assert edited.stage is ApplicationStage.APPLIED


async def test_reminders_live_beside_check_ins_one_pending_per_application(
    every_store: Store, now: dt.datetime
) -> None:
    sam, alex = await sam_and_alex(every_store, now)
    acme = await every_store.add_application(sam.id, DRAFT, now)
    globex = await every_store.add_application(sam.id, DRAFT, now)
    await every_store.plan_reminder(reminder(sam.id, acme.id, "app_nudge", slot(now, 14)), now)
    await every_store.plan_reminder(reminder(sam.id, globex.id, "app_nudge", slot(now, 15)), now)
    # Planned again: moved, never a second one; someone else's application: nothing.
    await every_store.plan_reminder(reminder(sam.id, acme.id, "app_again", slot(now, 16)), now)
    await every_store.plan_reminder(reminder(alex.id, acme.id, "app_nudge", slot(now, 1)), now)
    await every_store.replace_plan(
        RecoveryPlan(sam.id, "slack", None, [("weekly", slot(now, 2))]), now
    )

    found = await every_store.reminders(sam.id)
    assert [(m.application_id, m.kind) for m in found] == [
        (globex.id, "app_nudge"), (acme.id, "app_again"),
    ]  # fmt: skip
    assert [m.kind for m in await every_store.planned(sam.id)] == ["weekly"]
    assert await every_store.reminders(alex.id) == []

    assert await every_store.remove_application(sam.id, acme.id)
    assert not await every_store.remove_application(sam.id, acme.id)
    assert [m.application_id for m in await every_store.reminders(sam.id)] == [globex.id]
    assert await every_store.cancel_reminders(sam.id, None, "replanned") == 1
    assert await every_store.reminders(sam.id) == []
    assert [m.kind for m in await every_store.planned(sam.id)] == ["weekly"]


async def test_the_days_without_news_are_each_persons_own(
    every_store: Store, now: dt.datetime
) -> None:
    sam, alex = await sam_and_alex(every_store, now)
    assert await every_store.ghost_days(sam.id) is None
    await every_store.set_ghost_days(sam.id, 10)
    await every_store.set_ghost_days(sam.id, 0)
    assert await every_store.ghost_days(sam.id) == 0
    assert await every_store.ghost_days(alex.id) is None


async def test_export_holds_applications_and_delete_erases_them(
    every_store: Store, now: dt.datetime
) -> None:
    sam = await every_store.person(SAM, "UTC", now)
    acme = await every_store.add_application(sam.id, DRAFT, now)
    await every_store.plan_reminder(reminder(sam.id, acme.id, "app_nudge", slot(now, 14)), now)
    await every_store.set_ghost_days(sam.id, 21)

    exported = await every_store.export(sam.id)
    [row] = exported["applications"]
    assert (row["company"], row["link"], row["notes"]) == ("Acme Labs", DRAFT.link, "called twice")
    assert exported["application_settings"][0]["ghost_days"] == 21

    await every_store.delete_person(sam.id)
    assert await every_store.applications(sam.id) == []
    assert await every_store.reminders(sam.id) == []
    assert await every_store.ghost_days(sam.id) is None


async def test_what_the_person_wrote_is_sealed_at_rest_and_resealed(
    db: AsyncEngine, now: dt.datetime
) -> None:
    old, new = Cipher.new_key(), Cipher.new_key()
    store = SqlStore(db, Cipher([old]))
    sam = await store.person(SAM, "UTC", now)
    await store.add_application(sam.id, DRAFT, now)
    async with db.connect() as connection:
        row = (await connection.execute(select(applications))).one()
    for column in ("company", "role", "link", "interviewer", "notes"):
        assert getattr(DRAFT, column) not in getattr(row, column)

    assert await SqlStore(db, Cipher([new, old])).reseal() >= 5
    [found] = await SqlStore(db, Cipher([new])).applications(sam.id)
    assert (found.company, found.link, found.interviewer) == ("Acme Labs", DRAFT.link, "Jo Rivera")
