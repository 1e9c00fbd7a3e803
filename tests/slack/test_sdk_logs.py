"""slack_sdk's debug texts are not built when nothing logs them (see adapters.slack.logs)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.logs import SDK_CLIENT_LOGGERS, quiet_sdk_logs
from tests.slack.fake_slack import FakeSlack


class Counted(dict[str, Any]):
    """A view that counts how often it is written out as text (JSON encoding does not)."""

    shown = 0

    def __repr__(self) -> str:
        Counted.shown += 1
        return super().__repr__()


@pytest.fixture
def levels() -> Iterator[None]:
    """The logging levels this test changes, put back afterwards."""
    names = ("slack_sdk", "slack_bolt", *SDK_CLIENT_LOGGERS)
    kept = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in kept.items():
        logging.getLogger(name).setLevel(level)


async def test_a_web_api_call_does_not_format_its_body_for_a_debug_log_nobody_keeps(
    fake_slack: FakeSlack, levels: None
) -> None:
    quiet_sdk_logs()
    Counted.shown = 0
    view = Counted(type="modal", title={"type": "plain_text", "text": "Log a rejection"})
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url, session=session)
        answer = await client.views_open(trigger_id="t1", view=view)
    assert answer["ok"]
    assert [call.args["view"]["title"]["text"] for call in fake_slack.calls] == ["Log a rejection"]
    assert Counted.shown == 0


def test_an_operator_asking_for_warnings_only_keeps_that_level(levels: None) -> None:
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    quiet_sdk_logs()
    assert logging.getLogger("slack_sdk").level == logging.WARNING
    for name in SDK_CLIENT_LOGGERS:
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING
