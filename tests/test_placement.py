"""Where a reply goes, for every platform at once: one table of cases."""

from __future__ import annotations

import pytest

from adapters.placement import DISCORD, SLACK, FormAs, Place, Rules, Spoken, place
from bot import admin
from bot.replies import Attachment, Button, Form, Reply

FORM = Form("f", "A form", ())
FILE = Attachment("export.json", b"{}")
WORDS = Reply(text="noted")
PUBLIC = Reply(text="for all", private=False)
ASKING = Reply(text="fill this in", form=FORM)
BARE_FORM = Reply(form=FORM)
WITH_FILE = Reply(text="your data", attachment=FILE)
TO_KEEP = Reply(text="your plan", buttons=(Button("Done", "plan.done"),))
A_NOTE = Reply(text="a draft", quote="Dear team")
SETTINGS = Reply(text="settings", buttons=(Button("Change", admin.SETTINGS_ACTION),))

# Slack: where the person spoke is a DM, a response_url (in place), or neither.
SLACK_DM = Spoken(in_dm=True, in_place=True, modal_ready=True)
SLACK_CHANNEL = Spoken(in_dm=False, in_place=True, modal_ready=True)
SLACK_LATE = Spoken(in_dm=False, in_place=True, modal_ready=False)
SLACK_NOWHERE = Spoken(in_dm=False, in_place=False, modal_ready=False)
# Discord: always answered in place; a modal while the interaction is open.
SERVER = Spoken(in_dm=False, in_place=True, modal_ready=True)
SERVER_DEFERRED = Spoken(in_dm=False, in_place=True, modal_ready=False, public_ok=False)
DISCORD_DM = Spoken(in_dm=True, in_place=True, modal_ready=True)

DM, EPHEMERAL, CHANNEL, NOWHERE = Place.DM, Place.EPHEMERAL, Place.CHANNEL, Place.NOWHERE
NO_FORM, MODAL, BUTTON = FormAs.NONE, FormAs.MODAL, FormAs.BUTTON
PUBLIC_FILE = Reply(text="x", private=False, attachment=FILE)
DM_LATE = Spoken(in_dm=True, in_place=True, modal_ready=False)

# fmt: off
CASES: list[tuple[str, Rules, Spoken, list[Reply], list[tuple[Place, FormAs]]]] = [
    # Slack decides reply by reply.
    ("slack words in a channel", SLACK, SLACK_CHANNEL, [WORDS], [(EPHEMERAL, NO_FORM)]),
    ("slack public words", SLACK, SLACK_CHANNEL, [PUBLIC], [(CHANNEL, NO_FORM)]),
    ("slack in a DM", SLACK, SLACK_DM, [PUBLIC], [(DM, NO_FORM)]),
    ("slack with nowhere to answer", SLACK, SLACK_NOWHERE, [WORDS], [(DM, NO_FORM)]),
    ("slack words about a file", SLACK, SLACK_CHANNEL, [PUBLIC_FILE], [(EPHEMERAL, NO_FORM)]),
    ("slack form with a trigger", SLACK, SLACK_CHANNEL, [ASKING], [(EPHEMERAL, MODAL)]),
    ("slack form too late", SLACK, SLACK_LATE, [ASKING], [(EPHEMERAL, BUTTON)]),
    ("slack one modal per trigger", SLACK, SLACK_CHANNEL, [ASKING, ASKING],
     [(EPHEMERAL, MODAL), (EPHEMERAL, BUTTON)]),
    ("slack keeps buttons in place", SLACK, SLACK_CHANNEL, [TO_KEEP], [(EPHEMERAL, NO_FORM)]),
    # Discord decides for the whole answer.
    ("discord words in a server", DISCORD, SERVER, [WORDS], [(EPHEMERAL, NO_FORM)]),
    ("discord public words", DISCORD, SERVER, [PUBLIC], [(CHANNEL, NO_FORM)]),
    ("discord public after deferral", DISCORD, SERVER_DEFERRED, [PUBLIC], [(EPHEMERAL, NO_FORM)]),
    ("discord one private makes all private", DISCORD, SERVER, [PUBLIC, WORDS],
     [(EPHEMERAL, NO_FORM), (EPHEMERAL, NO_FORM)]),
    ("discord buttons go to the DM", DISCORD, SERVER, [TO_KEEP], [(DM, NO_FORM)]),
    ("discord a note goes to the DM", DISCORD, SERVER, [A_NOTE], [(DM, NO_FORM)]),
    ("discord settings stay in the server", DISCORD, SERVER, [SETTINGS], [(EPHEMERAL, NO_FORM)]),
    ("discord files go to the DM", DISCORD, SERVER, [PUBLIC, WITH_FILE],
     [(DM, NO_FORM), (DM, NO_FORM)]),
    ("discord in a DM", DISCORD, DISCORD_DM, [TO_KEEP, WITH_FILE], [(DM, NO_FORM), (DM, NO_FORM)]),
    ("discord a lone form is the modal", DISCORD, SERVER, [BARE_FORM], [(NOWHERE, MODAL)]),
    ("discord a form with words is a button", DISCORD, SERVER, [WORDS, ASKING],
     [(EPHEMERAL, NO_FORM), (EPHEMERAL, BUTTON)]),
    ("discord a form answering a modal", DISCORD, SERVER_DEFERRED, [ASKING], [(EPHEMERAL, BUTTON)]),
    ("discord a form in a DM", DISCORD, DM_LATE, [ASKING], [(DM, BUTTON)]),
    ("nothing to say", DISCORD, SERVER, [], []),
]
# fmt: on


@pytest.mark.parametrize(
    ("rules", "spoken", "replies", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_placement(
    rules: Rules, spoken: Spoken, replies: list[Reply], expected: list[tuple[Place, FormAs]]
) -> None:
    placed = place(replies, spoken, rules)
    assert [(one.words, one.form) for one in placed] == expected
    assert all(one.reply in replies for one in placed)
