"""The app manifest in the repo matches the engine's commands and the adapter's needs."""

from __future__ import annotations

import logging

import pytest
import yaml

from adapters.slack.logs import REDACTED, RedactPayloads, bolt_logger
from adapters.slack.manifest import MANIFEST_PATH, build_manifest, engine_commands, main, to_yaml
from adapters.slack.oauth import BOT_SCOPES


def test_the_checked_in_manifest_is_up_to_date() -> None:
    expected = to_yaml(build_manifest(engine_commands()))
    assert MANIFEST_PATH.read_text(encoding="utf-8") == expected, (
        "run `python -m adapters.slack.manifest --write`"
    )


def test_manifest_lists_every_command_the_least_scopes_and_the_events() -> None:
    manifest = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    commands = [entry["command"] for entry in manifest["features"]["slash_commands"]]
    assert commands == [f"/{command.name}" for command in engine_commands()]
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    # The brag thread and community settings: a public channel without an invitation, the
    # celebration emoji, and telling admins from members. Nothing that reads channels.
    assert {"chat:write.public", "reactions:write", "users:read"} <= set(BOT_SCOPES)
    assert not any(scope.endswith(":history") and scope != "im:history" for scope in BOT_SCOPES)
    assert {"/hired", "/bounceback"} <= set(commands)
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "message.im",
        "app_uninstalled",
        "tokens_revoked",
        "user_change",  # check-ins follow a member's new time zone
        "app_home_opened",  # each member's Home tab, published when they open it
    }
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    urls = [entry["url"] for entry in manifest["features"]["slash_commands"]]
    urls += [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert set(urls) == {"https://YOUR-HOST/slack/events"}
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False


def test_socket_mode_manifest_needs_no_url(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--socket-mode"])
    manifest = yaml.safe_load(capsys.readouterr().out)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "https://" not in yaml.safe_dump(manifest["settings"])
    assert all("url" not in entry for entry in manifest["features"]["slash_commands"])


def test_a_custom_url(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--url", "https://bb.example.org/"])
    manifest = yaml.safe_load(capsys.readouterr().out)
    assert manifest["settings"]["event_subscriptions"]["request_url"] == (
        "https://bb.example.org/slack/events"
    )
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://bb.example.org/slack/oauth_redirect"
    ]


@pytest.mark.parametrize(
    "message",
    [
        "A global middleware (X) skipped calling `next()` for the request ({'text': 'secret'})",
        "Invalid request signature detected (signature: v0=1, timestamp: 1, body: text=secret)",
        "Unsuccessful Bolt execution result (status: 500, body: secret)",
    ],
)
def test_bolt_payloads_are_redacted(message: str, caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("slack_bolt.SomeMiddleware")
    logger.addFilter(RedactPayloads())
    try:
        with caplog.at_level(logging.INFO):
            logger.warning(message)
    finally:
        logger.filters.clear()
    assert "secret" not in caplog.text
    assert REDACTED in caplog.text


def test_the_bolt_base_logger_carries_the_filter_once() -> None:
    assert bolt_logger() is bolt_logger()
    assert sum(isinstance(f, RedactPayloads) for f in bolt_logger().filters) == 1
