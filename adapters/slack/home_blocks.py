"""A member's home as a Slack Home tab view (Block Kit), reusing the message renderer so the
escaping and Block Kit's limits are the same everywhere. Pure."""

from __future__ import annotations

from typing import Any

from adapters.slack.render import Block, clip, escape_mrkdwn, render_reply
from bot.home_view import HomeSection, HomeView
from bot.replies import Reply

HOME_BLOCKS_LIMIT = 100  # a Home tab holds at most 100 blocks
ALT_TEXT_LIMIT = 2000
IMAGE_TITLE_LIMIT = 2000
CONTEXT_TEXT_LIMIT = 3000
CALLBACK_ID = "bounceback_home"


def home_view(home: HomeView, *, chart_file: str = "") -> dict[str, Any]:
    """The ``views.publish`` view. ``chart_file`` is the id of the uploaded chart (shown as an
    image block); without one the chart's words stand in for it."""
    blocks: list[Block] = []
    blocks.extend(_blocks(Reply(heading=home.heading, text=home.intro)))
    if home.chart is not None and chart_file:
        blocks.append(
            {
                "type": "image",
                "slack_file": {"id": chart_file},
                "alt_text": clip(home.chart.alt, ALT_TEXT_LIMIT),
                "title": {"type": "plain_text", "text": clip(home.chart.mood_title, 2000)},
            }
        )
    elif home.chart is not None:
        blocks.append(_context(home.chart.alt))
    for section in home.parts():
        blocks.append({"type": "divider"})
        blocks.extend(_section(section))
    return {"type": "home", "callback_id": CALLBACK_ID, "blocks": blocks[:HOME_BLOCKS_LIMIT]}


def without_image(view: dict[str, Any], words: str) -> dict[str, Any]:
    """``view`` with its chart image replaced by the chart's words (Slack not yet showing an
    upload it has only just received)."""
    blocks = [_context(words) if b.get("type") == "image" else b for b in view["blocks"]]
    return {**view, "blocks": blocks}


def _section(section: HomeSection) -> list[Block]:
    reply = Reply(
        heading=section.title,
        text="\n".join(section.lines),
        buttons=section.buttons,
        channel=section.channel,
    )
    return _blocks(reply)


def _blocks(reply: Reply) -> list[Block]:
    return [block for message in render_reply(reply) for block in message.blocks]


def _context(words: str) -> Block:
    text = {"type": "mrkdwn", "text": escape_mrkdwn(clip(words, CONTEXT_TEXT_LIMIT)),
            "verbatim": True}  # fmt: skip
    return {"type": "context", "elements": [text]}
