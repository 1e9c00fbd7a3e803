"""For any reply the engine could give, every request the adapter makes to the fake Discord
pings nobody, shows people's text inert, and stays within Discord's limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.render import size
from bot.replies import Button, Field, FieldKind, Form, Option, Reply
from tests.discord.conftest import Client, FakeHandler, interact
from tests.discord.fake_discord import Call, FakeDiscord
from tests.discord.markdown import bare
from tests.discord.payloads import slash

NO_PINGS: dict[str, list[str]] = {"parse": []}
# Discord's documented limits, written out here rather than imported from the code under test.
CONTENT_LIMIT, ROWS, ROW_BUTTONS, BUTTON_LABEL_LIMIT, CUSTOM_ID_LIMIT = 2000, 5, 5, 80, 100
MODAL_TITLE_LIMIT, MODAL_FIELDS, LABEL_LIMIT, DESCRIPTION_LIMIT = 45, 5, 45, 100
PLACEHOLDER_LIMIT, TEXT_INPUT_LIMIT, SELECT_OPTIONS, OPTION_LIMIT = 100, 4000, 25, 100
URL = re.compile(r"https?://[^\s<>\\]+")  # bare links are left whole on purpose (render.py)
# Text that tries hard: mentions, pings, masked links, markdown, long runs and anything else.
tricky = st.lists(
    st.sampled_from(["@everyone", "@here", "<@123456789012345678>", "<@&42>", "<#7>", "<t:0>",
                     "[bank](https://evil.example)", "**", "`", "> ", "# ", "\n", "\\", "🎉",
                     "x" * 700])
    | st.text(max_size=8),
    max_size=10,
).map("".join)  # fmt: skip
fields = st.lists(
    st.builds(
        Field,
        name=st.sampled_from(["company", "role", "when", "notes", "feeling", "stage", "extra"]),
        label=tricky,
        kind=st.sampled_from(FieldKind),
        required=st.booleans(),
        max_length=st.integers(1, 5000),
        options=st.lists(st.builds(Option, value=st.sampled_from("abcde"), label=tricky),
                         max_size=3, unique_by=lambda o: o.value).map(tuple),
        initial=tricky,
        placeholder=tricky,
    ),
    min_size=1,  # the engine's forms always ask something
    max_size=7,
    unique_by=lambda f: f.name,
).map(tuple)  # fmt: skip
replies = st.builds(
    Reply,
    text=tricky,
    heading=tricky,
    quote=tricky,
    buttons=st.lists(
        st.builds(Button, label=tricky, action=st.just("act"), value=st.sampled_from("123")),
        max_size=3,
    ).map(tuple),
    form=st.none() | st.builds(Form, form_id=st.just("f"), title=tricky, fields=fields,
                               submit_label=tricky),
    private=st.booleans(),
)  # fmt: skip


def unescaped(markdown: str) -> list[str]:
    """Characters outside bare links that could start a mention or a masked link."""
    return bare(URL.sub("", markdown), "@<[]")


def messages(calls: list[Call]) -> Iterator[dict[str, Any]]:
    """Every message body sent: responses, follow-ups, edits, channel and DM posts."""
    for call in calls:
        body = call.body
        if call.path.endswith("/callback") and body["type"] == 4:
            yield body["data"]
        elif re.fullmatch(r"/(webhooks/\d+/[^/]+(/messages/@original)?|channels/\d+/messages)",
                          call.path) and call.method in ("POST", "PATCH"):  # fmt: skip
            yield body


def modals(calls: list[Call]) -> Iterator[dict[str, Any]]:
    for call in calls:
        if call.path.endswith("/callback") and call.body["type"] == 9:
            yield call.body["data"]


def check_message(body: dict[str, Any]) -> None:
    assert body["allowed_mentions"] == NO_PINGS
    content = body.get("content") or ""
    assert size(content) <= CONTENT_LIMIT
    assert unescaped(content) == [], content
    rows = body.get("components", [])
    assert len(rows) <= ROWS
    for row in rows:
        assert 1 <= len(row["components"]) <= ROW_BUTTONS
        for button in row["components"]:
            assert 1 <= len(button["label"]) <= BUTTON_LABEL_LIMIT
            assert len(button.get("custom_id", "")) <= CUSTOM_ID_LIMIT


def check_modal(modal: dict[str, Any]) -> None:
    assert 1 <= len(modal["title"]) <= MODAL_TITLE_LIMIT
    assert len(modal["custom_id"]) <= CUSTOM_ID_LIMIT
    assert 1 <= len(modal["components"]) <= MODAL_FIELDS
    for label in modal["components"]:
        assert 1 <= len(label["label"]) <= LABEL_LIMIT
        assert len(label.get("description") or "") <= DESCRIPTION_LIMIT
        inner = label["component"]
        assert len(inner.get("placeholder") or "") <= PLACEHOLDER_LIMIT
        if inner["type"] == 4:
            assert 1 <= inner["max_length"] <= TEXT_INPUT_LIMIT
            assert len(inner.get("value") or "") <= inner["max_length"]
        else:
            assert 1 <= len(inner["options"]) <= SELECT_OPTIONS
            assert all(1 <= len(o["label"]) <= OPTION_LIMIT for o in inner["options"])


@settings(
    max_examples=30,
    deadline=None,  # real loopback HTTP: timing varies, correctness does not
    # One fake Discord and one client serve every example, as they would serve many people.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(reply=replies, in_dm=st.booleans())
async def test_any_reply_pings_nobody_and_fits(
    client: Client, fake: FakeDiscord, handler: FakeHandler, reply: Reply, in_dm: bool
) -> None:
    handler.answer = lambda event: [reply]
    before = len(fake.calls)
    where: dict[str, Any] = {"guild_id": None, "dm_channel": 1} if in_dm else {}
    await interact(client, slash("help", **where))
    sent = fake.calls[before:]
    bodies = list(messages(sent))
    opened = list(modals(sent))
    assert bodies or opened  # always an answer
    for body in bodies:
        check_message(body)
    for modal in opened:
        check_modal(modal)
