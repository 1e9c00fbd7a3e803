"""An admin's first hour with the real ``bounceback`` command: every mistake is one clear line
and a non-zero exit, never a traceback or a wait without end."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.discord.fake_discord import FakeDiscord
from tests.processes import BIN, PROMPTLY, run
from tests.slack.fake_slack import FakeSlack


def environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The real environment minus every Bounceback setting, plus ``settings``."""
    names = ("BOUNCEBACK_", "SLACK_", "DISCORD_", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(names)}
    return {**env, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", **settings}


def bounceback(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    # In tmp_path: no .env of the checkout is read.
    return run([str(BIN), *args], tmp_path, env=environment(tmp_path, **settings))


async def bounceback_async(tmp_path: Path, *args: str, **settings: str) -> tuple[int, str]:
    """Run it without blocking the loop the fake platform serves on; returns status, stderr."""
    process = await asyncio.create_subprocess_exec(
        str(BIN),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=environment(tmp_path, **settings),
        cwd=tmp_path,
    )
    try:
        _, errors = await asyncio.wait_for(process.communicate(), PROMPTLY)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, errors.decode()


def one_clear_line(errors: str) -> str:
    """The verdict: the last line, said once, with no traceback before it."""
    assert "Traceback" not in errors, errors
    lines = [line for line in errors.splitlines() if line.strip()]
    verdicts = [line for line in lines if line.startswith("bounceback: ")]
    assert verdicts == lines[-1:], errors
    return lines[-1]


def free_port() -> int:
    """A loopback port free just now, for a server the test starts to listen on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_version(tmp_path: Path) -> None:
    result = bounceback(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip().startswith("bounceback 0.")


def test_an_unknown_log_level_is_a_bad_setting(tmp_path: Path) -> None:
    result = bounceback(tmp_path, "schedule", BOUNCEBACK_LOG_LEVEL="LOUD")
    assert result.returncode == 2
    line = one_clear_line(result.stderr)
    assert "BOUNCEBACK_LOG_LEVEL: unknown log level 'LOUD'" in line
    assert "DEBUG, INFO, WARNING, ERROR, CRITICAL" in line
    assert bounceback(tmp_path, "schedule", BOUNCEBACK_LOG_LEVEL="warning").returncode == 0


def test_a_reader_that_stops_reading_ends_it_quietly(tmp_path: Path) -> None:
    # ``bounceback schedule | head``: the pipe closes before (or while) it writes.
    reading, writing = os.pipe()
    os.close(reading)
    try:
        result = subprocess.run(
            [str(BIN), "schedule"],
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(tmp_path),
            cwd=tmp_path,
            timeout=PROMPTLY,
            check=False,
        )
    finally:
        os.close(writing)
    assert result.returncode == 128 + signal.SIGPIPE
    assert result.stderr == ""


def test_one_shot_commands_give_up_on_an_unreachable_database(
    tmp_path: Path, refusing_port: int
) -> None:
    url = f"postgresql://bounceback@127.0.0.1:{refusing_port}/bounceback"
    result = bounceback(tmp_path, "schedule", DATABASE_URL=url)
    assert result.returncode == 1
    line = one_clear_line(result.stderr)
    assert "cannot reach the PostgreSQL at 127.0.0.1" in line
    assert "ConnectionRefusedError" in line
    assert "after waiting 10 s" in line
    assert "retrying for up to 10 s" in result.stderr


@pytest.mark.postgres
def test_a_missing_postgres_database_says_how_to_create_it(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")
    url = make_url(server).set(database="bounceback_no_such_database")
    result = bounceback(
        tmp_path, "db", "upgrade", DATABASE_URL=url.render_as_string(hide_password=False)
    )
    assert result.returncode == 1
    line = one_clear_line(result.stderr)
    assert "database 'bounceback_no_such_database' does not exist" in line
    assert "createdb" in line


async def refused_by_slack(
    tmp_path: Path, method: str, times: int, **env: str
) -> tuple[int, str, int]:
    """``bounceback slack`` against a fake Slack that refuses ``method`` (``times`` times): the
    exit status, what it wrote to stderr, and how often it called ``method``."""
    slack = FakeSlack()
    await slack.start()
    try:
        slack.script(method, {"ok": False, "error": "invalid_auth"}, times=times)
        status, errors = await bounceback_async(
            tmp_path, "slack", "--port", str(free_port()), SLACK_API_URL=slack.api_url, **env
        )
        return status, errors, len(slack.calls_to(method))
    finally:
        await slack.stop()


async def test_a_refused_slack_bot_token_in_http_mode(tmp_path: Path) -> None:
    status, errors, _ = await refused_by_slack(
        tmp_path,
        "auth.test",
        1,
        SLACK_BOT_TOKEN="xoxb-wrong",
        SLACK_SIGNING_SECRET="secret",
    )
    assert status == 2
    line = one_clear_line(errors)
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth from auth.test)" in line
    assert "listening" not in errors
    assert "xoxb-wrong" not in errors


async def test_a_refused_slack_app_token_in_socket_mode(tmp_path: Path) -> None:
    status, errors, asked = await refused_by_slack(
        tmp_path,
        "apps.connections.open",
        50,
        SLACK_BOT_TOKEN="xoxb-right",
        SLACK_APP_TOKEN="xapp-wrong",
    )
    assert status == 2
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth" in one_clear_line(errors)
    assert asked == 1  # asked once, not every 10 s


async def test_a_refused_discord_token(tmp_path: Path) -> None:
    async with FakeDiscord() as discord:
        discord.fail("GET", "/users/@me", 401, {"message": "401: Unauthorized", "code": 0})
        status, errors = await bounceback_async(
            tmp_path, "discord", DISCORD_TOKEN="wrong", DISCORD_API_URL=discord.base_url
        )
    assert status == 2
    assert "Discord refused DISCORD_TOKEN" in one_clear_line(errors)
