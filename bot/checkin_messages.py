"""Writing a check-in: the words and buttons for one planned message, from what is known."""

from __future__ import annotations

from functools import cache

from bot import applications_reminders, feedback, mood, practice_kit
from bot.content import Content
from bot.model import Due
from bot.replies import Button, Reply
from bot.schedule import Step

SNOOZE_ACTION = "plan.snooze"
OFFER_ACTION = "plan.offer"
APPLIED_ACTION = "plan.applied"
WEEKLY_ACTION = "plan.weekly"
NOT_YET_ACTION = "plan.not_yet"

# Topics of what the bot waits for after a check-in, so a typed answer lands right.
STRENGTH_TOPIC = "strength"
APPLIED_TOPIC = "applied"

LOW_MOOD = 2
_STEPS = {step.value: step for step in Step}


def build(content: Content, due: Due) -> tuple[list[Reply], tuple[str, str] | None]:
    """The check-in's replies, and the (topic, data) the bot then waits for, if any."""
    if due.message.kind in applications_reminders.KINDS:
        return applications_reminders.build(content, due), None
    message, person, rejection = due.message, due.person, due.rejection
    if message.kind in practice_kit.KINDS:
        return practice_kit.follow_up(content, due)
    low = due.latest_mood is not None and due.latest_mood <= LOW_MOOD
    # A kind this version does not know is written as a weekly check-in.
    kind = _STEPS.get(message.kind, Step.WEEKLY)
    variant = "text_low" if low else "text"
    if rejection is None and kind is not Step.WEEKLY:
        kind = Step.WEEKLY  # the rejection was deleted; a plain check-in still makes sense
    name = person.display_name or person.user_id
    company = rejection.company if rejection else ""
    footer, remind, _ = _labels(content)
    if kind is Step.WEEKLY:
        # The most common message of all: its words and buttons are looked up once.
        template, buttons = _weekly(content, variant)
        text = template.format(name=name, company=company).strip()
        return [Reply(text=f"{text}\n{footer}", buttons=buttons)], None
    values = {"name": name, "company": company}
    snooze = Button(
        remind,
        SNOOZE_ACTION,
        f"{message.id}:{message.kind}:{message.rejection_id or ''}",
    )
    offer = _offer(content)

    def checkin(key: str, *buttons: Button, **more: object) -> Reply:
        text = content.text(f"checkins.{key}", **values, **more)
        return Reply(text=f"{text}\n{footer}", buttons=buttons)

    if kind is Step.DAY1_MOOD:
        # A bare 1 to 5 typed back is read as the mood (bot.mood): nothing to remember.
        return [checkin(f"{kind}.{variant}", *_moods(content), snooze)], None

    assert rejection is not None
    rid = str(rejection.id)
    lesson = (feedback.LESSON_TOPIC, rid)
    if kind is Step.DAY2_FEEDBACK:
        if rejection.feedback:
            return [checkin("day2_feedback.text_reply", snooze)], lesson
        if rejection.note_sent_at is not None:
            got_reply = Button(content.text("plan.got_reply"), feedback.REPLY_ACTION, rid)
            not_yet = Button(content.text("plan.not_yet"), NOT_YET_ACTION, rid)
            return [checkin("day2_feedback.text_sent", got_reply, not_yet)], None
        sent = Button(content.text("plan.yes_sent"), feedback.SENT_ACTION, rid)
        draft = Button(content.text("plan.draft_it"), feedback.NOTE_ACTION, rid)
        return [checkin(f"day2_feedback.{variant}", sent, draft, snooze)], None

    if kind is Step.DAY3_STRENGTHS:
        return [checkin(f"day3_strengths.{variant}", snooze)], (STRENGTH_TOPIC, "")

    if kind is Step.DAY5_PLAN_B:
        buttons = (*_applied(content), offer, snooze)
        if due.applied_this_week is not None:
            # They track applications: the real count, not the question.
            count, adjacent = due.applied_this_week
            counted = "tracked_adjacent" if adjacent else "tracked"
            tracked = checkin(
                f"day5_plan_b.{counted}", offer, snooze, count=count, adjacent=adjacent
            )
            return [tracked], None
        return [checkin(f"day5_plan_b.{variant}", *buttons)], (APPLIED_TOPIC, "")

    progress_key = "progress_sent" if rejection.note_sent_at else "progress"
    progress = content.text(f"checkins.day7_wrap_up.{progress_key}", wins=due.wins_since_rejection)
    question = Reply(
        text=content.text("checkins.day7_wrap_up.question"),
        buttons=(
            Button(content.text("plan.keep_weekly"), WEEKLY_ACTION, "keep"),
            Button(content.text("plan.stop_checkins"), WEEKLY_ACTION, "stop"),
            offer,
        ),
    )
    return [checkin(f"day7_wrap_up.{variant}", progress=progress), question], lesson


@cache
def _labels(content: Content) -> tuple[str, str, str]:
    """The words every check-in shares: its footer, "Remind me tomorrow", "I got an offer!"."""
    return (
        content.text("plan.footer"),
        content.text("plan.remind_tomorrow"),
        content.text("plan.offer_button"),
    )


@cache
def _offer(content: Content) -> Button:
    return Button(_labels(content)[2], OFFER_ACTION, "")


@cache
def _moods(content: Content) -> tuple[Button, ...]:
    return mood.buttons(content)


@cache
def _weekly(content: Content, variant: str) -> tuple[str, tuple[Button, ...]]:
    """A weekly check-in's template (``content.text`` fills it) and its buttons: one per
    mood (a bare 1 to 5 typed back is read as the mood: nothing to remember) and the offer."""
    template = content.get(f"checkins.{Step.WEEKLY}.{variant}")
    if not isinstance(template, str):
        raise TypeError(f"content checkins.{Step.WEEKLY}.{variant} is not a string")
    return template, (*_moods(content), _offer(content))


@cache
def _applied(content: Content) -> tuple[Button, ...]:
    options = content.table("plan.applied_options")
    return tuple(Button(label, APPLIED_ACTION, value) for value, label in options.items())
