"""``/mydata``: a person's data is theirs, to take away or to erase."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.events import Choice, Command
from bot.replies import Attachment, Button, Reply
from bot.routes import Routes
from bot.turn import Turn

DELETE_ACTION = "mydata.delete"


async def command(turn: Turn, command: Command) -> list[Reply]:
    """``/mydata export`` or ``/mydata delete`` (which asks first)."""
    verb = command.text.strip().casefold()
    content = turn.content
    if verb == "export":
        data = await turn.store.export(turn.person.id)
        document = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode("utf-8")
        name = content.text("mydata.filename", date=turn.today.isoformat())
        return [Reply(text=content.text("mydata.export"), attachment=Attachment(name, document))]
    if verb == "delete":
        return [
            Reply(
                text=content.text("mydata.confirm"),
                buttons=(
                    Button(content.text("mydata.confirm_button"), DELETE_ACTION, "confirm"),
                    Button(content.text("mydata.cancel_button"), DELETE_ACTION, "cancel"),
                ),
            )
        ]
    return [Reply(text=content.text("mydata.usage"))]


async def on_button(turn: Turn, value: str) -> list[Reply]:
    """The answer to "are you sure?"."""
    if value != "confirm":
        return [Reply(text=turn.content.text("mydata.kept"))]
    # Posts they shared come down first: the removals outlive the person's own rows.
    await turn.store.unshare_all(turn.person.id, turn.now)
    await turn.store.delete_person(turn.person.id)
    return [Reply(text=turn.content.text("mydata.deleted"))]


def routes(forget: Callable[[int], None]) -> Routes:
    """``/mydata`` and its "are you sure?" buttons. ``forget(person_id)`` drops what the
    process holds in memory for a person (see :class:`bot.care.HeldWords`) as they erase."""

    async def on_delete(turn: Turn, choice: Choice) -> list[Reply]:
        if choice.value == "confirm":
            forget(turn.person.id)
        return await on_button(turn, choice.value)

    return Routes(commands={"mydata": command}, choices={DELETE_ACTION: on_delete})
