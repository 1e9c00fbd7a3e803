"""The Slack Home tab: each member's home, published to them alone (``views.publish`` with
their own user id), when they open the tab and after anything they do.

A burst of changes is one publish: a change only asks for a refresh, which waits ``settle``
seconds before it reads the home, and every change that comes meanwhile rides on it. A home
that reads the same as the one last published here is not published again. Slack has no
such coalescing of its own (Bolt's ``app_home_opened`` listener only delivers the event),
hence this module.

The chart is shared into the member's own DM with the bot and nowhere else: an image block
(``slack_file``, by id) may show only a file someone besides the bot can see, and an upload
shared nowhere is the bot's alone (Slack refuses the view with ``invalid_blocks``). A new
chart replaces the old file (deleted at Slack, and its line in the DM with it), so the DM
holds one chart at most; a member who deleted their data has their picture deleted too.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import KW_ONLY, InitVar, dataclass, field
from datetime import datetime
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from adapters import chart
from adapters.ordering import PersonLocks
from adapters.ports import Clock
from adapters.slack.home_blocks import home_view, without_image
from adapters.slack.outbox import api_error_code, log_api_error
from bot.events import Sender
from bot.home_view import Chart, HomeView

log = logging.getLogger(__name__)

DEFAULT_SETTLE = 2.0  # seconds a refresh waits for more changes (a person's quick clicks)
IMAGE_RETRIES = 3  # publishes that may name a chart Slack has not finished processing


class HomeSource(Protocol):
    """Builds a member's home (``Engine.home``)."""

    async def __call__(self, sender: Sender, now: datetime) -> HomeView: ...


class ChartFiles(Protocol):
    """Where the adapter remembers each member's uploaded chart (its Slack file id and a hash
    of what it shows), so it is replaced, and deleted with their data, after a restart too
    (``storage.home_charts.SqlChartFiles``)."""

    async def chart_file(self, team: str, user: str) -> tuple[str, str] | None: ...

    async def remember_chart(
        self, team: str, user: str, file_id: str, fingerprint: str, now: datetime
    ) -> None: ...

    async def forget_chart(self, team: str, user: str) -> None: ...


