"""Reflection questions after a rejection, and the "areas to work on" they turn into."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.content import Content
from bot.events import Choice
from bot.model import Answer, Reflection, Rejection, Stage
from bot.replies import Button, Reply
from bot.routes import Routes, Typed
from bot.text import clean, number
from bot.turn import Turn

ACTION = "reflect"
TOPIC = "reflection"
NOTE_LIMIT = 500

_WORDS = {
    "yes": Answer.YES,
    "y": Answer.YES,
    "yep": Answer.YES,
    "yeah": Answer.YES,
    "no": Answer.NO,
    "n": Answer.NO,
    "nope": Answer.NO,
    "not really": Answer.NO,
    "partly": Answer.PARTLY,
    "partially": Answer.PARTLY,
    "sort of": Answer.PARTLY,
    "somewhat": Answer.PARTLY,
    "kind of": Answer.PARTLY,
}


# Which questions fit a stage: performance questions only where there was an interview, none
# at all after a withdrawn offer (that was the company's side).
_GROUPS = {
    Stage.APPLICATION: "application",
    Stage.PHONE_SCREEN: "interview",
    Stage.INTERVIEW: "interview",
    Stage.FINAL_ROUND: "interview",
    Stage.OFFER_WITHDRAWN: "offer",
}


@dataclass(frozen=True, slots=True)
class Question:
    """One reflection question from the content file."""

    id: str
    text: str
    area: str
    after: str

    def fits(self, stage: Stage) -> bool:
        """Whether this question makes sense after a rejection at ``stage``."""
        return self.after == "any" or _GROUPS[stage] in self.after.split()


def questions(content: Content) -> list[Question]:
    """All reflection questions, in the order they are asked."""
    return [
        Question(id=q["id"], text=q["question"], area=q["area"], after=q.get("after", "any"))
        for q in content.records("reflection.questions")
    ]


def next_question(
    content: Content, rejection: Rejection, answered: Sequence[Reflection]
) -> Question | None:
    """The first question that fits the rejection and has no answer yet."""
    done = {r.question for r in answered if r.rejection_id == rejection.id}
    for question in questions(content):
        if question.fits(rejection.stage) and question.id not in done:
            return question
    return None


def ask(turn: Turn, rejection: Rejection, question: Question, *, intro: bool) -> Reply:
    """The question with its answer buttons."""
    content = turn.content

    def button(answer: str, label_key: str) -> Button:
        return Button(content.text(label_key), ACTION, f"{rejection.id}:{question.id}:{answer}")

    text = f"{content.text('reflection.intro')}\n{question.text}" if intro else question.text
    return Reply(
        text=text,
        buttons=(
            button(Answer.YES, "reflection.yes"),
            button(Answer.PARTLY, "reflection.partly"),
            button(Answer.NO, "reflection.no"),
            button("later", "reflection.later"),
        ),
    )


async def start(turn: Turn, rejection: Rejection) -> Reply | None:
    """Ask the first question for a fresh rejection and wait for its answer."""
    question = next_question(turn.content, rejection, ())
    if question is None:
        return None
    await turn.store.set_conversation(
        turn.person.id, TOPIC, f"{rejection.id}:{question.id}", turn.now
    )
    return ask(turn, rejection, question, intro=True)


async def on_button(turn: Turn, choice: Choice) -> list[Reply]:
    """A press of Yes / Partly / No / Later under a question."""
    rejection_id, _, rest = choice.value.partition(":")
    question_id, _, answer = rest.partition(":")
    if answer == "later":
        await turn.store.clear_conversation(turn.person.id)
        return [Reply(text=turn.content.text("reflection.later_text"))]
    try:
        chosen = Answer(answer)
    except ValueError:
        return [Reply(text=turn.content.text("reflection.unknown"))]
    return await record(turn, rejection_id, question_id, chosen, "")


async def on_text(turn: Turn, typed: Typed) -> list[Reply] | None:
    """A typed answer to the pending question: yes/no/partly, or the person's own words."""
    if typed.topic != TOPIC:
        return None
    rejection_id, _, question_id = typed.data.partition(":")
    words = clean(typed.text)
    answer = _WORDS.get(words.casefold().rstrip(".!"))
    if answer is not None:
        return await record(turn, rejection_id, question_id, answer, "")
    if len(words) > NOTE_LIMIT:
        return [
            Reply(
                text=turn.content.text(
                    "limits.too_long", label="An answer", limit=NOTE_LIMIT, length=len(words)
                )
            )
        ]
    return await record(turn, rejection_id, question_id, Answer.NOTE, words)


async def record(
    turn: Turn, rejection_id: str, question_id: str, answer: Answer, note: str
) -> list[Reply]:
    """Store an answer, thank the person, and ask the next question if there is one."""
    content = turn.content
    by_id = {q.id: q for q in questions(content)}
    question = by_id.get(question_id)
    rejection = None
    wanted = number(rejection_id, maximum=2**62)
    for candidate in await turn.store.rejections(turn.person.id):
        if candidate.id == wanted:
            rejection = candidate
    if question is None or rejection is None:
        return [Reply(text=content.text("reflection.unknown"))]
    await turn.store.save_reflection(
        turn.person.id, Reflection(rejection.id, question.id, answer, note, turn.now)
    )
    if answer is Answer.YES:
        thanks = content.text("reflection.thanks_yes")
    elif answer is Answer.NOTE:
        thanks = content.text("reflection.thanks_note")
    else:
        thanks = content.text("reflection.thanks_area", area=question.area)
    following = next_question(content, rejection, await turn.store.reflections(turn.person.id))
    if following is None:
        await turn.store.clear_conversation(turn.person.id)
        return [Reply(text=f"{thanks}\n{content.text('reflection.done')}")]
    await turn.store.set_conversation(
        turn.person.id, TOPIC, f"{rejection.id}:{following.id}", turn.now
    )
    return [Reply(text=thanks), ask(turn, rejection, following, intro=False)]


def areas(content: Content, answered: Sequence[Reflection]) -> list[str]:
    """The person's areas to work on: questions answered no or partly, and their own notes."""
    by_id: Mapping[str, Question] = {q.id: q for q in questions(content)}
    found: list[str] = []
    for reflection in answered:
        if reflection.answer is Answer.NOTE and reflection.note:
            area = reflection.note
        elif reflection.answer in (Answer.NO, Answer.PARTLY) and reflection.question in by_id:
            area = by_id[reflection.question].area
        else:
            continue
        if area not in found:
            found.append(area)
    return found


ROUTES = Routes(choices={ACTION: on_button}, texts=(on_text,))
