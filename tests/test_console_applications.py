"""``/applied`` in the real ``bounceback console`` process: the form asked line by line, a bad
link asked again, one tap from the list, and the reminder ``/next`` brings forward."""

from __future__ import annotations

from pathlib import Path

from tests.test_console_session import console

APPLIED = ["/applied Acme", "", "Data analyst", "javascript:alert(1)", "", ""]


def test_an_application_is_logged_moved_and_asked_about(tmp_path: Path) -> None:
    result = console(
        tmp_path,
        [*APPLIED, "https://acme.example/1", "/next", "8", "/applied list", "2", "/progress"],
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "-- Log an application --" in out
    assert "Link: please give a web address starting with http:// or https://." in out
    assert "Logged: Acme (application 1). That's 1 this week." in out
    # /next: the reminder 14 days on, with its answers and a note to send.
    assert "Any news from Acme? You applied for Data analyst on" in out
    assert "[8] Still waiting" in out
    assert "I applied for the Data analyst position at Acme" in out
    assert "Noted: still waiting on Acme. I'll ask again in 14 days" in out
    # One tap from the list: [2] Interview.
    assert "1. Acme: Data analyst · Applied · applied 14 days ago" in out
    assert "An interview with Acme!" in out
    assert "Responses: 1 · interviews: 1 · offers: 0" in out


def test_help_lists_applied(tmp_path: Path) -> None:
    result = console(tmp_path, ["/help"])
    assert "/applied [company]: track an application" in result.stdout