class MemoryChartFiles:
    """Charts remembered by this process only (tests; a store-less setup)."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], tuple[str, str]] = {}

    async def chart_file(self, team: str, user: str) -> tuple[str, str] | None:
        return self.files.get((team, user))

    async def remember_chart(
        self, team: str, user: str, file_id: str, fingerprint: str, now: datetime
    ) -> None:
        self.files[(team, user)] = (file_id, fingerprint)

    async def forget_chart(self, team: str, user: str) -> None:
        self.files.pop((team, user), None)


Mark = Callable[[Sender, AsyncWebClient], Awaitable[Sender]]
Submit = Callable[[Coroutine[Any, Any, Any]], object]
Sleep = Callable[[float], Awaitable[object]]
# A workspace's Web API client (None once the app left it), for refreshes outside a request.
ClientFor = Callable[[str], Awaitable[AsyncWebClient | None]]
# The id of a member's DM with the bot, opened if need be (client, team, user), as
# adapters.slack.outbox.Outbox.open_dm gives it.
OpenDm = Callable[[AsyncWebClient, str, str], Awaitable[str]]


def fingerprint(value: object) -> str:
    """A short hash of what a view or chart shows (never the words themselves)."""
    text = json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(eq=False, slots=True)
class SlackHome:
    """Publishes members' homes. ``source`` builds one; ``mark`` adds what Slack says of the
    member (admin or not); ``submit`` runs work after the ack; ``start`` runs a waiting task."""

    source: HomeSource
    _: KW_ONLY
    clock: Clock
    mark: Mark
    submit: Submit
    start: Submit
    open_dm: OpenDm
    files: InitVar[ChartFiles | None] = None
    settle: float = DEFAULT_SETTLE
    sleep: Sleep = asyncio.sleep
    client_for: ClientFor | None = None
    _files: ChartFiles = field(init=False, repr=False)
    _locks: PersonLocks = field(default_factory=PersonLocks, init=False, repr=False)
    _waiting: set[tuple[str, str]] = field(default_factory=set, init=False, repr=False)
    _published: dict[tuple[str, str], str] = field(default_factory=dict, init=False, repr=False)
    _image_failures: dict[tuple[str, str], int] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self, files: ChartFiles | None) -> None:
        self._files = files or MemoryChartFiles()

    def changed(self, team: str, user: str, client: AsyncWebClient | None = None) -> None:
        """Something of the member's may have changed: refresh their home once things settle
        (a refresh already waiting takes this change along). Without a ``client`` (outside
        any request) the workspace's own is used."""
        key = (team, user)
        if key in self._waiting:
            return
        self._waiting.add(key)
        self.start(self._settled(team, user, client))

    def delivered(self, recipient: Sender) -> None:
        """A check-in reached the member: their home's next check-in has moved on."""
        self.changed(recipient.community, recipient.user_id)

    async def opened(self, body: Mapping[str, Any], client: AsyncWebClient) -> None:
        """``app_home_opened``: the member opened the Home tab, publish now. When Slack
        already shows a view of ours (the event carries it), an unchanged home is not sent
        again; the Messages tab opening is not the Home's business."""
        event = body.get("event")
        if not isinstance(event, Mapping) or event.get("tab") != "home":
            return
        user, team = event.get("user"), body.get("team_id")
        if isinstance(user, str) and isinstance(team, str):
            await self.refresh(team, user, client, force=not event.get("view"))

    async def _settled(self, team: str, user: str, client: AsyncWebClient | None) -> None:
        try:
            await self.sleep(self.settle)
        finally:
            # From here on a change asks for a refresh of its own: this one may have read
            # the home before it.
            self._waiting.discard((team, user))
        if client is None and self.client_for is not None:
            client = await self.client_for(team)
        if client is not None:
            self.submit(self.refresh(team, user, client))

    async def refresh(
        self, team: str, user: str, client: AsyncWebClient, *, force: bool = False
    ) -> None:
        """Build the member's home and publish it to them, if it differs from the last."""
        sender = await self.mark(Sender("slack", team, user), client)
        # One refresh at a time per member, each reading the home inside: the last to
        # publish is never one that read it earlier.
        async with self._locks.hold(sender):
            home = await self.source(sender, self.clock())
            chart_file = await self._chart(team, user, home.chart, client)
            view = home_view(home, chart_file=chart_file)
            printed = fingerprint(view)
            if not force and self._published.get((team, user)) == printed:
                return
            if await self._publish(team, user, view, home, client):
                self._published[(team, user)] = printed

    async def _publish(
        self, team: str, user: str, view: dict[str, Any], home: HomeView, client: AsyncWebClient
    ) -> bool:
        """views.publish to the member alone; True once Slack has the view as built."""
        try:
            await client.views_publish(user_id=user, view=view)
            self._image_failures.pop((team, user), None)
            return True
        except SlackApiError as error:
            if api_error_code(error) != "invalid_blocks" or home.chart is None:
                log_api_error("publishing a home", error)
                return False
        # Slack may not show a file it is still processing: the words now, the picture on a
        # later refresh (a few times at most).
        failures = self._image_failures.get((team, user), 0) + 1
        self._image_failures[(team, user)] = failures
        try:
            await client.views_publish(user_id=user, view=without_image(view, home.chart.alt))
        except SlackApiError as error:
            log_api_error("publishing a home", error)
        if failures < IMAGE_RETRIES:
            self.changed(team, user, client)
        return False

    async def _chart(
        self, team: str, user: str, drawn: Chart | None, client: AsyncWebClient
    ) -> str:
        """The Slack file showing ``drawn``: the one uploaded before if it shows the same,
        else a new upload (the old file deleted). No chart: any old file is deleted."""
        kept = await self._files.chart_file(team, user)
        wanted = fingerprint(drawn) if drawn is not None else ""
        if kept is not None and kept[1] == wanted:
            return kept[0]
        file_id = await self._upload(drawn, team, user, client) if drawn is not None else ""
        if file_id:
            await self._files.remember_chart(team, user, file_id, wanted, self.clock())
        elif kept is not None:
            await self._files.forget_chart(team, user)
        if kept is not None:
            await self._delete(kept[0], client)
        return file_id

    async def _upload(self, drawn: Chart, team: str, user: str, client: AsyncWebClient) -> str:
        """Upload the chart shared into the member's DM only: they alone, with the bot, see it."""
        try:
            image = await asyncio.to_thread(chart.render, drawn)
            answer = await client.files_upload_v2(
                channel=await self.open_dm(client, team, user),
                filename=drawn.filename,
                title=drawn.mood_title,
                content=image,
                alt_txt=drawn.alt,
            )
        except SlackApiError as error:
            log_api_error("uploading a chart", error)
            return ""
        except (SlackRequestError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("slack chart not uploaded: %s", type(error).__name__)
            return ""
        uploaded = answer.get("file")
        found = uploaded.get("id") if isinstance(uploaded, dict) else None
        return found if isinstance(found, str) else ""

    async def _delete(self, file_id: str, client: AsyncWebClient) -> None:
        try:
            await client.files_delete(file=file_id)
        except SlackApiError as error:
            if api_error_code(error) != "file_deleted":
                log_api_error("deleting an old chart", error)
