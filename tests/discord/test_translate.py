"""Custom ids round-trip, stay within 100 characters, and modal values are read in both layouts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.api import DEFAULT_API_BASE, api_base
from adapters.discord.translate import (
    CHOICE_TEMPLATE,
    CUSTOM_ID_LIMIT,
    DMS_CHECK_ID,
    PENDING_TEMPLATE,
    FormState,
    choice_id,
    community_of,
    form_id_for,
    parse_choice_id,
    parse_form_id,
    submitted_values,
)

communities = st.one_of(st.just(""), st.integers(1, 2**63).map(str))


@given(st.text(max_size=40), st.text(max_size=90), communities)
def test_choice_ids_round_trip_or_say_they_do_not_fit(
    action: str, value: str, community: str
) -> None:
    custom_id = choice_id(action, value, community)
    if custom_id is None:
        return
    assert len(custom_id) <= CUSTOM_ID_LIMIT
    assert re.fullmatch(CHOICE_TEMPLATE, custom_id)
    assert parse_choice_id(custom_id) == (action, value, community)


def test_the_engines_choices_fit() -> None:
    assert choice_id("reflect", "12:research:partly", "1200000000000000001") == (
        "bb@1200000000000000001:reflect:12:research:partly"
    )
    assert choice_id("checkin.mood", "3") == "bb:checkin.mood:3"


def test_button_templates_do_not_overlap() -> None:
    assert not re.fullmatch(CHOICE_TEMPLATE, "bbx:0123456789abcdef")
    assert not re.fullmatch(CHOICE_TEMPLATE, DMS_CHECK_ID)
    assert not re.fullmatch(PENDING_TEMPLATE, "bb:a:b")


@given(
    st.text(min_size=1, max_size=20),
    st.text(max_size=20),
    communities,
    st.dictionaries(
        st.from_regex(r"[a-z_]{1,12}", fullmatch=True), st.text(max_size=20), max_size=3
    ),
)
def test_form_states_round_trip(
    form_id: str, context: str, community: str, known: dict[str, str]
) -> None:
    state = FormState(form_id, context, community, known)
    custom_id = form_id_for(state)
    if custom_id is not None:
        assert len(custom_id) <= CUSTOM_ID_LIMIT
        assert parse_form_id(custom_id) == state


def test_foreign_modal_ids_are_not_ours() -> None:
    assert parse_form_id("something-else") is None
    assert parse_form_id("bbf:c=1") is None


def test_modal_values_in_labels_and_in_action_rows() -> None:
    def label(inner: dict[str, object]) -> dict[str, object]:
        return {"type": 18, "id": 1, "component": inner}

    components = [
        label({"type": 4, "id": 2, "custom_id": "company", "value": "Acme"}),
        label({"type": 3, "id": 4, "custom_id": "stage", "values": ["interview"]}),
        label({"type": 3, "id": 6, "custom_id": "feeling", "values": []}),
        {"type": 1, "components": [{"type": 4, "custom_id": "role", "value": "PM"}]},
        {"type": 10, "id": 7, "content": "some text display"},
    ]  # fmt: skip
    assert submitted_values(components) == {
        "company": "Acme", "stage": "interview", "feeling": "", "role": "PM",
    }  # fmt: skip


def test_community_comes_from_the_guild_first() -> None:
    assert community_of(42, "7") == "42"
    assert community_of(None, "7") == "7"
    assert community_of(None) == "dm"


def test_api_base() -> None:
    assert api_base(None) == DEFAULT_API_BASE == "https://discord.com/api/v10"
    assert api_base("http://proxy:8080") == "http://proxy:8080/api/v10"
    assert api_base("http://127.0.0.1:1234/api/v10/") == "http://127.0.0.1:1234/api/v10"
    with pytest.raises(ValueError, match="http"):
        api_base("ftp://nope")
