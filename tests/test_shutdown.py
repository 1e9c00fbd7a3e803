"""SIGTERM on the real ``bounceback slack`` process: it stops taking requests, finishes what
it acknowledged, and exits 0."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from tests.processes import BIN, PROMPTLY
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import sign
from tests.test_cli import environment, free_port

SECRET = "shutdown-test-signing-secret"


def dm_event(text: str, event_id: str) -> bytes:
    return json.dumps(
        {
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": "UBOT1", "is_bot": True}],
            "event": {"type": "message", "channel_type": "im", "channel": "DU1",
                      "user": "U1", "text": text, "ts": "2.000100"},
        }
    ).encode()  # fmt: skip


async def post(session: aiohttp.ClientSession, port: int, body: bytes) -> int:
    headers = {**sign(body, int(time.time()), SECRET), "Content-Type": "application/json"}
    async with session.post(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
    ) as r:
        return r.status


async def test_sigterm_finishes_acknowledged_work_then_exits_cleanly(tmp_path: Path) -> None:
    slack = FakeSlack()
    await slack.start()
    port = free_port()
    replies = slack.hold("chat.postMessage")  # the answer is on its way when SIGTERM comes
    process = await asyncio.create_subprocess_exec(
        str(BIN),
        "slack",
        "--port",
        str(port),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=environment(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test-T1",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            BOUNCEBACK_LOG_LEVEL="INFO",
        ),
        cwd=tmp_path,
    )
    assert process.stderr is not None
    try:
        async with asyncio.timeout(PROMPTLY):
            while b"listening" not in await process.stderr.readline():
                pass
            async with aiohttp.ClientSession() as session:
                assert await post(session, port, dm_event("hi", "Ev1")) == 200
                await slack.called("chat.postMessage")  # the answer is under way
                process.send_signal(signal.SIGTERM)
                while b"stopped taking requests" not in await process.stderr.readline():
                    pass
                with pytest.raises(aiohttp.ClientConnectionError):
                    await post(session, port, dm_event("anyone there?", "Ev2"))
            replies.set()
            _, rest = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await slack.stop()
    assert process.returncode == 0, rest.decode()
    assert b"Traceback" not in rest
    assert len(slack.calls_to("chat.postMessage")) == 1
