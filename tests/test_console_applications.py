"""``/applied`` in the real ``bounceback console`` process: the form asked line by line, a bad
link asked again, one tap from the list, and the reminder ``/next`` brings forward."""

from __future__ import annotations

from pathlib import Path

from tests.processes import printed
from tests.test_console_session import console

APPLIED = ["/applied Acme", "", "Data analyst", "javascript:alert(1)", "", ""]


def test_an_application_is_logged_moved_and_asked_about(tmp_path: Path) -> None:
    result = console(
        tmp_path,
        [*APPLIED, "https://acme.example/1", "/next", "8", "/applied list", "2", "/progress"],
    )
    printed(
        result,
        "-- Log an application --",
        "Link: please give a web address starting with http:// or https://.",
        "Logged: Acme (application 1). That's 1 this week.",
        # /next: the reminder 14 days on, with its answers and a note to send.
        "Any news from Acme? You applied for Data analyst on",
        "[8] Still waiting",
        "I applied for the Data analyst position at Acme",
        "Noted: still waiting on Acme. I'll ask again in 14 days",
        # One tap from the list: [2] Interview.
        "1. Acme: Data analyst · Applied · applied 14 days ago",
        "An interview with Acme!",
        "Responses: 1 · interviews: 1 · offers: 0",
    )


def test_help_lists_applied(tmp_path: Path) -> None:
    result = console(tmp_path, ["/help"])
    assert "/applied [company]: track an application" in result.stdout
