"""Checking a submitted form against its own field definitions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.content import Content
from bot.replies import FieldKind, Form, Option, Reply
from bot.text import clean, parse_time

# A date further back than this is a typo (0001-01-01), not a rejection to plan around.
OLDEST_YEARS = 5


def validate(
    form: Form, values: Mapping[str, str], content: Content, today: dt.date
) -> tuple[dict[str, str], dict[str, str]]:
    """Clean ``values`` and check them against ``form``: ``(cleaned, errors by field name)``.

    Fields the form does not define are ignored, so a forged submission cannot smuggle
    anything in.
    """
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in form.fields:
        raw = values.get(field.name, "")
        value = clean(
            raw if isinstance(raw, str) else "", multiline=field.kind is FieldKind.LONG_TEXT
        )
        cleaned[field.name] = value
        label = field.label
        if not value:
            if field.required:
                errors[field.name] = content.text("limits.required", label=label)
            continue
        if len(value) > field.max_length:
            errors[field.name] = content.text(
                "limits.too_long", label=label, limit=field.max_length, length=len(value)
            )
        elif field.kind is FieldKind.CHOICE:
            chosen = _match_option(value, field.options)
            if chosen is None:
                errors[field.name] = content.text("limits.bad_choice", label=label)
            else:
                cleaned[field.name] = chosen
        elif field.kind is FieldKind.DATE:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                errors[field.name] = content.text(
                    "limits.bad_date", label=label, example=today.isoformat()
                )
            else:
                earliest = (
                    dt.date.fromisoformat(field.earliest)
                    if field.earliest
                    else dt.date(today.year - OLDEST_YEARS, 1, 1)
                )
                if day > today:
                    errors[field.name] = content.text("limits.future_date", label=label)
                elif day < earliest and field.earliest:
                    errors[field.name] = content.text(
                        "limits.before_date", label=label, earliest=field.earliest
                    )
                elif day < earliest:
                    errors[field.name] = content.text(
                        "limits.too_old_date",
                        label=label,
                        value=value,
                        years=OLDEST_YEARS,
                        earliest=earliest.isoformat(),
                    )
    return cleaned, errors


def _match_option(value: str, options: tuple[Option, ...]) -> str | None:
    """The option ``value`` names: by its value, else its label, else its number in the list.

    Values win over positions: with values "0".."6", "4" is the option whose value is "4",
    not the fourth option.
    """
    folded = value.casefold()
    for matches in (
        lambda _n, option: option.value.casefold() == folded,
        lambda _n, option: option.label.casefold() == folded,
        lambda n, _option: str(n) == folded,
    ):
        for number, option in enumerate(options, start=1):
            if matches(number, option):
                return option.value
    return None


def refused(form: Form, values: Mapping[str, str], errors: Mapping[str, str]) -> Form:
    """``form`` again, holding what the person typed and the reasons it was refused."""
    fields = tuple(replace(field, initial=values.get(field.name, "")) for field in form.fields)
    return replace(form, fields=fields, errors=dict(errors))


def refusal(form: Form, values: Mapping[str, str], errors: Mapping[str, str]) -> Reply:
    """The answer to a refused submission: the first reason, and the form back to fix."""
    return Reply(text=next(iter(errors.values())), form=refused(form, values, errors))


@dataclass(slots=True)
class Checked:
    """A settings form's submission, cleaned by :func:`validate`; each further check of a
    field adds its reason to ``errors`` unless that field was already refused."""

    form: Form
    cleaned: dict[str, str]
    errors: dict[str, str]
    content: Content

    @classmethod
    def of(cls, form: Form, values: Mapping[str, str], content: Content, today: dt.date) -> Checked:
        cleaned, errors = validate(form, values, content, today)
        return cls(form, cleaned, errors, content)

    def label(self, name: str) -> str:
        return next(field.label for field in self.form.fields if field.name == name)

    def time(self, name: str) -> dt.time | None:
        """The field as a time of day (None when refused)."""
        if name in self.errors:
            return None
        found = parse_time(self.cleaned[name])
        if found is None:
            self.errors[name] = self.content.text("checkin.bad_time", label=self.label(name))
        return found

    def yes(self, name: str) -> bool:
        """Whether the field says yes; anything but yes or no is refused."""
        said = self.cleaned.get(name, "").casefold()
        if name not in self.errors and said not in ("yes", "y", "no", "n"):
            self.errors[name] = self.content.text("checkin.bad_yes_no", label=self.label(name))
        return said.startswith("y")

    def refusal(self) -> Reply:
        """The answer when any field was refused (see ``errors``)."""
        return refusal(self.form, self.cleaned, self.errors)
