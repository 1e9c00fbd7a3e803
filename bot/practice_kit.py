"""The words of practice partners: the introduction with each person's practice kit, and the
private messages around a round (told there is no partner, "Did you meet?").

A kit is built only from what a person chose to share: their display name, the kind of role
and their practice areas. Questions come from the content file: an area that is one of the
reflection questions' areas (or mentions one of its words) gets that area's questions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot.brag_thread import date
from bot.content import Content
from bot.model import Due
from bot.practice_model import PracticeSeat
from bot.replies import Button, Reply

MET_ACTION = "practice.met"
KEEP_ACTION = "practice.keep"
CHECK_KIND = "practice_check"  # "Did you meet?", a few days after the introduction
ALONE_KIND = "practice_alone"  # no partner could be found this round
KINDS = frozenset({CHECK_KIND, ALONE_KIND})
QUESTIONS_PER_AREA = 3
AREAS_PER_PERSON = 3


def _topics(content: Content) -> list[Mapping[str, Any]]:
    # Read raw: a topic's questions and words are lists (``Content.records`` makes strings).
    topics = content.get("practice.topics")
    if not isinstance(topics, list):
        raise TypeError("content 'practice.topics' is not a list")
    return [t for t in topics if isinstance(t, dict)]


def topic_for(content: Content, area: str) -> Mapping[str, Any]:
    """The question topic an area belongs to: its reflection question's, or the first whose
    words it mentions, or the general one."""
    words = area.casefold()
    areas = {q["area"]: q["id"] for q in content.records("reflection.questions")}
    topics = _topics(content)
    wanted = areas.get(area)
    for topic in topics:
        if topic["id"] == wanted or any(word in words for word in topic.get("words", ())):
            return topic
    return next(t for t in topics if t["id"] == "general")


def kit(content: Content, seat: PracticeSeat) -> str:
    """One person's practice kit: who they are, what they practise, questions for each."""
    member, person = seat.member, seat.person
    areas = list(member.areas[:AREAS_PER_PERSON]) if member is not None else []
    role = member.role_kind if member is not None and member.role_kind else ""
    name = person.display_name or content.text("practice.someone")
    lines = [content.text("practice.kit_heading", name=name, role=role or "?")]
    if not areas:
        areas = [content.text("practice.any_area")]
    seen: set[str] = set()
    for area in areas:
        topic = topic_for(content, area)
        lines.append(content.text("practice.kit_area", area=area))
        for question in topic["questions"][:QUESTIONS_PER_AREA]:
            lines.append(content.text("practice.kit_question", question=question))
        tip = topic.get("tip", "")
        if tip and topic["id"] not in seen:
            lines.append(content.text("practice.kit_tip", tip=tip))
        seen.add(topic["id"])
    return "\n".join(lines)


def introduction(content: Content, seats: Sequence[PracticeSeat], week: dt.date) -> list[Reply]:
    """What the group sees where it meets: hello, the running order, the kits, the reminder."""
    names = [s.person.display_name or content.text("practice.someone") for s in seats]
    heading = content.text("practice.intro_heading", date=date(content, week))
    hello = content.text("practice.intro", names=", ".join(names))
    order = content.text("practice.running_order")
    first = Reply(heading=heading, text=f"{hello}\n\n{order}", private=False)
    kits = [Reply(text=kit(content, seat), private=False) for seat in seats]
    reminder = Reply(text=content.text("practice.reminder"), private=False)
    return [first, *kits, reminder]


def follow_up(content: Content, due: Due) -> tuple[list[Reply], tuple[str, str] | None]:
    """A planned practice message: "Did you meet?" with its buttons, or the word that no
    partner could be found this round."""
    if due.message.kind == ALONE_KIND:
        return [Reply(text=content.text("practice.alone"))], None
    buttons = tuple(
        Button(content.text(f"practice.met_{answer}"), MET_ACTION, answer)
        for answer in ("yes", "not_yet", "skip")
    )
    return [Reply(text=content.text("practice.did_you_meet"), buttons=buttons)], None
