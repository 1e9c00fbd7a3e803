"""Scheduled delivery (check-ins, nudges) to a person's Slack DM: the engine's ``Messenger``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.outbox import Outbox, api_error_code, log, log_api_error
from adapters.slack.render import render_reply
from adapters.slack.retry import retry_after
from adapters.slack.translate import PLATFORM
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.events import Sender
from bot.replies import Reply

# team id -> that workspace's bot token, or None when the app is not installed there.
TokenLookup = Callable[[str], Awaitable[str | None]]

# Slack errors that mean this person (or their whole workspace) cannot be messaged by the
# bot until something changes on their side; anything else is worth retrying later.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "invalid_auth",
        "is_archived",
        "messages_tab_disabled",
        "not_authed",
        "team_access_not_granted",
        "token_revoked",
        "user_disabled",
        "user_not_found",
        "user_not_visible",
    }
)


class SlackMessenger:
    """Implements :class:`bot.ports.Messenger` for Slack.

    Opens (or reuses) the person's DM with the bot and posts each reply there. Slack has no
    idempotency key for chat.postMessage, so ``key`` only names the delivery in logs.
    """

    platform = PLATFORM

    def __init__(
        self,
        *,
        tokens: TokenLookup,
        api_url: str,
        session: aiohttp.ClientSession | None,
        retry_handlers: list[AsyncRetryHandler],
        outbox: Outbox,
    ) -> None:
        self._tokens = tokens
        self._api_url = api_url
        self._session = session
        self._retry_handlers = retry_handlers
        self._outbox = outbox

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        """Post ``replies`` in the person's DM; returns the ``ts`` of the first message."""
        token = await self._tokens(recipient.community)
        if not token:
            raise PermanentDeliveryError("the app is not installed in this workspace")
        client = AsyncWebClient(
            token=token,
            base_url=self._api_url,
            session=self._session,
            retry_handlers=list(self._retry_handlers),
        )
        first = ""
        try:
            channel = await self._outbox.open_dm(client, recipient.community, recipient.user_id)
            for reply in replies:
                # No modal can open outside an interaction: a form becomes a button.
                for message in render_reply(reply, form_button=True):
                    ts = await self._outbox.post(client, channel, message)
                    first = first or ts
                if reply.attachment is not None:
                    await self._outbox.upload(client, channel, reply.attachment)
        except SlackApiError as error:
            log_api_error(f"delivery {key}", error)
            code = api_error_code(error)
            if code in PERMANENT_ERRORS:
                raise PermanentDeliveryError(code) from None
            status = getattr(error.response, "status_code", 0)
            wait = (
                retry_after(getattr(error.response, "headers", {}) or {}) if status == 429 else None
            )
            raise DeliveryError(code, retry_after=wait) from None
        except (TimeoutError, aiohttp.ClientError, SlackRequestError) as error:
            log.warning("slack delivery %s failed: %s", key, type(error).__name__)
            raise DeliveryError(type(error).__name__) from None
        return first
