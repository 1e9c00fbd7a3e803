"""The Slack adapter: a Bolt ``AsyncApp`` whose listeners only translate.

Every request is acknowledged first; the engine and the Web API calls run afterwards as
background tasks. The one exception is a modal submission, where Slack wants the verdict
(close, show errors, next form) in the acknowledgement itself, so the engine is asked within a
time budget and anything later goes to the person's DM.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import itertools
import re
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.admins import AdminCheck
from adapters.slack.kept import NOT_KEPT, SEEN, Inbox, KeptWork
from adapters.slack.logs import bolt_logger
from adapters.slack.messenger import SlackMessenger
from adapters.slack.outbox import Outbox, ResponseUrlError, log, log_api_error
from adapters.slack.render import (
    RenderError,
    SlackMessage,
    decode_form,
    render_errors,
    render_form,
    render_reply,
    text_message,
)
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
from adapters.slack.uninstall import (
    OrganizationMembers,
    Organizations,
    organization_removal,
    remove_organization,
)
from adapters.slack.zones import ZoneLookup
from bot.errors import BouncebackError
from bot.events import Event, Sender
from bot.replies import Attachment, Form, Reply
from bounceback.settings import Settings

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
HEALTH_PATH = "/healthz"

# The least the bot needs: slash commands, posting, sharing a person's data export with them
# (files:write), opening DMs and reading what people write in them (message.im); for the
# weekly brag thread, posting in the public channel an admin chose without being invited to it
# (chat:write.public), a celebration emoji on shared wins (reactions:write) and telling
# workspace admins from other members (users:read). app_uninstalled and tokens_revoked need
# no scope.
BOT_SCOPES = (
    "chat:write",
    "chat:write.public",
    "commands",
    "files:write",
    "im:history",
    "im:write",
    "reactions:write",
    "users:read",
)

# The one line logged for a signed request Bolt cannot read (never its body).
UNREADABLE_BODY = "slack request body is not a JSON object or form; answered 400"
# Slack closes a modal with an error if the answer to view_submission takes over 3 s.
DEFAULT_ANSWER_BUDGET = 2.5
# Workers running after-ack work; enough to overlap Slack and database round trips.
DEFAULT_WORKERS = 4
# Slack rejects a request whose timestamp is further than this from now (replay defence).
MAX_REQUEST_AGE = 300


class Handler(Protocol):
    """What the adapter needs from the engine."""

    async def handle(self, event: Event, now: datetime) -> list[Reply]:
        """Everything to say in answer to ``event``."""
        ...


class Dedupe(Protocol):
    """A durable "have we seen this key before?" shared by every instance."""

    async def first_time(self, key: str, now: datetime) -> bool:
        """True exactly once per key, however many instances ask."""
        ...


Clock = Callable[[], datetime]
T = TypeVar("T")
# The storage hook deleting a community's people and data (its return value is ignored).
CommunityRemoved = Callable[[str, str], Awaitable[object]]
# The engine's hook for a person's new Slack time zone (``Engine.follow_zone``).
ZoneChanged = Callable[[Sender, datetime], Awaitable[object]]


class ConfigurationError(ValueError):
    """The Slack settings cannot make a working app; the message says what to set."""


class Background:
    """The adapter's after-ack work.

    Most work is queued for a fixed pool of workers (``submit``): the event loop then never
    holds more than a few runnable jobs, so acknowledging the next request is not stuck
    behind a backlog of engine calls and Slack calls under load. Work carrying a trigger_id
    (it must open a modal within 3 s) jumps the queue. ``spawn`` starts a task at once, for
    work someone is waiting on. Everything is tracked, awaited by ``drain`` (tests use it
    instead of sleeping) and finished or cancelled by ``close``.
    """

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._queue: asyncio.PriorityQueue[tuple[int, int, Coroutine[Any, Any, Any]]] = (
            asyncio.PriorityQueue()
        )
        self._order = itertools.count()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pool: list[asyncio.Task[None]] = []
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def submit(self, work: Coroutine[Any, Any, Any], *, urgent: bool = False) -> None:
        """Queue ``work`` for the worker pool."""
        if not self._pool:
            self._pool = [asyncio.create_task(self._worker()) for _ in range(self._workers)]
        self._pending += 1
        self._idle.clear()
        self._queue.put_nowait((0 if urgent else 1, next(self._order), work))

    async def _worker(self) -> None:
        while True:
            _, _, work = await self._queue.get()
            try:
                await work
            except Exception as error:
                log_failure("background work", error)
            finally:
                self._pending -= 1
                if not self._pending:
                    self._idle.set()

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``work`` now, as its own task."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log_failure("background work", task.exception())

    async def drain(self) -> None:
        """Wait until no work is left, including work started by work."""
        while self._tasks or self._pending:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            else:
                await self._idle.wait()

    async def close(self, grace: float) -> None:
        """Let the work finish for up to ``grace`` seconds, then cancel what is left."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), grace)
        for task in [*self._tasks, *self._pool]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._pool, return_exceptions=True)
        self._pool = []
        while not self._queue.empty():  # never started: close, so nothing warns
            self._queue.get_nowait()[2].close()
            self._pending -= 1


