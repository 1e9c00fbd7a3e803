"""Sending rendered messages to Slack: DMs, channel posts, response_url answers, modals.

Shared by the request handlers and the scheduled-check-in messenger. Errors are logged by
method and Slack error code only: never a token, never a message's words.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.render import Block, SlackMessage
from bot.replies import Attachment

log = logging.getLogger("bounceback.slack")

# DM channel ids never change for a (workspace, person) pair, so remembering them saves a
# conversations.open per message; the bound keeps memory flat in a big workspace.
DM_CACHE_SIZE = 10_000


def api_error_code(error: SlackApiError) -> str:
    """Slack's short error code (``channel_not_found``, ``ratelimited``...) of a failed call."""
    data = getattr(error.response, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    return code if isinstance(code, str) else f"http_{getattr(error.response, 'status_code', '?')}"


def api_method(error: SlackApiError) -> str:
    """The Web API method a failed call went to, for logs."""
    url = getattr(error.response, "api_url", "") or ""
    return str(url).rstrip("/").rsplit("/", 1)[-1] or "?"


def log_api_error(what: str, error: SlackApiError) -> None:
    """Log a failed Slack call without anything from the request."""
    log.warning("slack %s failed: %s returned %s", what, api_method(error), api_error_code(error))


class ResponseUrlError(Exception):
    """Slack refused a response_url answer (expired, used five times, or invalid)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"response_url answered HTTP {status}")
        self.status = status


# The metadata event type tagging each scheduled delivery with its outbox key.
DELIVERY_EVENT = "bounceback_delivery"
HISTORY_PAGE = 100


class Outbox:
    """Sends Block Kit messages through a given Web API client or a response_url."""

    def __init__(
        self, *, session: aiohttp.ClientSession | None, retry_handlers: list[AsyncRetryHandler]
    ) -> None:
        self._session = session
        self._retry_handlers = retry_handlers
        self._dm_channels: OrderedDict[tuple[str, str], str] = OrderedDict()

    async def open_dm(self, client: AsyncWebClient, team_id: str, user_id: str) -> str:
        """The id of the person's DM with the bot, opened if need be."""
        key = (team_id, user_id)
        channel = self._dm_channels.get(key)
        if channel is None:
            channel = await self.open_group(client, [user_id])
            self._dm_channels[key] = channel
            if len(self._dm_channels) > DM_CACHE_SIZE:
                self._dm_channels.popitem(last=False)
        else:
            self._dm_channels.move_to_end(key)
        return channel

    async def open_group(self, client: AsyncWebClient, users: Sequence[str]) -> str:
        """The id of the conversation of ``users`` and the bot: their DM for one person, a
        group DM for several (the same one again for the same people)."""
        response = await client.conversations_open(users=",".join(users))
        found = response.get("channel")
        channel = str(found.get("id", "")) if isinstance(found, dict) else ""
        if not channel:
            raise SlackApiError("conversations.open returned no channel", response)  # type: ignore[no-untyped-call]
        return channel

    def forget_team(self, team_id: str) -> None:
        """Drop what is remembered about a workspace that removed the app."""
        for key in [key for key in self._dm_channels if key[0] == team_id]:
            del self._dm_channels[key]

    async def post(
        self,
        client: AsyncWebClient,
        channel: str,
        message: SlackMessage,
        *,
        thread_ts: str | None = None,
        key: str = "",
    ) -> str:
        """Post one message in a conversation (in a thread when ``thread_ts`` is given);
        returns its ``ts``. A ``key`` travels as the message's metadata, so a delivery can
        later be found in the conversation's history (:meth:`find_keyed`)."""
        response = await client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": DELIVERY_EVENT, "event_payload": {"key": key}} if key else None,
        )
        return str(response.get("ts", ""))

    async def find_keyed(self, client: AsyncWebClient, channel: str, key: str) -> str | None:
        """The ts of the bot's message carrying ``key`` among the conversation's latest
        messages (a delivery is looked for within its lease, so the latest page is enough)."""
        response = await client.conversations_history(
            channel=channel, include_all_metadata=True, limit=HISTORY_PAGE
        )
        messages = response.get("messages")
        for found in messages if isinstance(messages, list) else []:
            metadata = found.get("metadata") if isinstance(found, dict) else None
            if not isinstance(metadata, dict) or metadata.get("event_type") != DELIVERY_EVENT:
                continue
            payload = metadata.get("event_payload")
            if isinstance(payload, dict) and payload.get("key") == key:
                return str(found.get("ts", ""))
        return None

    async def respond(self, response_url: str, message: SlackMessage, *, ephemeral: bool) -> None:
        """Answer through a slash command's or button's response_url."""
        webhook = AsyncWebhookClient(
            response_url, session=self._session, retry_handlers=self._retry_handlers
        )
        body: dict[str, Any] = {
            "response_type": "ephemeral" if ephemeral else "in_channel",
            "replace_original": False,
            "text": message.text,
            "blocks": message.blocks,
        }
        answer = await webhook.send_dict(body)
        if answer.status_code != 200:
            raise ResponseUrlError(answer.status_code)

    async def upload(self, client: AsyncWebClient, channel: str, attachment: Attachment) -> None:
        """Share a file in a conversation (the person's DM): files.uploadV2's three steps."""
        await client.files_upload_v2(
            channel=channel,
            filename=attachment.filename,
            title=attachment.filename,
            content=attachment.content,
        )

    async def open_view(self, client: AsyncWebClient, trigger_id: str, view: Block) -> None:
        """Open a modal; raises SlackApiError (e.g. ``expired_trigger_id``) when Slack refuses."""
        await client.views_open(trigger_id=trigger_id, view=view)
