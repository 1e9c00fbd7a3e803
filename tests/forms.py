"""What people type into the engine's forms, for the engine's tests."""

from __future__ import annotations

from bot.replies import Field, Reply

# The rejection form as filled in by the engine's tests and its benchmark.
REJECTION = {
    "company": "Acme",
    "role": "Data analyst",
    "stage": "interview",
    "rejected_on": "",
    "interviewer": "Jane Rivera",
    "feeling": "2",
}


def checkin_settings(
    timezone: str = "Europe/Berlin",
    checkin_time: str = "10:00",
    *,
    quiet_start: str = "21:00",
    quiet_end: str = "08:00",
    weekdays_only: str = "no",
) -> dict[str, str]:
    """The ``/checkin settings`` form as filled in: the defaults unless told otherwise."""
    return {
        "timezone": timezone,
        "checkin_time": checkin_time,
        "quiet_start": quiet_start,
        "quiet_end": quiet_end,
        "weekdays_only": weekdays_only,
    }


def fields_of(reply: Reply) -> dict[str, Field]:
    """The fields of the form ``reply`` opens, by name."""
    assert reply.form is not None
    return {field.name: field for field in reply.form.fields}
