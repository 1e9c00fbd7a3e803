"""``/feedback``: the feedback-request notes, marking one sent, and logging the reply."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content import Content
from bot.events import Choice, Command, FormSubmission
from bot.forms import refusal, validate
from bot.model import Rejection
from bot.replies import Button, Field, FieldKind, Form, Reply
from bot.routes import Routes
from bot.text import clean, number
from bot.turn import Turn

NOTE_ACTION = "feedback.note"
SENT_ACTION = "feedback.sent"
REPLY_ACTION = "feedback.reply"
REPLY_FORM = "feedback_reply"
# What the bot waits for once feedback is in, and at the week's end: what the person would do
# differently (a lesson, shown among the areas to work on).
LESSON_TOPIC = "lesson"
REPLY_LIMIT = 2000


async def command(turn: Turn, command: Command) -> list[Reply]:
    """``/feedback [N]``, ``/feedback sent [N]``, ``/feedback reply [N] TEXT``."""
    words = clean(command.text)
    verb, _, rest = words.partition(" ")
    if verb.casefold() in ("sent", "reply"):
        number, said = _split_number(rest.strip())
        found = await _pick(turn, number)
        if isinstance(found, Reply):
            return [found]
        if verb.casefold() == "sent":
            return await _mark_sent(turn, found)
        if not said:
            return [Reply(form=reply_form(turn.content, found))]
        return await _log_reply(turn, found, said)
    number, _ = _split_number(words)
    found = await _pick(turn, number)
    if isinstance(found, Reply):
        return [found]
    return notes(turn, found)


async def on_button(turn: Turn, action: str, value: str) -> list[Reply]:
    """The buttons under a rejection or a note."""
    found = await _by_id(turn, value)
    if isinstance(found, Reply):
        return [found]
    if action == NOTE_ACTION:
        return notes(turn, found)
    if action == SENT_ACTION:
        return await _mark_sent(turn, found)
    return [Reply(form=reply_form(turn.content, found))]


async def on_form(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """The feedback-reply form came back."""
    found = await _by_id(turn, submission.context)
    if isinstance(found, Reply):
        return [found]
    blank = reply_form(turn.content, found)
    cleaned, errors = validate(blank, submission.values, turn.content, turn.today)
    if errors:
        return [refusal(blank, cleaned, errors)]
    return await _log_reply(turn, found, cleaned["said"])


def notes(turn: Turn, rejection: Rejection) -> list[Reply]:
    """The note in each variant, filled with what the person gave and nothing invented."""
    content = turn.content
    greetings = content.table("feedback.greetings")
    named = "named" if rejection.interviewer else "unnamed"
    stage = rejection.stage.value
    values = {
        "greeting": greetings[f"email_{named}"].format(interviewer=rejection.interviewer),
        "hi": greetings[f"short_{named}"].format(interviewer=rejection.interviewer),
        "met": content.table("feedback.met").get(stage, ""),
        "company": rejection.company,
        "role": rejection.role or content.text("feedback.role_fallback"),
        "name": turn.name,
    }
    variants = content.records(f"feedback.variants.{content.table('feedback.notes_for')[stage]}")
    replies = [Reply(text=content.text("feedback.intro", company=rejection.company))]
    for variant in variants:
        replies.append(Reply(heading=variant["heading"], quote=variant["body"].format(**values)))
    last = replies[-1]
    replies[-1] = Reply(
        heading=last.heading,
        quote=last.quote,
        buttons=(
            Button(content.text("feedback.mark_sent"), SENT_ACTION, str(rejection.id)),
            Button(content.text("feedback.log_reply"), REPLY_ACTION, str(rejection.id)),
        ),
    )
    return replies


def reply_form(content: Content, rejection: Rejection) -> Form:
    """A form for what the interviewer said."""
    return Form(
        form_id=REPLY_FORM,
        title=content.text("feedback.reply_form_title"),
        context=str(rejection.id),
        fields=(
            Field(
                "said",
                content.text("feedback.reply_field"),
                FieldKind.LONG_TEXT,
                required=True,
                max_length=REPLY_LIMIT,
            ),
        ),
    )


async def _mark_sent(turn: Turn, rejection: Rejection) -> list[Reply]:
    if rejection.note_sent_at is not None:
        return [Reply(text=turn.content.text("feedback.already_sent"))]
    await turn.store.mark_note_sent(turn.person.id, rejection.id, turn.now)
    return [
        Reply(
            text=turn.content.text("feedback.sent"),
            buttons=(
                Button(turn.content.text("feedback.log_reply"), REPLY_ACTION, str(rejection.id)),
            ),
        )
    ]


async def _log_reply(turn: Turn, rejection: Rejection, said: str) -> list[Reply]:
    said = clean(said, multiline=True)
    if len(said) > REPLY_LIMIT:
        return [
            Reply(
                text=turn.content.text(
                    "limits.too_long",
                    label=turn.content.text("feedback.reply_field"),
                    limit=REPLY_LIMIT,
                    length=len(said),
                )
            )
        ]
    if not said:
        return [Reply(text=turn.content.text("feedback.reply_empty"))]
    await turn.store.log_feedback(turn.person.id, rejection.id, said, turn.now)
    # The reply asks what they'd do differently: the answer is a lesson, an area to work on.
    await turn.store.set_conversation(turn.person.id, LESSON_TOPIC, str(rejection.id), turn.now)
    return [Reply(text=turn.content.text("feedback.reply_saved"))]


def _split_number(text: str) -> tuple[int | None, str]:
    """``"2 they said..."`` -> ``(2, "they said...")``; no leading number -> ``(None, text)``."""
    first, _, rest = text.partition(" ")
    position = number(first)
    if position is not None:
        return position, rest.strip()
    return None, text


async def _pick(turn: Turn, position: int | None) -> Rejection | Reply:
    """The person's rejection number ``position`` (1 = oldest), or their latest."""
    rejections = await turn.store.rejections(turn.person.id)
    if not rejections:
        return Reply(text=turn.content.text("feedback.none"))
    if position is None:
        return rejections[-1]
    if position <= len(rejections):
        return rejections[position - 1]
    return Reply(
        text=turn.content.text(
            "feedback.not_found", number=position, list=listing(turn.content, rejections)
        )
    )


async def _by_id(turn: Turn, value: str) -> Rejection | Reply:
    wanted = number(value, maximum=2**62)
    for rejection in await turn.store.rejections(turn.person.id):
        if rejection.id == wanted:
            return rejection
    return Reply(text=turn.content.text("feedback.none"))


def listing(content: Content, rejections: Sequence[Rejection]) -> str:
    """The person's rejections as a numbered list."""
    stages = content.table("rejected.stage_labels")
    return "\n".join(
        content.text(
            "feedback.list_item",
            number=number,
            company=r.company,
            role=r.role or content.text("feedback.role_fallback"),
            stage=stages[r.stage.value],
            date=r.rejected_on.isoformat(),
        )
        for number, r in enumerate(rejections, start=1)
    )


async def _on_choice(turn: Turn, choice: Choice) -> list[Reply]:
    return await on_button(turn, choice.action, choice.value)


ROUTES = Routes(
    commands={"feedback": command},
    choices={NOTE_ACTION: _on_choice, SENT_ACTION: _on_choice, REPLY_ACTION: _on_choice},
    forms={REPLY_FORM: on_form},
)
