"""The community side of a person's journey: sharing a win, /hired, and exporting wins.

Nothing about a person goes anywhere public without their yes for that one post; setbacks,
moods and notes never do.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot import plan
from bot.forms import refusal, validate
from bot.model import Community, PostKind, Win
from bot.replies import Button, Field, FieldKind, Form, Reply
from bot.schedule import iso_week
from bot.text import number
from bot.turn import Turn

SHARE_ACTION = "community.share"
KEEP_ACTION = "community.keep"
HIRED_SHARE_ACTION = "community.hired_share"
HIRED_KEEP_ACTION = "community.hired_keep"
HIRED_FORM = "hired_share"
ADVICE_LIMIT = 500


async def here(turn: Turn) -> Community:
    """The person's community, with its settings."""
    person = turn.person
    return await turn.store.community(person.platform, person.community, person.timezone, turn.now)


def can_share(community: Community) -> bool:
    """Whether this community has a brag thread to share into."""
    return community.brag_thread and bool(community.brag_channel)


async def offer_to_share(turn: Turn, win: Win) -> Reply | None:
    """Ask, each time, whether a new win goes to this week's thread."""
    if not can_share(await here(turn)):
        return None
    content = turn.content
    return Reply(
        text=content.text("community.share_prompt"),
        buttons=(
            Button(content.text("community.share_yes"), SHARE_ACTION, str(win.id)),
            Button(content.text("community.share_no"), KEEP_ACTION, str(win.id)),
        ),
    )


async def on_button(turn: Turn, action: str, value: str) -> list[Reply]:
    """Yes or no to sharing a win or the news of an offer."""
    content = turn.content
    if action == KEEP_ACTION:
        return [Reply(text=content.text("community.kept_private"))]
    if action == HIRED_KEEP_ACTION:
        return [Reply(text=content.text("community.hired_kept_private"))]
    if action == HIRED_SHARE_ACTION:
        return [Reply(form=hired_form(turn))]
    win_id = number(value, maximum=2**62)
    win = next((w for w in await turn.store.wins(turn.person.id) if w.id == win_id), None)
    if win is None:
        return [Reply(text=content.text("brag.not_found", number="?"))]
    return [await _share(turn, PostKind.SHARE_WIN, win_id=win.id, body="")]


async def _share(turn: Turn, kind: PostKind, *, win_id: int | None, body: str) -> Reply:
    community = await here(turn)
    if not can_share(community):
        return Reply(text=turn.content.text("community.share_unavailable"))
    shared = await turn.store.share(
        turn.person,
        kind,
        week=iso_week(turn.now, community.timezone),
        channel=community.brag_channel,
        win_id=win_id,
        body=body,
        now=turn.now,
    )
    if not shared:
        return Reply(text=turn.content.text("community.already_shared"))
    key = "community.hired_shared" if kind is PostKind.SHARE_HIRED else "community.shared"
    return Reply(text=turn.content.text(key))


async def hired(turn: Turn) -> list[Reply]:
    """``/hired``: celebrate, end the plan, and offer (not push) to share the news."""
    replies = [await plan.offer(turn)]
    if can_share(await here(turn)):
        content = turn.content
        replies.append(
            Reply(
                text=content.text("community.hired_share_prompt"),
                buttons=(
                    Button(content.text("community.hired_share_yes"), HIRED_SHARE_ACTION),
                    Button(content.text("community.hired_share_no"), HIRED_KEEP_ACTION),
                ),
            )
        )
    return replies


def hired_form(turn: Turn) -> Form:
    """One optional piece of advice to go with the news."""
    content = turn.content
    return Form(
        form_id=HIRED_FORM,
        title=content.text("community.hired_form_title"),
        submit_label=content.text("community.hired_share_yes"),
        fields=(
            Field(
                "advice",
                content.text("community.hired_advice"),
                FieldKind.LONG_TEXT,
                max_length=ADVICE_LIMIT,
            ),
        ),
    )


async def on_hired_form(turn: Turn, values: Mapping[str, str]) -> list[Reply]:
    """The person said yes to sharing their news, with or without advice."""
    form = hired_form(turn)
    cleaned, errors = validate(form, values, turn.content, turn.today)
    if errors:
        return [refusal(form, cleaned, errors)]
    return [await _share(turn, PostKind.SHARE_HIRED, win_id=None, body=cleaned["advice"])]


async def export(turn: Turn) -> list[Reply]:
    """``/brag export``: the bragging list as résumé bullets and STAR stories to fill in."""
    content = turn.content
    wins = await turn.store.wins(turn.person.id)
    if not wins:
        return [Reply(text=content.text("brag.export.empty"))]
    bullets = "\n".join(content.text("brag.export.bullet", text=w.text) for w in wins)
    stories = "\n\n".join(
        content.text("brag.export.star", number=n, text=w.text) for n, w in enumerate(wins, start=1)
    )
    return [
        Reply(heading=content.text("brag.export.heading"), text=""),
        Reply(heading=content.text("brag.export.bullets_heading"), quote=bullets),
        Reply(heading=content.text("brag.export.star_heading"), quote=stories),
    ]
