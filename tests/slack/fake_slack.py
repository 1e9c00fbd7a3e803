"""A fake Slack on loopback: the Web API, response_urls and a Socket Mode websocket.

A real aiohttp server on 127.0.0.1 (port 0). It answers the methods the adapter uses with
plausible payloads, records every request it receives for tests to assert on, and can be told
to answer a method differently (an error, a 429 with Retry-After) a given number of times.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.loopback import Loopback


@dataclass(frozen=True)
class Call:
    """One request the fake received: Web API ``method`` (or ``response_url``) and its args."""

    method: str
    args: dict[str, Any]
    token: str = ""
    path: str = ""


@dataclass(frozen=True)
class Scripted:
    """A canned answer used instead of the default one."""

    body: Mapping[str, Any]
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


class FakeSlack:
    """The fake server. ``await start()``, use ``api_url``/``response_url()``, ``await stop()``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._holds: dict[str, asyncio.Event] = {}
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._loopback = Loopback()
        self.port = 0
        # Socket Mode: envelopes to push once a client connects, and what it sends back.
        self.socket_outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.socket_inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        # users.info answers: user id -> flags merged into a plain member's record.
        self.users: dict[str, dict[str, Any]] = {}
        # The Home tab view last published per user (views.publish).
        self.homes: dict[str, Any] = {}
        # Uploaded files by id, with the conversation each was shared into ("" for none): as
        # at Slack, an image block may show only a file someone besides the bot can see.
        self.shared: dict[str, str] = {}
        # Tokens Slack no longer takes, with the error every method answers them with
        # ("token_revoked" once the app is uninstalled).
        self.token_errors: dict[str, str] = {}
        # Messages posted per conversation, newest first, as conversations.history lists them.
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.installation = {
            "ok": True,
            "app_id": "A1",
            "authed_user": {"id": "UADMIN"},
            "scope": "chat:write,commands,im:history,im:write",
            "token_type": "bot",
            "access_token": "xoxb-installed-T9",
            "bot_user_id": "UBOT9",
            "team": {"id": "T9", "name": "Nine"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # users.info and other reads
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self.port = await self._loopback.serve(app)

    async def stop(self) -> None:
        await self._loopback.close()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    def script(
        self,
        method: str,
        body: Mapping[str, Any],
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with ``body`` instead of the default."""
        for _ in range(times):
            self._scripts[method].append(Scripted(body, status, headers or {}))

    def hold(self, method: str) -> asyncio.Event:
        """Keep every answer to ``method`` waiting until the returned event is set."""
        return self._holds.setdefault(method, asyncio.Event())

    async def called(self, method: str) -> None:
        """Until ``method`` has been called (bounded by the caller's own timeout)."""
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self.calls_to(method)))

    async def called_times(self, method: str, count: int) -> None:
        """Until ``method`` has been called ``count`` times (bounded by the caller's timeout)."""
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    @property
    def api_calls(self) -> list[Call]:
        """Every call except auth.test (Bolt's one-off token check)."""
        return [call for call in self.calls if call.method != "auth.test"]

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        else:
            args.update(dict(await request.post()))
        for key in ("blocks", "view"):  # form-encoded JSON fields
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.calls.append(Call(method, args, token, request.path))
        async with self._changed:
            self._changed.notify_all()
        if method in self._holds:
            await self._holds[method].wait()
        if self._scripts[method]:
            scripted = self._scripts[method].popleft()
            return web.json_response(
                dict(scripted.body), status=scripted.status, headers=dict(scripted.headers)
            )
        if token in self.token_errors:
            return web.json_response({"ok": False, "error": self.token_errors[token]})
        return web.json_response(self._default(method, args, token))

    def _default(self, method: str, args: Mapping[str, Any], token: str) -> dict[str, Any]:
        if method == "auth.test":
            team = "T9" if token.endswith("T9") else "T1"
            return {
                "ok": True,
                "team_id": team,
                "user_id": f"UBOT{team[1:]}",
                "bot_id": f"BBOT{team[1:]}",
                "url": "https://fake.slack.test/",
                "is_enterprise_install": False,
            }
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{args.get('users', '')}"}}
        if method == "chat.postMessage":
            ts = f"{next(self._ts)}.000100"
            posted: dict[str, Any] = {"type": "message", "ts": ts, "text": args.get("text", "")}
            metadata = args.get("metadata")
            if isinstance(metadata, str):  # form-encoded
                metadata = json.loads(metadata)
            if metadata:
                posted["metadata"] = metadata
            self.history[str(args.get("channel", ""))].insert(0, posted)
            return {"ok": True, "channel": args.get("channel"), "ts": ts}
        if method == "conversations.history":
            found = self.history[str(args.get("channel", ""))][: int(args.get("limit", 100))]
            if str(args.get("include_all_metadata", "")).lower() not in ("true", "1"):
                found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
            return {"ok": True, "messages": found, "has_more": False}
        if method in ("views.open", "views.update", "views.push"):
            return {"ok": True, "view": {"id": "V1"}}
        if method == "oauth.v2.access":
            return self.installation
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            upload_url = f"http://127.0.0.1:{self.port}/upload/{file_id}"
            return {"ok": True, "file_id": file_id, "upload_url": upload_url}
        if method == "files.completeUploadExternal":
            uploads = args.get("files", "[]")
            listed = json.loads(uploads) if isinstance(uploads, str) else uploads
            ids = [str(item.get("id", "F1")) for item in listed] or ["F1"]
            for file_id in ids:
                self.shared[file_id] = str(args.get("channel_id", "") or args.get("channels", ""))
            return {"ok": True, "files": [{"id": file_id, "title": "file"} for file_id in ids]}
        if method == "views.publish":
            if any(not self.shared.get(file_id) for file_id in _image_files(args.get("view"))):
                return {"ok": False, "error": "invalid_blocks"}
            self.homes[str(args.get("user_id", ""))] = args.get("view", {})
            return {"ok": True, "view": {"id": "VHOME", "type": "home"}}
        if method == "files.delete":
            return {"ok": True}
        if method in ("chat.update", "chat.postEphemeral", "reactions.add"):
            return {"ok": True}
        if method == "chat.delete":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "users.info":
            user_id = str(args.get("user", ""))
            team = "T9" if token.endswith("T9") else "T1"
            user = {"id": user_id, "team_id": team, "name": "member", "deleted": False,
                    "is_admin": False, "is_owner": False, "is_primary_owner": False}  # fmt: skip
            user.update(self.users.get(user_id, {}))
            return {"ok": True, "user": user}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        args = await request.json()
        self.calls.append(Call("response_url", args, path=request.path))
        if self._scripts["response_url"]:
            scripted = self._scripts["response_url"].popleft()
            return web.Response(status=scripted.status, text="no")
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        content = await request.read()
        self.calls.append(Call("upload", {"content": content}, path=request.path))
        return web.Response(text="OK - 1")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})

        async def push() -> None:
            while True:
                await ws.send_json(await self.socket_outbox.get())

        pusher = asyncio.create_task(push())
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self.socket_inbox.put(json.loads(message.data))
        finally:
            pusher.cancel()
        return ws


def _image_files(view: object) -> list[str]:
    """The Slack file ids a view's image blocks show."""
    if isinstance(view, str):  # form-encoded
        view = json.loads(view)
    blocks = view.get("blocks", []) if isinstance(view, dict) else []
    return [
        str(block["slack_file"].get("id", ""))
        for block in blocks
        if isinstance(block, dict) and isinstance(block.get("slack_file"), dict)
    ]
