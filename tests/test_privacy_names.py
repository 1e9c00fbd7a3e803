"""With a key, names that point at real people and employers are sealed at rest too: the
person's display name, the company, the role and the interviewer's name (and shared advice)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Sender
from bot.model import RejectionDraft, Stage
from storage.crypto import Cipher, CipherError
from storage.rows import PERSON, person_from_row, rejection_from_row
from storage.sql import SqlStore
from storage.tables import rejections
from tests.test_privacy_disk import NOW, share_hired_advice

# As long as the forms allow, and not ASCII: sealed, these are far over 100 characters.
NAME = "Zoë Ångström-Łukasiewicz 🌱" + "é" * 70
COMPANY = "Ünïcorn Ğmbh 🦄" + "ß" * 86
DRAFT = RejectionDraft(
    company=COMPANY,
    role="Staff Data Analyst",
    stage=Stage.FINAL_ROUND,
    rejected_on=NOW.date(),
    interviewer="Jane Interviewer-Doe",
    feeling=2,
)
SENDER = Sender("slack", "T1", "U1", NAME)
CLEAR = (NAME, COMPANY, "Staff Data Analyst", "Jane Interviewer-Doe", "Hired-advice-words")


async def write(store: SqlStore) -> int:
    """A person, their rejection and advice they shared; returns their id."""
    person = await store.person(SENDER, "UTC", NOW)
    await store.add_rejection(person.id, DRAFT, NOW)
    await share_hired_advice(store, person, "Hired-advice-words")
    return person.id


async def stored(db: AsyncEngine) -> list[str]:
    """The sealed columns exactly as the database holds them."""
    async with db.connect() as connection:
        name = await connection.scalar(text("SELECT display_name FROM people WHERE user_id = 'U1'"))
        company, role, interviewer = (
            await connection.execute(
                text(
                    "SELECT company, role, interviewer FROM rejections WHERE person_id ="
                    " (SELECT id FROM people WHERE user_id = 'U1')"
                )
            )
        ).one()
        body = await connection.scalar(
            text("SELECT body FROM community_posts WHERE kind = 'share_hired'")
        )
    return [name, company, role, interviewer, body]


async def test_names_are_sealed_at_rest_and_read_back_clear(db: AsyncEngine) -> None:
    cipher = Cipher([Cipher.new_key()])
    store = SqlStore(db, cipher)
    person_id = await write(store)

    raw = await stored(db)
    assert all(value.startswith("fernet:") for value in raw)
    assert not any(clear in value for value in raw for clear in CLEAR)

    person = await store.person(SENDER, "UTC", NOW)
    assert person.display_name == NAME
    [rejection] = await store.rejections(person_id)
    assert (rejection.company, rejection.role, rejection.interviewer) == CLEAR[1:4]
    export = await store.export(person_id)
    assert export["person"]["display_name"] == NAME
    assert export["rejections"][0]["company"] == COMPANY
    assert export["rejections"][0]["interviewer"] == "Jane Interviewer-Doe"
    assert export["shared_posts"][0]["body"] == "Hired-advice-words"


async def test_the_row_mappers_open_with_the_cipher_and_refuse_without_it(
    db: AsyncEngine,
) -> None:
    """What the outbox reads goes through these mappers: no sealed value reaches a person."""
    cipher = Cipher([Cipher.new_key()])
    await write(SqlStore(db, cipher))
    async with db.connect() as connection:
        person_row = (await connection.execute(select(*PERSON))).one()
        rejection_row = (await connection.execute(select(rejections))).one()

    assert person_from_row(person_row, cipher).display_name == NAME
    assert rejection_from_row(rejection_row, cipher).company == COMPANY
    with pytest.raises(CipherError):
        person_from_row(person_row)
    with pytest.raises(CipherError):
        rejection_from_row(rejection_row)


async def test_without_a_key_names_stay_as_typed(db: AsyncEngine) -> None:
    await write(SqlStore(db))
    assert await stored(db) == list(CLEAR)


async def test_rotate_key_seals_old_names_and_moves_them_to_the_new_key(db: AsyncEngine) -> None:
    old, new = Cipher.new_key(), Cipher.new_key()
    person_id = await write(SqlStore(db))  # written before any key existed
    other = Sender("slack", "T1", "U2", "Other Person")
    person = await SqlStore(db, Cipher([old])).person(other, "UTC", NOW)
    await SqlStore(db, Cipher([old])).add_rejection(person.id, DRAFT, NOW)

    changed = await SqlStore(db, Cipher([new, old])).reseal()

    assert changed >= 5 + 4  # the clear person's five values, the other's name and rejection
    assert all(value.startswith("fernet:") for value in await stored(db))
    only_new = SqlStore(db, Cipher([new]))
    assert (await only_new.person(SENDER, "UTC", NOW)).display_name == NAME
    assert (await only_new.person(other, "UTC", NOW)).display_name == "Other Person"
    [rejection] = await only_new.rejections(person_id)
    assert rejection.interviewer == "Jane Interviewer-Doe"
    with pytest.raises(CipherError, match="not configured"):
        await SqlStore(db, Cipher([old])).person(other, "UTC", NOW)
