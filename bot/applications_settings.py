"""``/applied settings``: how many days without news before "Any news from ...?" (or never)."""

from __future__ import annotations

from bot import applications_plan
from bot.events import FormSubmission
from bot.forms import refusal, validate
from bot.replies import Field, Form, Reply
from bot.text import number
from bot.turn import Turn

FORM_ID = "application_settings"


async def form(turn: Turn) -> Form:
    """The one setting, showing what it is now."""
    days = await applications_plan.ghost_days(turn)
    return Form(
        form_id=FORM_ID,
        title=turn.content.text("applied.settings_title"),
        fields=(
            Field(
                "ghost_days",
                turn.content.text(
                    "applied.settings_field", limit=applications_plan.GHOST_DAYS_LIMIT
                ),
                required=True,
                max_length=3,
                initial=str(days),
            ),
        ),
    )


async def submit(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """Save the number of days and plan every waiting application's reminder by it."""
    content = turn.content
    blank = await form(turn)
    cleaned, errors = validate(blank, submission.values, content, turn.today)
    raw = cleaned.get("ghost_days", "")
    days = 0 if raw == "0" else number(raw, maximum=applications_plan.GHOST_DAYS_LIMIT)
    if not errors and days is None:
        errors["ghost_days"] = content.text(
            "applied.settings_bad", limit=applications_plan.GHOST_DAYS_LIMIT
        )
    if errors or days is None:
        return [refusal(blank, cleaned, errors)]
    await turn.store.set_ghost_days(turn.person.id, days)
    await applications_plan.plan_all(turn)
    key = "applied.settings_saved" if days else "applied.settings_off"
    return [Reply(text=content.text(key, days=days))]