class KeyedLocks:
    """One lock per person, so one instance hands a person's events to the engine in order."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def log_failure(what: str, error: BaseException | None) -> None:
    """Log an unexpected error by type and traceback only: its message may quote a person."""
    if error is None:
        return
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("slack %s failed with %s\n%s", what, type(error).__name__, frames)


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


@dataclasses.dataclass(frozen=True, slots=True)
class RequestVerifier:
    """Checks Slack's signature on an HTTP request: HMAC-SHA256 of ``v0:<ts>:<body>``.

    A missing, forged or malformed signature or timestamp, or a timestamp more than five
    minutes from ``clock``, fails. Done before Bolt sees the request so a bad one causes
    nothing at all (Bolt's own check logs the body and raises on a malformed timestamp).
    """

    signing_secret: bytes
    clock: Clock

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if (
            not self.signing_secret
            or not (timestamp.isascii() and timestamp.isdigit())
            or len(timestamp) > 12
        ):
            return False
        if abs(self.clock().timestamp() - int(timestamp)) > MAX_REQUEST_AGE:
            return False
        digest = hmac.new(
            self.signing_secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256
        )
        return hmac.compare_digest(
            f"v0={digest.hexdigest()}".encode(), signature.encode("utf-8", "replace")
        )


class SlackBot:
    """The running adapter: the Bolt app, its HTTP endpoints, its messenger and its work."""

    def __init__(
        self,
        *,
        handler: Handler,
        settings: Settings,
        dedupe: Dedupe,
        clock: Clock,
        on_community_removed: CommunityRemoved,
        installation_store: AsyncInstallationStore | None,
        state_store: AsyncOAuthStateStore | None,
        organizations: Organizations | None,
        session: aiohttp.ClientSession | None,
        sleep: Sleep,
        answer_budget: float,
        workers: int,
        on_zone_changed: ZoneChanged | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self._handler = handler
        self._kept = KeptWork(inbox, clock)
        self._settings = settings
        self._session = session
        self._dedupe = dedupe
        self._clock = clock
        self._on_community_removed = on_community_removed
        self._answer_budget = answer_budget
        self._background = Background(workers)
        self._locks = KeyedLocks()
        self._retry_handlers = retry_handlers(sleep)
        self._outbox = Outbox(session=session, retry_handlers=self._retry_handlers)
        self._installation_store = installation_store
        self._organizations = organizations
        self._zones = ZoneLookup(clock=clock)
        self._admins = AdminCheck(
            configured=settings.slack_admins, clock=clock, on_profile=self._zones.saw
        )
        self._on_zone_changed = on_zone_changed
        self._verifier = RequestVerifier(_secret(settings.slack_signing_secret).encode(), clock)
        client = AsyncWebClient(
            token=_secret(settings.slack_bot_token) or None,
            base_url=settings.slack_api_url,
            session=session,
            retry_handlers=self._retry_handlers,
        )
        self.bolt = AsyncApp(
            name="bounceback",
            logger=bolt_logger(),
            client=client,
            signing_secret="",
            # Verified in the HTTP handler instead (see RequestVerifier); Socket Mode needs none.
            request_verification_enabled=False,
            # Listeners run before the response is sent: each one acks first and hands the
            # rest to Background, so nothing is lost and the ack is not delayed by polling.
            process_before_response=True,
            oauth_settings=self._oauth_settings(settings, installation_store, state_store),
        )
        self._tokens = self._token_lookup(settings)
        self.messenger = SlackMessenger(
            tokens=self._tokens,
            api_url=settings.slack_api_url,
            session=session,
            retry_handlers=self._retry_handlers,
            outbox=self._outbox,
        )
        self.bolt.command(re.compile(r"^/"))(self._on_command)
        self.bolt.action(re.compile(r".*"))(self._on_action)
        self.bolt.view(re.compile(r".*"))(self._on_view)
        self.bolt.event(re.compile(r".*"))(self._on_event)
        members = OrganizationMembers(organizations, clock, self._background.submit)
        self.bolt.use(members.note)

    @staticmethod
    def _oauth_settings(
        settings: Settings,
        installation_store: AsyncInstallationStore | None,
        state_store: AsyncOAuthStateStore | None,
    ) -> AsyncOAuthSettings | None:
        if not (settings.slack_client_id and settings.slack_client_secret):
            if not settings.slack_bot_token:
                raise ConfigurationError(
                    "set SLACK_BOT_TOKEN (one workspace) "
                    "or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (many)"
                )
            return None
        if installation_store is None or state_store is None:
            raise ConfigurationError(
                "the OAuth install flow needs an installation store and a state store"
            )
        return AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=_secret(settings.slack_client_secret),
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=installation_store,
            state_store=state_store,
            logger=bolt_logger(),
        )

    def _token_lookup(self, settings: Settings) -> Callable[[str], Awaitable[str | None]]:
        store = self._installation_store
        if store is None or not settings.slack_client_id:
            token = _secret(settings.slack_bot_token)

            async def single(team_id: str) -> str | None:
                return token or None

            return single

        async def installed(team_id: str) -> str | None:
            bot = await store.async_find_bot(enterprise_id=None, team_id=team_id)
            return bot.bot_token if bot is not None else None

        return installed

    # ----- HTTP endpoints -----

    def web_app(self, *, events: bool = True) -> web.Application:
        """The aiohttp application: ``/slack/events`` (when ``events``), the OAuth pages when
        multi-workspace, and ``/healthz``."""
        app = web.Application()
        app.router.add_get(HEALTH_PATH, self._health)
        if events:
            app.router.add_post(EVENTS_PATH, self._events)
        if self.bolt.oauth_flow is not None:
            app.router.add_get(INSTALL_PATH, self._install)
            app.router.add_get(REDIRECT_PATH, self._oauth_redirect)
        return app

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _events(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self._verifier.verify(request.headers, body):
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return web.json_response({"error": "invalid request"}, status=400)
        try:
            bolt_request = AsyncBoltRequest(
                body=text, query=request.query_string, headers=dict(request.headers)
            )
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            # Signed, so from Slack or its secret's holder, yet unreadable (Bolt parses and
            # reads ids while building the request): a 400, not a 500 and a traceback.
            log.warning(UNREADABLE_BODY)
            return web.json_response({"error": "invalid request"}, status=400)
        return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))

    async def _install(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None  # the route exists only then
        bolt_request = AsyncBoltRequest(
            body="", query=request.query_string, headers=dict(request.headers)
        )
        return await to_aiohttp_response(
            await self.bolt.oauth_flow.handle_installation(bolt_request)
        )

    async def _oauth_redirect(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        bolt_request = AsyncBoltRequest(
            body="", query=request.query_string, headers=dict(request.headers)
        )
        return await to_aiohttp_response(await self.bolt.oauth_flow.handle_callback(bolt_request))

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
        for entry, event, origin in await self._kept.reclaim():
            token = await self._tokens(origin.team_id)
            if not token:  # the app left that workspace meanwhile
                await self._kept.done(entry)
                continue
            client = AsyncWebClient(
                token=token,
                base_url=self._settings.slack_api_url,
                session=self._session,
                retry_handlers=self._retry_handlers,
            )
            self._background.submit(self._run(event, origin, client, entry))
            redone += 1
        return redone

    # ----- Bolt listeners: ack, then translate -----

    async def _on_command(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        command, origin = command_event(body)
        # Kept before the ack: from then on Slack will never send it again.
        entry = await self._kept.keep(_delivery(body), command, origin)
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
            work = self._open_later_form(press.form_blob, origin, context.client)
            self._background.submit(work, urgent=True)
        elif press.choice is not None:
            entry = await self._kept.keep(_delivery(body), press.choice, origin)
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
        entry = await self._kept.keep(_delivery(body), submission, origin)
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
        elif follow_up is not None and follow_up.form is not None and self._renders(follow_up.form):
            await ack(response_action="update", view=render_form(follow_up.form))
            rest[rest.index(follow_up)] = dataclasses.replace(follow_up, form=None)
        else:
            await ack()
        self._background.submit(self._answer(rest, origin, client, entry))

    async def _on_event(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        entry = NOT_KEPT
        found = message_event(body) if _event_type(body) == "message" else None
        if found is not None:
            entry = await self._kept.keep(_delivery(body), *found)
        await ack()
        if entry != SEEN:
            self._background.submit(self._run_event(body, context.client, entry))

    # ----- after the ack -----

    async def _ask(self, event: Event, client: AsyncWebClient) -> list[Reply]:
        """The engine's replies; a failure becomes a clear reply, never silence."""
        # Only after the ack: users.info must not hold up Slack's 3 seconds.
        event = await self._admins.mark(event, client)
        event = await self._zones.mark(event, client)
        async with self._locks.hold(f"{event.sender.community}/{event.sender.user_id}"):
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
        elif (organization := organization_removal(body)) is not None:
            if await self._first_time(body):
                await remove_organization(
                    organization,
                    installation_store=self._installation_store,
                    organizations=self._organizations,
                    remove_team=self._remove_team,
                )
        elif kind in ("app_uninstalled", "tokens_revoked") and isinstance(event, Mapping):
            tokens = event.get("tokens")
            bot_revoked = kind == "app_uninstalled" or (
                isinstance(tokens, Mapping) and bool(tokens.get("bot"))
            )
            if bot_revoked and await self._first_time(body):
                await self._remove_team(body)
        elif kind == "user_change":
            await self._zone_changed(body)

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

    async def _remove_team(self, body: Payload) -> None:
        """The app left a workspace: forget its tokens, then all its people's data."""
        team_id = body.get("team_id")
        enterprise_id = body.get("enterprise_id")
        if not isinstance(team_id, str) or not team_id:
            return
        if self._installation_store is not None:
            try:
                await self._installation_store.async_delete_all(
                    enterprise_id=enterprise_id if isinstance(enterprise_id, str) else None,
                    team_id=team_id,
                )
            except Exception as error:
                log_failure("deleting installation", error)
        self._outbox.forget_team(team_id)
        self._admins.forget_team(team_id)
        self._zones.forget_team(team_id)
        await self._on_community_removed(PLATFORM, team_id)
        log.info("slack workspace %s removed the app; its data was deleted", team_id)

    async def _answer_late(
        self,
        asking: asyncio.Task[list[Reply]],
        origin: Origin,
        client: AsyncWebClient,
        entry: int = NOT_KEPT,
    ) -> None:
        """Replies that came after the modal had to close: errors become words in the DM."""
        replies = []
        for reply in await asking:
            if reply.form is not None and reply.form.errors:
                missing = [error for error in reply.form.errors.values() if error not in reply.text]
                words = "\n".join([reply.text, *missing]).strip()
                reply = dataclasses.replace(
                    reply, text=words, form=dataclasses.replace(reply.form, errors={})
                )
            replies.append(reply)
        await self._answer(replies, origin, client, entry)

    @staticmethod
    def _renders(form: Form) -> bool:
        try:
            render_form(form)
        except RenderError as error:
            log.error("slack form cannot be rendered: %s", error)
            return False
        return True

    async def _answer(
        self,
        replies: Sequence[Reply],
        origin: Origin,
        client: AsyncWebClient,
        entry: int = NOT_KEPT,
    ) -> None:
        """Send replies where they belong (then the acknowledged work ``entry`` is done)."""
        await self._deliver(replies, origin, client)
        await self._kept.done(entry)

    async def _deliver(
        self, replies: Sequence[Reply], origin: Origin, client: AsyncWebClient
    ) -> None:
        """A form opens as a modal while the trigger is fresh (else it becomes a button);
        words go to the DM, or answer in the channel."""
        trigger = origin.trigger_id
        for reply in replies:
            form_button = False
            if reply.form is not None:
                if trigger and await self._open_form(client, trigger, reply.form):
                    trigger = ""  # a trigger opens one modal only
                else:
                    form_button = True
            if form_button and not (reply.text.strip() or reply.heading.strip()):
                reply = dataclasses.replace(reply, text=texts().form_later)
            try:
                messages = render_reply(reply, form_button=form_button)
            except RenderError as error:
                log.error("slack reply cannot be rendered: %s", error)
                messages = [text_message(texts().generic_error)]
            # Words about a file (an export) stay as private as the file itself.
            private = reply.private or reply.attachment is not None
            await self._send(messages, private, origin, client)
            if reply.attachment is not None:
                await self._hand_over(reply.attachment, origin, client)

    async def _hand_over(
        self, attachment: Attachment, origin: Origin, client: AsyncWebClient
    ) -> None:
        """A file always goes to the person's DM, wherever they asked for it; if it cannot,
        they are told privately rather than left waiting for it."""
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
        await self._send([text_message(texts().file_failed)], True, origin, client)

    async def _open_form(self, client: AsyncWebClient, trigger_id: str, form: Form) -> bool:
        try:
            await self._outbox.open_view(client, trigger_id, render_form(form))
        except SlackApiError as error:
            log_api_error("opening a form", error)
            return False
        except RenderError as error:
            log.error("slack form cannot be rendered: %s", error)
            return False
        return True

    async def _open_later_form(self, blob: str, origin: Origin, client: AsyncWebClient) -> None:
        form = decode_form(blob)
        if form is not None and origin.trigger_id:
            await self._open_form(client, origin.trigger_id, form)

    async def _send(
        self,
        messages: Sequence[SlackMessage],
        private: bool,
        origin: Origin,
        client: AsyncWebClient,
    ) -> None:
        for message in messages:
            try:
                if origin.dm_channel:
                    await self._outbox.post(client, origin.dm_channel, message)
                elif origin.response_url:
                    await self._outbox.respond(origin.response_url, message, ephemeral=private)
                else:
                    channel = await self._outbox.open_dm(client, origin.team_id, origin.user_id)
                    await self._outbox.post(client, channel, message)
            except SlackApiError as error:
                log_api_error("sending a reply", error)
                if not (origin.dm_channel and origin.response_url):
                    return
                # Not a conversation the bot can post in after all (a DM between people, or
                # the person closed ours): answer where they pressed, through response_url.
                origin = dataclasses.replace(origin, dm_channel="")
                with contextlib.suppress(ResponseUrlError, aiohttp.ClientError, TimeoutError):
                    await self._outbox.respond(origin.response_url, message, ephemeral=private)
            except ResponseUrlError as error:
                log.warning("slack response_url refused a reply: HTTP %s", error.status)
                return
            except (aiohttp.ClientError, TimeoutError) as error:
                log.warning("slack reply not sent: %s", type(error).__name__)
                return


def _delivery(body: Mapping[str, Any]) -> str:
    """A key for one delivery: Slack's event id (an event is retried under the same id), else
    a fresh one (interactions are never retried)."""
    event_id = body.get("event_id")
    if isinstance(event_id, str) and event_id:
        return f"event:{event_id}"
    return f"interaction:{uuid.uuid4().hex}"


def _event_type(body: Mapping[str, Any]) -> str:
    event = body.get("event")
    kind = event.get("type") if isinstance(event, Mapping) else None
    return kind if isinstance(kind, str) else ""


def build_app(
    handler: Handler,
    settings: Settings,
    *,
    dedupe: Dedupe,
    clock: Clock,
    on_community_removed: CommunityRemoved,
    installation_store: AsyncInstallationStore | None = None,
    state_store: AsyncOAuthStateStore | None = None,
    organizations: Organizations | None = None,
    session: aiohttp.ClientSession | None = None,
    sleep: Sleep = asyncio.sleep,
    answer_budget: float = DEFAULT_ANSWER_BUDGET,
    workers: int = DEFAULT_WORKERS,
    on_zone_changed: ZoneChanged | None = None,
    inbox: Inbox | None = None,
) -> SlackBot:
    """Build the Slack adapter around ``handler`` (the engine or a test fake).

    Single workspace with ``SLACK_BOT_TOKEN``; many with ``SLACK_CLIENT_ID`` and
    ``SLACK_CLIENT_SECRET``, in which case ``installation_store`` and ``state_store`` are
    required; ``organizations`` remembers which workspaces an org-wide install reached, so its
    uninstall erases them all.
    ``clock`` gives aware datetimes (it also judges request timestamps); ``sleep``
    is how 429s are waited out; ``session`` is reused for every Slack call when given;
    ``workers`` bounds the after-ack work running at once; ``on_zone_changed`` hears of a
    person's new Slack time zone (``user_change``); ``inbox`` keeps acknowledged work until it
    is done (see :mod:`adapters.slack.kept`).
    """
    return SlackBot(
        handler=handler,
        settings=settings,
        dedupe=dedupe,
        clock=clock,
        on_community_removed=on_community_removed,
        installation_store=installation_store,
        state_store=state_store,
        organizations=organizations,
        session=session,
        sleep=sleep,
        answer_budget=answer_budget,
        workers=workers,
        on_zone_changed=on_zone_changed,
        inbox=inbox,
    )
