"""``/brag``: the personal bragging list."""

from __future__ import annotations

from bot import community
from bot.events import Choice, Command
from bot.model import Win, WinKind
from bot.replies import Button, Reply
from bot.routes import Routes
from bot.text import clean, number
from bot.turn import Turn

KIND_ACTION = "brag.kind"
WIN_LIMIT = 500


async def command(turn: Turn, command: Command) -> list[Reply]:
    """``/brag TEXT``, ``/brag list``, ``/brag remove N``."""
    words = clean(command.text)
    verb, _, rest = words.partition(" ")
    if words.casefold() == "list":
        return [await listing(turn)]
    if words.casefold() == "export":
        return await community.export(turn)
    if verb.casefold() == "remove" and len(rest.split()) <= 1:
        # "/brag remove 2", and also "/brag remove -1" or "/brag remove x": never a win.
        return [await _remove(turn, rest)]
    return await _add(turn, words)


async def on_button(turn: Turn, choice: Choice) -> list[Reply]:
    """File a just-added win under another kind."""
    win_id, _, kind = choice.value.partition(":")
    try:
        chosen = WinKind(kind)
    except ValueError:
        chosen = None
    win_number = number(win_id, maximum=2**62)
    win = (
        await turn.store.set_win_kind(turn.person.id, win_number, chosen)
        if chosen is not None and win_number is not None
        else None
    )
    if win is None:
        return [Reply(text=turn.content.text("brag.not_found", number="?"))]
    label = turn.content.table("brag.kinds")[win.kind.value]
    return [Reply(text=turn.content.text("brag.kind_changed", kind=label))]


async def listing(turn: Turn) -> Reply:
    """The bragging list in the order it was written, each win with its own number (kept for
    good: removing one never renumbers the others) and its kind."""
    content = turn.content
    wins = await turn.store.wins(turn.person.id)
    if not wins:
        return Reply(text=content.text("brag.list_empty"))
    labels = content.table("brag.kinds")
    lines = [
        content.text("brag.list_item", number=win.number, text=win.text, kind=labels[win.kind])
        for win in sorted(wins, key=lambda win: win.number)
    ]
    body = "\n".join(lines)
    return Reply(
        heading=content.text("brag.list_heading"),
        text=f"{body}\n\n{content.text('brag.list_footer')}",
    )


async def _add(turn: Turn, words: str) -> list[Reply]:
    content = turn.content
    kind, text = _kind_prefix(turn, words)
    if not text:
        return [Reply(text=content.text("brag.empty"))]
    if len(text) > WIN_LIMIT:
        return [
            Reply(
                text=content.text(
                    "limits.too_long", label="A win", limit=WIN_LIMIT, length=len(text)
                )
            )
        ]
    win = await turn.store.add_win(turn.person.id, text, kind, turn.now)
    labels = content.table("brag.kinds")
    replies = [
        Reply(
            text=f"{content.text('brag.added', kind=labels[kind.value])}\n"
            f"{content.text('brag.kind_prompt')}",
            buttons=_kind_buttons(turn, win),
        )
    ]
    share = await community.offer_to_share(turn, win)
    if share is not None:
        replies.append(share)
    return replies


def _kind_buttons(turn: Turn, win: Win) -> tuple[Button, ...]:
    labels = turn.content.table("brag.kinds")
    return tuple(
        Button(labels[kind.value], KIND_ACTION, f"{win.id}:{kind.value}")
        for kind in WinKind
        if kind is not win.kind
    )


def _kind_prefix(turn: Turn, words: str) -> tuple[WinKind, str]:
    """``"skill: SQL"`` -> ``(TECHNICAL_SKILL, "SQL")``; no known prefix -> accomplishment."""
    head, colon, rest = words.partition(":")
    if colon:
        prefixes = turn.content.table("brag.prefixes")
        kind = prefixes.get(head.strip().casefold())
        if kind is not None:
            return WinKind(kind), rest.strip()
    return WinKind.ACCOMPLISHMENT, words


async def _remove(turn: Turn, number_text: str) -> Reply:
    content = turn.content
    position = number(number_text)
    if position is None:
        return Reply(text=content.text("brag.remove_usage"))
    win = next((w for w in await turn.store.wins(turn.person.id) if w.number == position), None)
    if win is None:
        return Reply(text=content.text("brag.not_found", number=position))
    unshared = await turn.store.unshare_win(turn.person.id, win.id, turn.now)
    await turn.store.remove_win(turn.person.id, win.id)
    text = content.text("brag.removed", number=position)
    if unshared:
        text = f"{text} {content.text('community.unshared')}"
    return Reply(text=text)


ROUTES = Routes(commands={"brag": command}, choices={KIND_ACTION: on_button})
