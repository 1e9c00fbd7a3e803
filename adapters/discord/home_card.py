"""The home on Discord: ``/home``'s reply as one message carrying an embed (the journey, the
areas, the next check-in, the admin section), the chart inside it and the home's buttons
under it. Pure; within Discord's embed limits."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.discord.render import (
    BUTTONS_PER_MESSAGE,
    Card,
    Outgoing,
    escape,
    trim,
    unique_buttons,
    with_channel,
)
from bot.replies import Reply

# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL = 6000
BLANK = "\u200b"  # a field needs a name and a value; this one shows as nothing
PICTURE = "image/png"


def home_messages(replies: Sequence[Reply]) -> list[Outgoing]:
    """The replies as the home's one message if one of them carries a home, else []."""
    reply = next((reply for reply in replies if reply.home is not None), None)
    if reply is None or reply.home is None:
        return []
    home = reply.home
    title = trim(home.heading, TITLE_LIMIT) or BLANK
    picture = (
        reply.attachment if reply.attachment and reply.attachment.mime_type == PICTURE else None
    )
    footer = trim(home.chart.alt, FOOTER_LIMIT) if home.chart is not None and picture else ""
    description = trim(escape(home.intro), DESCRIPTION_LIMIT)
    room = EMBED_TOTAL - len(title) - len(description) - len(footer)
    fields: list[tuple[str, str]] = []
    for section in home.parts()[:FIELDS_LIMIT]:
        if not section.lines:
            continue  # the actions: their buttons are under the card
        name = trim(section.title, FIELD_NAME_LIMIT) or BLANK
        limit = min(FIELD_VALUE_LIMIT, room - len(name))
        if limit < len(name) + 16:
            break  # the card is full
        value = trim(with_channel(escape("\n".join(section.lines)), section.channel), limit)
        fields.append((name, value))
        room -= len(name) + len(value)
    card = Card(
        title=title,
        description=description,
        fields=tuple(fields),
        image=picture.filename if picture else "",
        footer=footer,
    )
    buttons = unique_buttons(home.buttons())[:BUTTONS_PER_MESSAGE]
    return [Outgoing("", buttons, files=(picture,) if picture else (), card=card)]
