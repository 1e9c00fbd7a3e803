"""Events survive the trip through their stored JSON form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.codec import CodecError, decode_event, encode_event
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender

text = st.text(max_size=40)
senders = st.builds(
    Sender, st.sampled_from(["slack", "discord"]), text, text, text, st.booleans(), text, text
)
events = st.one_of(
    st.builds(Command, senders, text, text, text),
    st.builds(Choice, senders, text, text),
    st.builds(FormSubmission, senders, text, st.dictionaries(text, text, max_size=4), text),
    st.builds(Message, senders, text),
)


@given(events, st.dictionaries(text, text, max_size=3))
def test_every_event_comes_back_equal(event: Event, extra: dict[str, str]) -> None:
    assert decode_event(encode_event(event, extra)) == (event, extra)


@pytest.mark.parametrize(
    "stored", ["", "[]", '{"kind": "shell"}', '{"kind": "command", "event": {"x": 1}}']
)
def test_anything_else_is_refused(stored: str) -> None:
    with pytest.raises(CodecError):
        decode_event(stored)
