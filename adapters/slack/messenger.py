"""Scheduled delivery to a person's Slack DM (the engine's ``Messenger``) and posts in a
workspace's brag channel (its ``Publisher``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import KW_ONLY, dataclass

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.outbox import Outbox, api_error_code, log, log_api_error
from adapters.slack.render import SlackMessage, render_reply
from adapters.slack.retry import retry_after
from adapters.slack.translate import PLATFORM
from bot.errors import DeliveryError, PermanentDeliveryError
from bot.events import Sender
from bot.practice_ports import Introduction, Meeting
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
# In a channel, also: the bot was removed from a private channel, posting there is limited to
# admins, the app lacks a scope added since it was installed, or the message is one it may not
# delete. None of these clears by retrying; an admin has to act.
CHANNEL_PERMANENT_ERRORS = PERMANENT_ERRORS | {
    "cant_delete_message",
    "missing_scope",
    "not_in_channel",
    "restricted_action",
}
# Answers that mean the wanted state already holds.
ALREADY_DONE = frozenset({"already_reacted", "message_not_found"})


@dataclass(eq=False, slots=True)
class SlackMessenger:
    """Implements :class:`bot.delivery_ports.Messenger` and
    :class:`bot.delivery_ports.Publisher` for Slack.

    Check-ins go to the person's DM with the bot (opened or reused). Brag-thread posts go to
    the channel an admin chose, with the token of that workspace. Slack has no idempotency key
    for chat.postMessage: a check-in carries its ``key`` as message metadata, which
    :meth:`delivered` looks for before a message that may already have gone is sent again.
    """

    platform = PLATFORM
    # Practice partners meet in a group DM, which needs no channel.
    needs_channel = False

    _: KW_ONLY
    tokens: TokenLookup
    api_url: str
    session: aiohttp.ClientSession | None
    retry_handlers: list[AsyncRetryHandler]
    outbox: Outbox
    # Hears of each check-in delivered (the member's Home tab then shows the next one).
    on_delivered: Callable[[Sender], object] | None = None

    async def _client(self, team_id: str) -> AsyncWebClient:
        token = await self.tokens(team_id)
        if not token:
            raise PermanentDeliveryError("not_installed (the app is not in this workspace)")
        return AsyncWebClient(
            token=token,
            base_url=self.api_url,
            session=self.session,
            retry_handlers=list(self.retry_handlers),
        )

    async def deliver(self, recipient: Sender, replies: Sequence[Reply], key: str) -> str:
        """Post ``replies`` in the person's DM; returns the ``ts`` of the first message."""
        client = await self._client(recipient.community)
        first = ""
        async with _mapped(f"delivery {key}", PERMANENT_ERRORS):
            channel = await self.outbox.open_dm(client, recipient.community, recipient.user_id)
            for reply in replies:
                # No modal can open outside an interaction: a form becomes a button.
                for message in render_reply(reply, form_button=True):
                    ts = await self.outbox.post(client, channel, message, key=key)
                    first = first or ts
                if reply.attachment is not None:
                    await self.outbox.upload(client, channel, reply.attachment)
        if self.on_delivered is not None:
            self.on_delivered(recipient)
        return first

    async def delivered(self, recipient: Sender, key: str) -> str | None:
        """The ts of a check-in already posted under ``key`` in the person's DM, if any.

        chat.postMessage has no idempotency key; each delivery carries its key as message
        metadata instead, and a delivery that an earlier claim may have made is looked up in
        the DM's history (``im:history``) before it is sent again.
        """
        client = await self._client(recipient.community)
        async with _mapped(f"delivery look-up {key}", PERMANENT_ERRORS):
            channel = await self.outbox.open_dm(client, recipient.community, recipient.user_id)
            return await self.outbox.find_keyed(client, channel, key)

    async def open_thread(
        self, community: str, channel: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Post the week's opening message in ``channel``; its ``ts`` is the thread.

        Anything that does not fit in that one message continues inside the thread.
        """
        client = await self._client(community)
        async with _mapped(f"brag thread {key}", CHANNEL_PERMANENT_ERRORS):
            messages = list(_public(replies))
            if not messages:
                raise PermanentDeliveryError("no_text (nothing to post)")
            parent = await self.outbox.post(client, channel, messages[0])
            for message in messages[1:]:
                await self.outbox.post(client, channel, message, thread_ts=parent)
        return parent

    async def post(
        self, community: str, channel: str, thread: str, replies: Sequence[Reply], key: str
    ) -> str:
        """Post ``replies`` in the thread whose parent is ``thread``; returns the first ts."""
        client = await self._client(community)
        first = ""
        async with _mapped(f"brag post {key}", CHANNEL_PERMANENT_ERRORS):
            for message in _public(replies):
                ts = await self.outbox.post(client, channel, message, thread_ts=thread)
                first = first or ts
        if not first:
            raise PermanentDeliveryError("no_text (nothing to post)")
        return first

    async def react(
        self, community: str, channel: str, thread: str, message_id: str, emoji: str
    ) -> None:
        """Add the ``emoji`` reaction (a name such as "tada") to a message the bot posted."""
        client = await self._client(community)
        async with _mapped("brag reaction", CHANNEL_PERMANENT_ERRORS, ALREADY_DONE):
            await client.reactions_add(channel=channel, timestamp=message_id, name=emoji)

    async def delete(self, community: str, channel: str, thread: str, message_id: str) -> None:
        """Delete a message the bot posted; one already gone is fine."""
        client = await self._client(community)
        async with _mapped("brag removal", CHANNEL_PERMANENT_ERRORS, ALREADY_DONE):
            await client.chat_delete(channel=channel, ts=message_id)

    async def introduce(self, meeting: Meeting) -> Introduction:
        """Open a group DM of the meeting's people and the bot (``conversations.open`` with
        several users, scope ``mpim:write``) and post the introduction there, where only they
        see it.

        If Slack refuses the group because of one person (deactivated, gone, not visible),
        each is tried alone to find who, and the group opens without them. Slack has no
        idempotency key here either: the first message carries the key as metadata.
        """
        people, key = meeting.people, meeting.key
        client = await self._client(meeting.community)
        gone: list[str] = []
        async with _mapped(f"practice introduction {key}", CHANNEL_PERMANENT_ERRORS):
            try:
                group = await self.outbox.open_group(client, people)
            except SlackApiError as error:
                if api_error_code(error) not in PERMANENT_ERRORS:
                    raise
                gone = [user for user in people if not await self._reachable(client, user)]
                if not gone:
                    raise
                if len(people) - len(gone) < 2:
                    return Introduction("", tuple(gone))
                group = await self.outbox.open_group(client, [p for p in people if p not in gone])
            for index, message in enumerate(_public(meeting.replies)):
                await self.outbox.post(client, group, message, key=key if index == 0 else "")
        return Introduction(group, tuple(gone))

    async def _reachable(self, client: AsyncWebClient, user: str) -> bool:
        """Whether Slack lets the bot open a conversation with ``user`` alone."""
        try:
            await client.conversations_open(users=user)
        except SlackApiError as error:
            if api_error_code(error) in PERMANENT_ERRORS:
                return False
            raise
        return True


def _public(replies: Sequence[Reply]) -> Iterator[SlackMessage]:
    """Channel messages for replies, rendered (and so escaped) like every other reply: what
    a person shared cannot ping anyone or hide a link. No buttons or forms belong there."""
    for reply in replies:
        yield from render_reply(reply)


@contextlib.asynccontextmanager
async def _mapped(
    what: str, permanent: frozenset[str], fine: frozenset[str] = frozenset()
) -> AsyncIterator[None]:
    """Turn a failed Slack call into the engine's delivery errors (``fine`` codes pass)."""
    try:
        yield
    except SlackApiError as error:
        code = api_error_code(error)
        if code in fine:
            return
        log_api_error(what, error)
        if code in permanent:
            raise PermanentDeliveryError(code) from None
        status = getattr(error.response, "status_code", 0)
        wait = retry_after(getattr(error.response, "headers", {}) or {}) if status == 429 else None
        raise DeliveryError(code, retry_after=wait) from None
    except (TimeoutError, aiohttp.ClientError, SlackRequestError) as error:
        log.warning("slack %s failed: %s", what, type(error).__name__)
        raise DeliveryError(type(error).__name__) from None
