"""The apps that ``bench/slack.py`` measures, and the fake Slack they talk to.

Bare Bolt apps whose slash commands only ack (the floor), the same with each command's Slack
call made after its ack, an engine that says nothing, and a fake Web API and response_url
endpoint on loopback that say yes to everything and remember the first body of each call.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.events import Event
from bot.replies import Reply

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"


def fake_slack_process(pipe: Connection) -> None:
    """Serve the fake Slack in its own process: Slack's work is not ours to measure."""

    async def run() -> None:
        runner, url = await fake_slack()
        pipe.send(url)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    asyncio.run(run())


async def fake_slack() -> tuple[web.AppRunner, str]:
    """A Web API and response_url endpoint that say yes to everything, on loopback."""
    counter = itertools.count(1)
    first: dict[str, bytes] = {}

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        first.setdefault(method, await request.read())
        if method == "auth.test":
            return web.json_response(
                {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"}
            )
        if method == "users.info":
            return web.json_response({"ok": True, "user": {"id": "U1", "tz": "Europe/Paris"}})
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "D1"}})
        return web.json_response({"ok": True, "ts": f"{next(counter)}.0", "view": {"id": "V1"}})

    async def respond(request: web.Request) -> web.Response:
        first.setdefault("response_url", await request.read())
        return web.Response(text="ok")

    async def seen(request: web.Request) -> web.Response:
        return web.Response(body=first.get(request.match_info["call"], b"{}"))

    app = web.Application()
    app.router.add_post("/api/{method}", api)
    app.router.add_get("/api/{method}", api)  # users.info is a GET
    app.router.add_post("/respond", respond)
    app.router.add_get("/first/{call}", seen)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


class Silent:
    """An engine with nothing to say: isolates the adapter's own cost from the engine's."""

    async def handle(self, event: Event, now: dt.datetime) -> list[Reply]:
        return []


def bare_bolt(
    api_url: str,
    session: aiohttp.ClientSession,
    *,
    process_before_response: bool,
    follow_up: FollowUps | None = None,
) -> web.Application:
    """A Bolt app whose slash commands only ack: what any Bolt app pays at minimum. With
    ``follow_up``, each command's Slack call follows its ack. Its Web API client keeps its
    connections in ``session``, as the adapter's does."""
    bolt = AsyncApp(
        name="floor",
        signing_secret=SECRET,
        client=AsyncWebClient(token=TOKEN, base_url=f"{api_url}/api/", session=session),
        process_before_response=process_before_response,
    )

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    if follow_up is None:
        bolt.command("/rejected")(only_ack)
        bolt.command("/progress")(only_ack)
    else:
        for command in ("/rejected", "/progress"):
            bolt.command(command)(follow_up.listener(command))
    return bolt.web_app()


class FollowUps:
    """After each ack, the Slack call the adapter makes for that command, with the very body
    the adapter sent (as the fake Slack first received it): ``views.open`` with the
    rejection form, or the ephemeral answer to ``/progress`` through its response_url, on
    the adapter's shared HTTP session. No engine, no database: what one event loop pays for
    the acks and the platform's calls alone.

    Each call is a task started once the listener has acked, as Bolt's lazy listeners start
    theirs; not through them, because they deep-copy the request, shared session included.
    """

    def __init__(
        self, view: dict[str, Any], answer: dict[str, Any], session: aiohttp.ClientSession
    ) -> None:
        self._view = view
        self._answer = answer
        self._session = session
        self._running: set[asyncio.Task[None]] = set()

    @classmethod
    async def as_sent(cls, session: aiohttp.ClientSession, api_url: str) -> FollowUps:
        """The bodies the fake Slack first received from the adapter."""
        bodies = []
        for call in ("views.open", "response_url"):
            async with session.get(f"{api_url}/first/{call}") as response:
                bodies.append(json.loads(await response.read()))
        return cls(bodies[0]["view"], bodies[1], session)

    def listener(self, command: str) -> Callable[..., Awaitable[None]]:
        """A slash command listener that acks, then makes ``command``'s call."""
        call = self._open_view if command == "/rejected" else self._respond

        async def ack_then_call(
            ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
        ) -> None:
            await ack()
            task = asyncio.ensure_future(call(body, client))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

        return ack_then_call

    async def _open_view(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_open(trigger_id=body["trigger_id"], view=self._view)

    async def _respond(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        # A webhook client on the shared session, as the adapter answers (Bolt's ``respond``
        # opens an HTTP session for every answer).
        webhook = AsyncWebhookClient(body["response_url"], session=self._session)
        await webhook.send_dict(self._answer)

    async def drain(self) -> None:
        """Until every call started has finished."""
        while self._running:
            await asyncio.gather(*self._running)


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
