"""The Slack adapter: a Bolt ``AsyncApp`` whose listeners only translate.

Every request is acknowledged first; the engine and the Web API calls run afterwards as
background tasks. The one exception is a modal submission, where Slack wants the verdict
(close, show errors, next form) in the acknowledgement itself, so the engine is asked within a
time budget and anything later goes to the person's DM.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.chart import pictured
from adapters.hosting import Shared
from adapters.kept import NOT_KEPT, SEEN, KeptWork
from adapters.ordering import PersonLocks
from adapters.ports import Handler
from adapters.slack import departures
from adapters.slack.admins import AdminCheck
from adapters.slack.answers import Answers, errors_as_words, renders
from adapters.slack.background import Background, log_failure
from adapters.slack.config import SlackConfig
from adapters.slack.home import DEFAULT_SETTLE, ChartFiles, HomeSource, SlackHome
from adapters.slack.logs import bolt_logger
from adapters.slack.messenger import SlackMessenger
from adapters.slack.oauth import oauth_settings, token_lookup
from adapters.slack.origins import delivery_key, event_type, origin_of, where_of
from adapters.slack.outbox import Outbox
from adapters.slack.render import render_errors, render_form
from adapters.slack.retry import Sleep, retry_handlers
from adapters.slack.texts import texts
from adapters.slack.translate import (
    PLATFORM,
    Origin,
    Payload,
    button_press,
    command_event,
    message_event,
    profile_change,
    submission_event,
)
from adapters.slack.uninstall import OrganizationMembers, Organizations, Uninstall
from adapters.slack.verify import RequestVerifier
from adapters.slack.web import web_app
from adapters.slack.zones import ZoneLookup
from bot.errors import BouncebackError
from bot.events import Event, Sender
from bot.replies import Reply

# Slack closes a modal with an error if the answer to view_submission takes over 3 s.
DEFAULT_ANSWER_BUDGET = 2.5
# Workers running after-ack work; enough to overlap Slack and database round trips.
DEFAULT_WORKERS = 4


# The engine's hook for a person's new Slack time zone (``Engine.follow_zone``).
ZoneChanged = Callable[[Sender, datetime], Awaitable[object]]


class SlackBot:
    """The running adapter: the Bolt app, its HTTP endpoints, its messenger and its work.

    Built around ``handler`` (the engine or a test fake) and the process's ``shared`` parts
    (its clock also judges request timestamps; its inbox keeps acknowledged work until it is
    done, see :mod:`adapters.kept`). One workspace with a bot token; many with a client id
    and secret, in which case ``installation_store`` and ``state_store`` are required;
    ``organizations`` remembers which workspaces an org-wide install reached, so its
    uninstall erases them all. ``sleep`` is how 429s are waited out; ``session`` is reused
    for every Slack call when given; ``workers`` bounds the after-ack work running at once;
    ``on_zone_changed`` hears of a person's new Slack time zone (``user_change``); ``home``
    builds members' Home tabs (``Engine.home``; none: the tab is not published), refreshed
    ``home_settle`` seconds after a change (see :mod:`adapters.slack.home`).
    """

    def __init__(
        self,
        handler: Handler,
        config: SlackConfig,
        *,
        shared: Shared,
        installation_store: AsyncInstallationStore | None = None,
        state_store: AsyncOAuthStateStore | None = None,
        organizations: Organizations | None = None,
        session: aiohttp.ClientSession | None = None,
        sleep: Sleep = asyncio.sleep,
        answer_budget: float = DEFAULT_ANSWER_BUDGET,
        workers: int = DEFAULT_WORKERS,
        on_zone_changed: ZoneChanged | None = None,
        home: HomeSource | None = None,
        chart_files: ChartFiles | None = None,
        home_settle: float = DEFAULT_SETTLE,
    ) -> None:
        clock = shared.clock
        self._handler = handler
        self._kept = KeptWork(PLATFORM, shared.inbox, clock)
        self._config = config
        self._session = session
        self._dedupe = shared.dedupe
        self._clock = clock
        self._answer_budget = answer_budget
        self._background = Background(workers)
        self._order = PersonLocks()
        self._retry_handlers = retry_handlers(sleep)
        self._outbox = Outbox(session=session, retry_handlers=self._retry_handlers)
        self._answers = Answers(self._outbox)
        self._zones = ZoneLookup(clock=clock)
        self._admins = AdminCheck(configured=config.admins, clock=clock, on_profile=self._zones.saw)
        self._uninstall = Uninstall(
            installation_store=installation_store,
            organizations=organizations,
            forget=(self._outbox.forget_team, self._admins.forget_team, self._zones.forget_team),
            on_community_removed=shared.on_community_removed,
        )
        self._on_zone_changed = on_zone_changed
        self._verifier = RequestVerifier(config.signing_secret.encode(), clock)
        self.bolt = AsyncApp(
            name="bounceback",
            logger=bolt_logger(),
            client=self._client(config.bot_token),
            signing_secret="",
            # Verified in the HTTP handler instead (see adapters.slack.verify); Socket Mode
            # needs none.
            request_verification_enabled=False,
            # Listeners run before the response is sent: each one acks first and hands the
            # rest to Background, so nothing is lost and the ack is not delayed by polling.
            process_before_response=True,
            oauth_settings=oauth_settings(config, installation_store, state_store),
        )
        self._tokens = token_lookup(config, installation_store)
        self._home = None if home is None else SlackHome(
            home, clock=clock, mark=self._marked, submit=self._background.submit,
            start=self._background.spawn, open_dm=self._outbox.open_dm, files=chart_files,
            settle=home_settle, sleep=sleep,
            client_for=self._team_client,
        )  # fmt: skip
        self.messenger = SlackMessenger(
            tokens=self._tokens,
            api_url=config.api_url,
            session=session,
            retry_handlers=self._retry_handlers,
            outbox=self._outbox,
            on_delivered=None if self._home is None else self._home.delivered,
        )
        self.bolt.command(re.compile(r"^/"))(self._on_command)
        self.bolt.action(re.compile(r".*"))(self._on_action)
        self.bolt.view(re.compile(r".*"))(self._on_view)
        self.bolt.event(re.compile(r".*"))(self._on_event)
        members = OrganizationMembers(organizations, clock, self._background.submit)
        self.bolt.use(members.note)

    def _client(self, token: str) -> AsyncWebClient:
        return AsyncWebClient(
            token=token or None,
            base_url=self._config.api_url,
            session=self._session,
            retry_handlers=self._retry_handlers,
        )

    async def check_installs(self) -> int:
        """Erase the installations whose bot token Slack says is revoked: an uninstall missed
        while Bounceback was down (see :mod:`adapters.slack.departures`); how many went."""
        return await departures.check_installs(self._uninstall, self._client)

    def web_app(self, *, events: bool = True) -> web.Application:
        """The aiohttp application: ``/slack/events`` (when ``events``), the OAuth pages when
        multi-workspace, and ``/healthz``."""
        return web_app(self.bolt, self._verifier, events=events)

    # ----- lifecycle -----

    async def drain(self) -> None:
        """Wait for all after-ack work (tests use this instead of sleeping)."""
        await self._background.drain()

    async def aclose(self, grace: float = 10.0) -> None:
        """Finish (or, after ``grace`` seconds, cancel) the work still running; acknowledged
        work left unfinished is handed back for any instance to redo at once."""
        await self._background.close(grace)
        await self._kept.hand_back()

    async def redo_unfinished(self) -> int:
        """Redo acknowledged work whose process died before finishing it (once, here);
        returns how much was taken up."""
        redone = 0
        for entry, event, where in await self._kept.reclaim():
            origin = origin_of(where)
            token = await self._tokens(origin.team_id)
            if not token:  # the app left that workspace meanwhile
                await self._kept.done(entry)
                continue
            self._background.submit(self._run(event, origin, self._client(token), entry))
            redone += 1
        return redone

    # ----- Bolt listeners: ack, then translate -----

    async def _on_command(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        command, origin = command_event(body)
        # Kept before the ack: from then on Slack will never send it again.
        entry = await self._kept.keep(delivery_key(body), command, where_of(origin))
        await ack()
        if entry != SEEN:
            work = self._run(command, origin, context.client, entry)
            self._background.submit(work, urgent=True)

    async def _on_action(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], Mapping):
            await ack()
            return
        press, origin = button_press(body, actions[0])
        if press.form_blob:
            # Opening a form needs the trigger within 3 seconds: nothing to redo later.
            await ack()
            work = self._answers.open_later_form(press.form_blob, origin, context.client)
            self._background.submit(work, urgent=True)
        elif press.choice is not None:
            entry = await self._kept.keep(delivery_key(body), press.choice, where_of(origin))
            await ack()
            if entry != SEEN:
                work = self._run(press.choice, origin, context.client, entry)
                self._background.submit(work, urgent=True)
        else:
            await ack()

    async def _on_view(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if body.get("type") != "view_submission":
            await ack()
            return
        submission, origin = submission_event(body)
        client = context.client
        entry = await self._kept.keep(delivery_key(body), submission, where_of(origin))
        if entry == SEEN:
            await ack()
            return
        # The admin check (for the settings form) runs inside the budget too.
        asking = self._background.spawn(self._ask(submission, client))
        try:
            replies = await asyncio.wait_for(asyncio.shield(asking), self._answer_budget)
        except TimeoutError:
            await ack()  # close the modal in time; the answer follows in the DM
            self._background.submit(self._answer_late(asking, origin, client, entry))
            return
        rest = list(replies)
        refused = next(
            (reply for reply in replies if reply.form is not None and reply.form.errors), None
        )
        follow_up = next((reply for reply in replies if reply.form is not None), None)
        if refused is not None and refused.form is not None:
            await ack(response_action="errors", errors=render_errors(refused.form))
            rest.remove(refused)
        elif follow_up is not None and follow_up.form is not None and renders(follow_up.form):
            await ack(response_action="update", view=render_form(follow_up.form))
            rest[rest.index(follow_up)] = dataclasses.replace(follow_up, form=None)
        else:
            await ack()
        self._background.submit(self._answer(rest, origin, client, entry))

    async def _on_event(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        entry = NOT_KEPT
        found = message_event(body) if event_type(body) == "message" else None
        if found is not None:
            message, origin = found
            entry = await self._kept.keep(delivery_key(body), message, where_of(origin))
        await ack()
        if entry != SEEN:
            self._background.submit(self._run_event(body, context.client, entry))

    # ----- after the ack -----

    async def _team_client(self, team_id: str) -> AsyncWebClient | None:
        token = await self._tokens(team_id)
        return self._client(token) if token else None

    async def _marked(self, sender: Sender, client: AsyncWebClient) -> Sender:
        is_admin = await self._admins.is_admin(client, sender.community, sender.user_id)
        return dataclasses.replace(sender, is_admin=is_admin)

    async def _ask(self, event: Event, client: AsyncWebClient) -> list[Reply]:
        """The engine's replies; a failure becomes a clear reply, never silence."""
        # Only after the ack: users.info must not hold up Slack's 3 seconds.
        event = await self._admins.mark(event, client)
        event = await self._zones.mark(event, client)
        async with self._order.hold(event.sender):
            try:
                return list(await self._handler.handle(event, self._clock()))
            except BouncebackError as error:
                return [Reply(text=str(error) or texts().generic_error)]
            except Exception as error:
                log_failure(f"engine on {type(event).__name__}", error)
                return [Reply(text=texts().generic_error)]

    async def _run(
        self, event: Event, origin: Origin, client: AsyncWebClient, entry: int = NOT_KEPT
    ) -> None:
        await self._answer(await self._ask(event, client), origin, client, entry)

    async def _run_event(
        self, body: Payload, client: AsyncWebClient, entry: int = NOT_KEPT
    ) -> None:
        event = body.get("event")
        kind = event.get("type") if isinstance(event, Mapping) else None
        if kind == "message":
            found = message_event(body)
            # A kept event is new (the inbox knows its id); otherwise ask the event log.
            if found is not None and (entry != NOT_KEPT or await self._first_time(body)):
                message, origin = found
                await self._run(message, origin, client, entry)
        elif await self._uninstall.on_event(body, self._first_time):
            pass  # the app left a workspace or an organization
        elif kind == "user_change":
            await self._zone_changed(body)
        elif kind == "app_home_opened" and self._home is not None:
            await self._home.opened(body, client)

    async def _zone_changed(self, body: Payload) -> None:
        """Someone's Slack profile changed: follow a new time zone (the engine ignores people
        it has never met, and zones they chose themselves)."""
        who = profile_change(body)
        if who is None or self._on_zone_changed is None:
            return
        self._zones.remember(who.community, who.user_id, who.timezone)
        if await self._first_time(body):
            try:
                await self._on_zone_changed(who, self._clock())
            except Exception as error:
                log_failure("following a time zone change", error)

    async def _first_time(self, body: Payload) -> bool:
        """False for a retry of an event already handled here or on another instance."""
        event_id = body.get("event_id")
        if not isinstance(event_id, str) or not event_id:
            return True
        try:
            return await self._dedupe.first_time(f"{PLATFORM}:event:{event_id}", self._clock())
        except Exception as error:
            log_failure("event dedupe", error)
            return True

    async def _answer_late(
        self,
        asking: asyncio.Task[list[Reply]],
        origin: Origin,
        client: AsyncWebClient,
        entry: int = NOT_KEPT,
    ) -> None:
        """Replies that came after the modal had to close: errors become words in the DM."""
        await self._answer(errors_as_words(await asking), origin, client, entry)

    async def _answer(
        self,
        replies: list[Reply],
        origin: Origin,
        client: AsyncWebClient,
        entry: int = NOT_KEPT,
    ) -> None:
        """Send replies where they belong (then the acknowledged work ``entry`` is done)."""
        await self._answers.deliver(pictured(replies, homes=False), origin, client)
        await self._kept.done(entry)
        if self._home is not None and replies:
            self._home.changed(origin.team_id, origin.user_id, client)


# The name entry points, tests and benchmarks build the adapter by.
build_app = SlackBot
