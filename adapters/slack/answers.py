"""Carrying the engine's replies out on Slack, where :mod:`adapters.placement` puts them.

A form opens as a modal while the trigger is fresh (else, or if Slack will not open it, it
becomes a button); words go to the DM, or answer where the person spoke through the
response_url; a file always goes to the DM.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.placement import SLACK, FormAs, Place, Spoken, is_private, place
from adapters.slack.outbox import Outbox, ResponseUrlError, log, log_api_error
from adapters.slack.render import (
    RenderError,
    SlackMessage,
    decode_form,
    render_form,
    render_reply,
    text_message,
)
from adapters.slack.texts import texts
from adapters.slack.translate import Origin
from bot.replies import Attachment, Form, Reply


def spoken(origin: Origin) -> Spoken:
    """Where a Slack request came from, as placement sees it."""
    return Spoken(
        in_dm=bool(origin.dm_channel),
        in_place=bool(origin.response_url),
        modal_ready=bool(origin.trigger_id),
    )


def renders(form: Form) -> bool:
    """Whether Slack can show ``form`` as a modal (logged when not)."""
    try:
        render_form(form)
    except RenderError as error:
        log.error("slack form cannot be rendered: %s", error)
        return False
    return True


def errors_as_words(replies: Sequence[Reply]) -> list[Reply]:
    """Replies that came after the modal had to close: a refused form's errors become words."""
    words = []
    for reply in replies:
        if reply.form is not None and reply.form.errors:
            missing = [error for error in reply.form.errors.values() if error not in reply.text]
            text = "\n".join([reply.text, *missing]).strip()
            reply = dataclasses.replace(
                reply, text=text, form=dataclasses.replace(reply.form, errors={})
            )
        words.append(reply)
    return words


class Answers:
    """Sends replies to one request's person through ``outbox``."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    async def deliver(
        self, replies: Sequence[Reply], origin: Origin, client: AsyncWebClient
    ) -> None:
        """Send ``replies`` where placement puts them."""
        for placed in place(replies, spoken(origin), SLACK):
            reply = placed.reply
            form_button = placed.form is FormAs.BUTTON
            if placed.form is FormAs.MODAL and reply.form is not None:
                form_button = not await self.open_form(client, origin.trigger_id, reply.form)
            if form_button and not (reply.text.strip() or reply.heading.strip()):
                reply = dataclasses.replace(reply, text=texts().form_later)
            try:
                messages = render_reply(reply, form_button=form_button)
            except RenderError as error:
                log.error("slack reply cannot be rendered: %s", error)
                messages = [text_message(texts().generic_error)]
            await self._send(messages, placed.words, is_private(reply), origin, client)
            if reply.attachment is not None:
                await self._hand_over(reply.attachment, origin, client)

    async def open_form(self, client: AsyncWebClient, trigger_id: str, form: Form) -> bool:
        """Open ``form`` as a modal; False if Slack would not."""
        try:
            await self._outbox.open_view(client, trigger_id, render_form(form))
        except SlackApiError as error:
            log_api_error("opening a form", error)
            return False
        except RenderError as error:
            log.error("slack form cannot be rendered: %s", error)
            return False
        return True

    async def open_later_form(self, blob: str, origin: Origin, client: AsyncWebClient) -> None:
        """A form button was pressed: open the form it carries."""
        form = decode_form(blob)
        if form is not None and origin.trigger_id:
            await self.open_form(client, origin.trigger_id, form)

    async def _hand_over(
        self, attachment: Attachment, origin: Origin, client: AsyncWebClient
    ) -> None:
        """A file goes to the person's DM; if it cannot, they are told privately rather than
        left waiting for it."""
        try:
            channel = origin.dm_channel or await self._outbox.open_dm(
                client, origin.team_id, origin.user_id
            )
            await self._outbox.upload(client, channel, attachment)
            return
        except SlackApiError as error:
            log_api_error("sharing a file", error)
        except (SlackRequestError, aiohttp.ClientError, TimeoutError) as error:
            # SlackRequestError's message quotes the upload's response: log the type only.
            log.warning("slack file not shared: %s", type(error).__name__)
        notice = Reply(text=texts().file_failed)  # private, as the file would have been
        [placed] = place([notice], spoken(origin), SLACK)
        await self._send([text_message(notice.text)], placed.words, True, origin, client)

    async def _send(
        self,
        messages: Sequence[SlackMessage],
        where: Place,
        private: bool,
        origin: Origin,
        client: AsyncWebClient,
    ) -> None:
        for message in messages:
            try:
                if where is Place.DM and origin.dm_channel:
                    await self._outbox.post(client, origin.dm_channel, message)
                elif where is Place.DM:
                    channel = await self._outbox.open_dm(client, origin.team_id, origin.user_id)
                    await self._outbox.post(client, channel, message)
                else:
                    ephemeral = where is Place.EPHEMERAL
                    await self._outbox.respond(origin.response_url, message, ephemeral=ephemeral)
            except SlackApiError as error:
                log_api_error("sending a reply", error)
                if not (origin.dm_channel and origin.response_url):
                    return
                # Not a conversation the bot can post in after all (a DM between people, or
                # the person closed ours): answer where they pressed, through response_url.
                where = Place.EPHEMERAL if private else Place.CHANNEL
                with contextlib.suppress(ResponseUrlError, aiohttp.ClientError, TimeoutError):
                    await self._outbox.respond(origin.response_url, message, ephemeral=private)
            except ResponseUrlError as error:
                log.warning("slack response_url refused a reply: HTTP %s", error.status)
                return
            except (aiohttp.ClientError, TimeoutError) as error:
                log.warning("slack reply not sent: %s", type(error).__name__)
                return
