"""The community side of a person's journey: sharing a win, /hired, and exporting wins.

Nothing about a person goes anywhere public without their yes for that one post; setbacks,
moods and notes never do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot import brag_thread, checkin_messages, plan
from bot.events import Choice, Command, FormSubmission
from bot.forms import Checked, refusal, validate
from bot.model import Community, PlannedState, PostKind, Win
from bot.replies import Button, Field, FieldKind, Form, Reply
from bot.routes import Routes, Typed, admins_only
from bot.schedule import iso_week
from bot.text import clean, number
from bot.turn import Turn
from bot.writes import Share

SHARE_ACTION = "community.share"
KEEP_ACTION = "community.keep"
HIRED_SHARE_ACTION = "community.hired_share"
HIRED_KEEP_ACTION = "community.hired_keep"
HIRED_FORM = "hired_share"
# A settings form of the community, as it stands.
SettingsForm = Callable[[Turn, Community], Form]
ADVICE_LIMIT = 500


async def here(turn: Turn) -> Community:
    """The person's community, with its settings."""
    person = turn.person
    return await turn.store.community(person.platform, person.community, person.timezone, turn.now)


def settings_button(form: SettingsForm) -> Callable[[Turn, Choice], Awaitable[list[Reply]]]:
    """The button that opens the community's settings ``form``, for admins only."""

    @admins_only
    async def on_button(turn: Turn, choice: Choice) -> list[Reply]:
        return [Reply(form=form(turn, await here(turn)))]

    return on_button


async def settings_submitted(
    turn: Turn, submission: FormSubmission, form: SettingsForm
) -> tuple[Community, Checked]:
    """The community and ``submission`` checked against its settings ``form``."""
    community = await here(turn)
    blank = form(turn, community)
    return community, Checked.of(blank, submission.values, turn.content, turn.today)


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


async def share_win(turn: Turn, choice: Choice) -> list[Reply]:
    """Yes to sharing a win in this week's thread."""
    win_id = number(choice.value, maximum=2**62)
    win = next((w for w in await turn.store.wins(turn.person.id) if w.id == win_id), None)
    if win is None:
        return [Reply(text=turn.content.text("brag.not_found", number="?"))]
    return [await _share(turn, PostKind.SHARE_WIN, win_id=win.id, body="")]


async def _keep_win(turn: Turn, choice: Choice) -> list[Reply]:
    return [Reply(text=turn.content.text("community.kept_private"))]


async def _keep_hired(turn: Turn, choice: Choice) -> list[Reply]:
    return [Reply(text=turn.content.text("community.hired_kept_private"))]


async def _share_hired(turn: Turn, choice: Choice) -> list[Reply]:
    return [Reply(form=hired_form(turn))]


async def _share(turn: Turn, kind: PostKind, *, win_id: int | None, body: str) -> Reply:
    community = await here(turn)
    if not can_share(community):
        return Reply(text=turn.content.text("community.share_unavailable"))
    week = iso_week(turn.now, community.timezone)
    share = Share(kind, week, community.brag_channel, win_id=win_id, body=body)
    shared = await turn.store.share(turn.person, share, turn.now)
    if not shared:
        return Reply(text=turn.content.text("community.already_shared"))
    key = "community.hired_shared" if kind is PostKind.SHARE_HIRED else "community.shared"
    text = turn.content.text(key)
    opens = await _opening_awaited(turn, community)
    if opens is not None:
        text = turn.content.text("community.shared_waiting", shared=text, when=opens)
    return Reply(text=text)


async def _opening_awaited(turn: Turn, community: Community) -> str | None:
    """When the thread a share waits for opens, in words; None if this week's is open."""
    schedule = turn.brag_schedule
    if schedule is None:
        return None
    week = iso_week(turn.now, community.timezone)
    found = await schedule.brag_openings(community.platform, community.community, week, turn.now)
    if any(o.week == week and o.state in (PlannedState.SENT, PlannedState.CLAIMED) for o in found):
        return None
    following = next((o for o in found if o.state is PlannedState.PENDING), None)
    if following is None or following.due <= turn.now:
        return None
    return brag_thread.when(turn.content, following.due, community.timezone)


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
    label = content.text("community.hired_advice")
    advice = Field("advice", label, FieldKind.LONG_TEXT, max_length=ADVICE_LIMIT)
    return Form(
        form_id=HIRED_FORM,
        title=content.text("community.hired_form_title"),
        submit_label=content.text("community.hired_share_yes"),
        fields=(advice,),
    )


async def on_hired_form(turn: Turn, submission: FormSubmission) -> list[Reply]:
    """The person said yes to sharing their news, with or without advice."""
    form = hired_form(turn)
    cleaned, errors = validate(form, submission.values, turn.content, turn.today)
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


async def _hired_event(turn: Turn, _event: Command | Choice) -> list[Reply]:
    return await hired(turn)


async def _offer_words(turn: Turn, typed: Typed) -> list[Reply] | None:
    # "I got an offer!" typed, whatever the bot was waiting for: the same as /hired.
    if clean(typed.text).casefold().strip(" .!?") in turn.content.words("plan.words.offer"):
        return await hired(turn)
    return None


ROUTES = Routes(
    commands={"hired": _hired_event},
    choices={
        SHARE_ACTION: share_win,
        KEEP_ACTION: _keep_win,
        HIRED_SHARE_ACTION: _share_hired,
        HIRED_KEEP_ACTION: _keep_hired,
        checkin_messages.OFFER_ACTION: _hired_event,
    },
    forms={HIRED_FORM: on_hired_form},
    texts=(_offer_words,),
)
