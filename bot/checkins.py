"""Writing a check-in: the words and buttons for one planned message, from what is known."""

from __future__ import annotations

from functools import cache

from bot.content import Content
from bot.model import Due
from bot.replies import Button, Reply

SNOOZE_ACTION = "plan.snooze"
OFFER_ACTION = "plan.offer"
APPLIED_ACTION = "plan.applied"
WEEKLY_ACTION = "plan.weekly"
NOT_YET_ACTION = "plan.not_yet"
MOOD_ACTION = "checkin.mood"  # the same buttons as /checkin's

# Topics of what the bot waits for after a check-in, so a typed answer lands right.
STRENGTH_TOPIC = "strength"
LESSON_TOPIC = "lesson"
APPLIED_TOPIC = "applied"

LOW_MOOD = 2
# The planned messages this module knows how to write.
KINDS = frozenset(
    ("day1_mood", "day2_feedback", "day3_strengths", "day5_plan_b", "day7_wrap_up", "weekly")
)


def build(content: Content, due: Due) -> tuple[list[Reply], tuple[str, str] | None]:
    """The check-in's replies, and the (topic, data) the bot then waits for, if any."""
    message, person, rejection = due.message, due.person, due.rejection
    low = due.latest_mood is not None and due.latest_mood <= LOW_MOOD
    kind = message.kind if message.kind in KINDS else "weekly"
    values = {
        "name": person.display_name or person.user_id,
        "company": rejection.company if rejection else "",
    }
    footer, remind, offer_label = _labels(content)
    snooze = Button(
        remind,
        SNOOZE_ACTION,
        f"{message.id}:{message.kind}:{message.rejection_id or ''}",
    )
    offer = Button(offer_label, OFFER_ACTION, "")
    variant = "text_low" if low else "text"
    if rejection is None and kind != "weekly":
        kind = "weekly"  # the rejection was deleted; a plain check-in still makes sense

    if kind in ("day1_mood", "weekly"):
        text = content.text(f"checkins.{kind}.{variant}", **values)
        buttons = (*_moods(content), snooze) if kind == "day1_mood" else (*_moods(content), offer)
        # A bare 1 to 5 typed back is read as the mood (see the engine): nothing to remember.
        return [Reply(text=f"{text}\n{footer}", buttons=buttons)], None

    assert rejection is not None
    rid = str(rejection.id)
    if kind == "day2_feedback":
        if rejection.feedback:
            text = content.text("checkins.day2_feedback.text_reply", **values)
            return [Reply(text=f"{text}\n{footer}", buttons=(snooze,))], (LESSON_TOPIC, rid)
        if rejection.note_sent_at is not None:
            text = content.text("checkins.day2_feedback.text_sent", **values)
            buttons = (
                Button(content.text("plan.got_reply"), "feedback.reply", rid),
                Button(content.text("plan.not_yet"), NOT_YET_ACTION, rid),
            )
            return [Reply(text=f"{text}\n{footer}", buttons=buttons)], None
        text = content.text(f"checkins.day2_feedback.{variant}", **values)
        buttons = (
            Button(content.text("plan.yes_sent"), "feedback.sent", rid),
            Button(content.text("plan.draft_it"), "feedback.note", rid),
            snooze,
        )
        return [Reply(text=f"{text}\n{footer}", buttons=buttons)], None

    if kind == "day3_strengths":
        text = content.text(f"checkins.day3_strengths.{variant}", **values)
        return [Reply(text=f"{text}\n{footer}", buttons=(snooze,))], (STRENGTH_TOPIC, "")

    if kind == "day5_plan_b":
        text = content.text(f"checkins.day5_plan_b.{variant}", **values)
        return [Reply(text=f"{text}\n{footer}", buttons=(*_applied(content), offer, snooze))], (
            APPLIED_TOPIC,
            "",
        )

    progress_key = "progress_sent" if rejection.note_sent_at else "progress"
    progress = content.text(f"checkins.day7_wrap_up.{progress_key}", wins=due.wins_since_rejection)
    text = content.text(f"checkins.day7_wrap_up.{variant}", progress=progress, **values)
    question = Reply(
        text=content.text("checkins.day7_wrap_up.question"),
        buttons=(
            Button(content.text("plan.keep_weekly"), WEEKLY_ACTION, "keep"),
            Button(content.text("plan.stop_checkins"), WEEKLY_ACTION, "stop"),
            offer,
        ),
    )
    return [Reply(text=f"{text}\n{footer}"), question], (LESSON_TOPIC, rid)


@cache
def _labels(content: Content) -> tuple[str, str, str]:
    """The words every check-in shares: its footer, "Remind me tomorrow", "I got an offer!"."""
    return (
        content.text("plan.footer"),
        content.text("plan.remind_tomorrow"),
        content.text("plan.offer_button"),
    )


@cache
def _moods(content: Content) -> tuple[Button, ...]:
    feelings = content.table("rejected.feeling_labels")
    return tuple(Button(feelings[str(n)], MOOD_ACTION, str(n)) for n in range(1, 6))


@cache
def _applied(content: Content) -> tuple[Button, ...]:
    options = content.table("plan.applied_options")
    return tuple(Button(label, APPLIED_ACTION, value) for value, label in options.items())
