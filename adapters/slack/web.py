"""The adapter's HTTP endpoints: Slack's requests, the OAuth pages and a health check.

Bolt ships no aiohttp request handler that could take the verification step below (its
``AsyncSlackAppServer`` posts straight to ``async_dispatch``), so the events route is ours;
the OAuth pages use Bolt's own request and response translation.
"""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.oauth import INSTALL_PATH, REDIRECT_PATH
from adapters.slack.outbox import log
from adapters.slack.verify import RequestVerifier

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# The one line logged for a signed request Bolt cannot read (never its body).
UNREADABLE_BODY = "slack request body is not a JSON object or form; answered 400"


def web_app(bolt: AsyncApp, verifier: RequestVerifier, *, events: bool = True) -> web.Application:
    """``/slack/events`` (when ``events``), the OAuth pages when multi-workspace, and
    ``/healthz``."""
    app = web.Application()
    app.router.add_get(HEALTH_PATH, _health)
    if events:
        app.router.add_post(EVENTS_PATH, _Events(bolt, verifier).handle)
    flow = bolt.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_installation(await to_bolt_request(request))
            )

        async def redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_callback(await to_bolt_request(request))
            )

        app.router.add_get(INSTALL_PATH, install)
        app.router.add_get(REDIRECT_PATH, redirect)
    return app


async def _health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


class _Events:
    """Slack's requests: verified first (see :mod:`.verify`), then handed to Bolt."""

    def __init__(self, bolt: AsyncApp, verifier: RequestVerifier) -> None:
        self._bolt = bolt
        self._verifier = verifier

    async def handle(self, request: web.Request) -> web.Response:
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
        return await to_aiohttp_response(await self._bolt.async_dispatch(bolt_request))
