"""A fake Discord: the REST API (and a minimal gateway) as a real HTTP server on loopback.

It answers the routes the adapter uses the way Discord documents them, remembers the
messages it "created" (with nonce deduplication, like ``enforce_nonce``), the threads started
from them, reactions and deletions, can refuse a person's DMs with error 50007, can archive a
thread (then it refuses changes there with 50083 until it is unarchived), can answer with
scripted failures (429, 5xx), and records every request so tests assert on the exact payloads.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from tests.discord.fake_limits import RateLimits
from tests.loopback import Loopback, Served

APP_ID = 1_100_000_000_000_000_001
BOT_ID = 1_100_000_000_000_000_002
GUILD_ID = 1_200_000_000_000_000_001
OTHER_GUILD_ID = 1_200_000_000_000_000_002
CHANNEL_ID = 1_300_000_000_000_000_001
USER_ID = 1_400_000_000_000_000_001
TIMESTAMP = "2026-03-10T14:30:00.000000+00:00"

BOT_USER = {
    "id": str(BOT_ID),
    "username": "bounceback",
    "discriminator": "0",
    "global_name": "Bounceback",
    "avatar": None,
    "bot": True,
}


def user_payload(user_id: int = USER_ID, name: str = "Ada") -> dict[str, Any]:
    """A Discord user object."""
    return {
        "id": str(user_id),
        "username": name.lower(),
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
    }


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status=status)


def _no_content() -> web.Response:
    return web.Response(status=204)


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    # Exactly "application/json" (no charset): discord.py parses JSON only then, as from Discord.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


@dataclass(frozen=True)
class Upload:
    """One file of a multipart request (``files[n]``), as received."""

    field: str
    filename: str
    content_type: str
    content: bytes


@dataclass
class Call:
    """One request the fake received. A multipart request (a message with files) has its
    ``payload_json`` as ``body`` and its files in ``files``, the way Discord reads it."""

    method: str
    path: str  # after the API base, e.g. "/channels/1/messages"
    query: dict[str, str]
    body: Any
    headers: Mapping[str, str]
    files: list[Upload] = field(default_factory=list)
    multipart: bool = False
    limit_headers: dict[str, str] = field(default_factory=dict)  # the bucket's, if limited
    refused: bool = False  # answered 429 for being over a rate limit


async def _read_multipart(request: web.Request) -> tuple[Any, list[Upload]]:
    """``payload_json`` and the files of a multipart request."""
    body: Any = {}
    files: list[Upload] = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        assert isinstance(part, BodyPartReader)
        if part.name == "payload_json":
            body = json.loads(await part.text())
        else:
            content_type = part.headers.get("Content-Type", "")
            files.append(Upload(part.name or "", part.filename or "", content_type,
                                bytes(await part.read())))  # fmt: skip
    return body, files


@dataclass
class _Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    times: int


@dataclass
class _Gateway:
    socket: web.WebSocketResponse
    shard: list[int] | None = None
    sequence: int = 0
    identify: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeDiscord(Served):
    """Start with ``await fake.start()``; its ``base_url`` goes into ``DISCORD_API_URL``."""

    calls: list[Call] = field(default_factory=list)
    closed_dms: set[int] = field(default_factory=set)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # Threads started from a message: thread id (= the message's id) -> the thread object.
    threads: dict[int, dict[str, Any]] = field(default_factory=dict)
    reactions: list[tuple[int, int, str]] = field(default_factory=list)  # channel, message, emoji
    deleted: list[tuple[int, int]] = field(default_factory=list)  # channel, message
    # Private threads' members, by thread id; people no longer in the server.
    thread_members: dict[int, set[int]] = field(default_factory=dict)
    left_server: set[int] = field(default_factory=set)
    gateways: list[_Gateway] = field(default_factory=list)
    shards: int = 1
    # The servers the bot is in (GUILD_CREATE payloads): listed in each shard's READY,
    # unavailable at first as at Discord, then each sent as a GUILD_CREATE.
    servers: list[dict[str, Any]] = field(default_factory=list)
    # Discord's rate limits, enforced when set (see tests.discord.fake_limits).
    limits: RateLimits | None = None
    base_url: str = ""
    ws_url: str = ""
    _ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(1_500_000_000_000_000_001)
    )
    _failures: list[_Failure] = field(default_factory=list)
    _nonces: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    _dm_channels: dict[int, int] = field(default_factory=dict)
    _recipients: dict[int, int] = field(default_factory=dict)  # DM channel -> user
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _loopback: Loopback = field(default_factory=Loopback)

    async def start(self) -> str:
        """Listen on 127.0.0.1 on a free port; returns the API base URL."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        port = await self._loopback.serve(app)
        self.base_url = f"http://127.0.0.1:{port}/api/v10"
        self.ws_url = f"ws://127.0.0.1:{port}/gateway"
        return self.base_url

    async def close(self) -> None:
        """Stop listening and drop open gateway connections."""
        for gateway in self.gateways:
            await gateway.socket.close()
        await self._loopback.close()

    # Scripting.

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        body: Any,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests matching ``method`` and ``path`` (a regex) so."""
        self._failures.append(
            _Failure(method, re.compile(path), status, body, headers or {}, times)
        )

    def rate_limit(self, method: str, path: str, retry_after: float, *, times: int = 1) -> None:
        """Answer with 429 like Discord does (behind its proxy, hence ``Via``)."""
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": False,
        }
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(retry_after),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": str(retry_after),
            "X-RateLimit-Bucket": "fake-bucket",
            "X-RateLimit-Scope": "user",
        }
        self.fail(method, path, 429, body, headers=headers, times=times)

    # Looking at what happened.

    def find(self, method: str, path: str) -> list[Call]:
        """Recorded calls with ``method`` whose path fully matches the regex ``path``."""
        pattern = re.compile(path)
        return [c for c in self.calls if c.method == method and pattern.fullmatch(c.path)]

    def callbacks(self) -> list[dict[str, Any]]:
        """Bodies of every interaction response (``POST /interactions/.../callback``)."""
        return [c.body for c in self.find("POST", r"/interactions/\d+/[^/]+/callback")]

    def followups(self) -> list[dict[str, Any]]:
        """Bodies of follow-up messages and edits of the original response, in order."""
        return [
            c.body
            for c in self.calls
            if re.fullmatch(r"/webhooks/\d+/[^/]+(/messages/@original)?", c.path)
            and c.method in ("POST", "PATCH")
        ]

    def channel_posts(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Bodies of ``POST /channels/{id}/messages`` (all channels, or one)."""
        wanted = str(channel_id) if channel_id is not None else r"\d+"
        return [c.body for c in self.find("POST", rf"/channels/{wanted}/messages")]

    def dm_channel(self, user_id: int) -> int:
        """The DM channel id this fake gives ``user_id``."""
        if user_id not in self._dm_channels:
            self._dm_channels[user_id] = next(self._ids)
            self._recipients[self._dm_channels[user_id]] = user_id
        return self._dm_channels[user_id]

    def add_message(
        self, channel_id: int, author: dict[str, Any], content: str, *, button: str = ""
    ) -> dict[str, Any]:
        """Put a message into a channel's history (as if someone had written it), with one
        grey button of ``button``'s custom id if given (labelled with its last part)."""
        message = self._message(channel_id, {"content": content}, author=author)
        if button:
            label = button.rsplit(":", 1)[-1]
            grey = {"type": 2, "style": 2, "label": label, "custom_id": button}
            message["components"] = [{"type": 1, "components": [grey]}]
        self.messages.setdefault(channel_id, []).append(message)
        return message

    def archive(self, thread_id: int) -> None:
        """Archive a thread, as Discord does when it has been idle."""
        self.threads[thread_id]["thread_metadata"]["archived"] = True

    async def wait_for(self, predicate: Callable[[FakeDiscord], bool]) -> None:
        """Until ``predicate(self)`` holds; a 5-second safety limit, not a sleep."""
        async with asyncio.timeout(5.0), self._changed:
            await self._changed.wait_for(lambda: predicate(self))

    # The gateway.

    async def dispatch(self, event: str, data: dict[str, Any], shard: int = 0) -> None:
        """Send a gateway DISPATCH event on the connection of ``shard``."""
        for gateway in self.gateways:
            if (gateway.shard or [0])[0] == shard:
                gateway.sequence += 1
                await gateway.socket.send_str(
                    json.dumps({"op": 0, "t": event, "s": gateway.sequence, "d": data})
                )
                return
        raise LookupError(f"no gateway connection for shard {shard}")

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        gateway = _Gateway(socket)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45_000}}))
        async for frame in socket:
            if frame.type is not WSMsgType.TEXT:
                break
            payload = json.loads(frame.data)
            if payload.get("op") == 1:  # heartbeat
                await socket.send_str(json.dumps({"op": 11}))
            elif payload.get("op") == 2:  # identify
                gateway.identify = payload["d"]
                gateway.shard = payload["d"].get("shard")
                async with self._changed:
                    self.gateways.append(gateway)
                    self._changed.notify_all()
                gateway.sequence += 1
                shard, count = gateway.shard or [0, 1]
                mine = [g for g in self.servers if (int(g["id"]) >> 22) % count == shard]
                ready = {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [{"id": g["id"], "unavailable": True} for g in mine],
                    "session_id": f"session-{len(self.gateways)}",
                    "resume_gateway_url": self.ws_url,
                    "application": {"id": str(APP_ID), "flags": 0},
                    "shard": gateway.shard or [0, 1],
                }
                await socket.send_str(
                    json.dumps({"op": 0, "t": "READY", "s": gateway.sequence, "d": ready})
                )
                for guild in mine:
                    gateway.sequence += 1
                    created = {"op": 0, "t": "GUILD_CREATE", "s": gateway.sequence, "d": guild}
                    await socket.send_str(json.dumps(created))
        return socket

    # The REST API.

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        files: list[Upload] = []
        body: Any
        if request.content_type == "multipart/form-data":
            body, files = await _read_multipart(request)
        else:
            raw = await request.text()
            body = json.loads(raw) if raw and request.content_type == "application/json" else raw
        call = Call(
            request.method, path, dict(request.query), body, dict(request.headers), files,
            multipart=request.content_type == "multipart/form-data",
        )  # fmt: skip
        async with self._changed:
            self.calls.append(call)
            response = self._limited(call) or self._scripted(call) or self._route(call)
            response.headers.update(call.limit_headers)
            self._changed.notify_all()
        return response

    def _limited(self, call: Call) -> web.Response | None:
        """A 429 when the request is over a limit; else None, and the bucket's headers are
        added to the answer when it is made."""
        if self.limits is None:
            return None
        verdict = self.limits.admit(call.method, call.path)
        if verdict.refusal is not None:
            call.refused = True
            return _json(verdict.refusal, status=429, headers=verdict.headers)
        call.limit_headers = verdict.headers
        return None

    def _scripted(self, call: Call) -> web.Response | None:
        for failure in self._failures:
            if (
                failure.times > 0
                and failure.method == call.method
                and failure.pattern.fullmatch(call.path)
            ):
                failure.times -= 1
                return _json(failure.body, status=failure.status, headers=failure.headers)
        return None

    def _route(self, call: Call) -> web.Response:
        method, path, body = call.method, call.path, call.body
        if method == "GET" and path == "/users/@me":
            return _json(BOT_USER)
        if method == "GET" and path == "/oauth2/applications/@me":
            return _json(self._application())
        if method == "GET" and path == "/gateway/bot":
            return _json(
                {
                    "url": self.ws_url,
                    "shards": self.shards,
                    "session_start_limit": {
                        "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1,
                    },
                }
            )  # fmt: skip
        if method == "PUT" and re.fullmatch(
            rf"/applications/{APP_ID}(/guilds/\d+)?/commands", path
        ):
            return _json([self._command(command, path) for command in body])
        if match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return _json(self._callback(int(match[1]), body, call.files))
        if method == "POST" and (match := re.fullmatch(r"/webhooks/\d+/([^/]+)", path)):
            return _json(self._message(CHANNEL_ID, body, webhook=True, files=call.files))
        if method == "PATCH" and re.fullmatch(r"/webhooks/\d+/[^/]+/messages/@original", path):
            return _json(self._message(CHANNEL_ID, body, webhook=True, files=call.files))
        if method == "POST" and path == "/users/@me/channels":
            user_id = int(body["recipient_id"])
            return _json(
                {
                    "id": str(self.dm_channel(user_id)),
                    "type": 1,
                    "last_message_id": None,
                    "recipients": [user_payload(user_id)],
                }
            )
        if method == "POST" and (match := re.fullmatch(r"/channels/(\d+)/threads", path)):
            return self._start_private_thread(int(match[1]), body)
        if method == "PUT" and (
            match := re.fullmatch(r"/channels/(\d+)/thread-members/(\d+)", path)
        ):
            return self._add_thread_member(int(match[1]), int(match[2]))
        if method == "GET" and (match := re.fullmatch(r"/guilds/(\d+)/members/(\d+)", path)):
            if int(match[2]) in self.left_server:
                return _error(404, 10007, "Unknown Member")
            return _json({"user": user_payload(int(match[2])), "roles": [], "deaf": False,
                          "mute": False, "joined_at": TIMESTAMP, "flags": 0})  # fmt: skip
        if method == "POST" and (
            match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path)
        ):
            return self._start_thread(int(match[1]), int(match[2]), body)
        if method == "PUT" and (
            match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", path)
        ):
            return self._react(int(match[1]), int(match[2]), match[3])
        if method == "DELETE" and (match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path)):
            return self._delete(int(match[1]), int(match[2]))
        if method == "PATCH" and (match := re.fullmatch(r"/channels/(\d+)", path)):
            return self._edit_channel(int(match[1]), body)
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            channel_id = int(match[1])
            if method == "GET":
                limit = int(call.query.get("limit", "50"))
                history = list(reversed(self.messages.get(channel_id, [])))
                return _json(history[:limit])
            return self._post_message(channel_id, body, call.files)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _archived(self, channel_id: int) -> bool:
        thread = self.threads.get(channel_id)
        return thread is not None and bool(thread["thread_metadata"]["archived"])

    def _find(self, channel_id: int, message_id: int) -> dict[str, Any] | None:
        return next(
            (m for m in self.messages.get(channel_id, []) if m["id"] == str(message_id)), None
        )

    def _start_thread(self, channel_id: int, message_id: int, body: dict[str, Any]) -> web.Response:
        if self._find(channel_id, message_id) is None:
            return _error(404, 10008, "Unknown Message")
        if message_id in self.threads:
            return _error(400, 160004, "A thread has already been created for this message")
        name = body["name"]
        if not 1 <= len(name) <= 100:
            return _error(400, 50035, "Invalid Form Body")
        # Discord gives a thread started from a message that message's id.
        thread = {
            "id": str(message_id),
            "type": 11,
            "guild_id": str(GUILD_ID),
            "parent_id": str(channel_id),
            "owner_id": str(BOT_ID),
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 4320),
                "archive_timestamp": TIMESTAMP,
                "locked": False,
            },
        }
        self.threads[message_id] = thread
        return _json(thread, status=201)

    def _start_private_thread(self, channel_id: int, body: dict[str, Any]) -> web.Response:
        if body.get("type") != 12:
            return _error(400, 50035, "Invalid Form Body")
        thread_id = next(self._ids)
        thread = {
            "id": str(thread_id), "type": 12, "guild_id": str(GUILD_ID),
            "parent_id": str(channel_id), "owner_id": str(BOT_ID), "name": body["name"],
            "last_message_id": None, "rate_limit_per_user": 0, "message_count": 0,
            "member_count": 1,
            "thread_metadata": {"archived": False, "locked": False,
                                "invitable": body.get("invitable", True),
                                "auto_archive_duration": body.get("auto_archive_duration"),
                                "archive_timestamp": TIMESTAMP},
        }  # fmt: skip
        self.threads[thread_id] = thread
        self.thread_members[thread_id] = {BOT_ID}
        return _json(thread, status=201)

    def _add_thread_member(self, thread_id: int, user_id: int) -> web.Response:
        if thread_id not in self.thread_members:
            return _error(404, 10003, "Unknown Channel")
        if user_id in self.left_server:
            return _error(404, 10007, "Unknown Member")
        self.thread_members[thread_id].add(user_id)
        return _no_content()

    def _react(self, channel_id: int, message_id: int, emoji: str) -> web.Response:
        if self._archived(channel_id):
            return _error(400, 50083, "Thread is archived")
        if self._find(channel_id, message_id) is None:
            return _error(404, 10008, "Unknown Message")
        self.reactions.append((channel_id, message_id, emoji))
        return _no_content()

    def _delete(self, channel_id: int, message_id: int) -> web.Response:
        if self._archived(channel_id):
            return _error(400, 50083, "Thread is archived")
        message = self._find(channel_id, message_id)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        self.messages[channel_id].remove(message)
        self.deleted.append((channel_id, message_id))
        return _no_content()

    def _edit_channel(self, channel_id: int, body: dict[str, Any]) -> web.Response:
        thread = self.threads.get(channel_id)
        if thread is None:
            return _error(404, 10003, "Unknown Channel")
        if "archived" in body:
            thread["thread_metadata"]["archived"] = bool(body["archived"])
        return _json(thread)

    def _post_message(
        self, channel_id: int, body: dict[str, Any], files: list[Upload]
    ) -> web.Response:
        if self._archived(channel_id):
            return _error(400, 50083, "Thread is archived")
        recipient = self._recipients.get(channel_id)
        if recipient in self.closed_dms:
            error = {"message": "Cannot send messages to this user", "code": 50007}
            return _json(error, status=403)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # Discord returns the message it already created for this nonce.
            known = self._nonces.get((channel_id, str(nonce)))
            if known is not None:
                return _json(known)
        message = self._message(channel_id, body, files=files)
        self.messages.setdefault(channel_id, []).append(message)
        if nonce is not None:
            self._nonces[(channel_id, str(nonce))] = message
        return _json(message)

    def _message(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        *,
        author: dict[str, Any] | None = None,
        webhook: bool = False,
        files: list[Upload] | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": str(next(self._ids)),
            "channel_id": str(channel_id),
            "author": author or BOT_USER,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [self._attachment(upload) for upload in files or ()],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            "components": body.get("components", []),
        }
        if "nonce" in body:
            message["nonce"] = body["nonce"]
        if webhook:
            message["webhook_id"] = str(APP_ID)
        return message

    def _attachment(self, upload: Upload) -> dict[str, Any]:
        attachment_id = next(self._ids)
        url = f"https://cdn.discordapp.test/attachments/{attachment_id}/{upload.filename}"
        return {
            "id": str(attachment_id),
            "filename": upload.filename,
            "size": len(upload.content),
            "url": url,
            "proxy_url": url,
        }

    def _callback(
        self, interaction_id: int, body: dict[str, Any], files: list[Upload]
    ) -> dict[str, Any]:
        kind = body["type"]
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": kind,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(body.get("data", {}).get("flags", 0) & 64),
            }
        }
        if kind in (4, 5):
            message = self._message(CHANNEL_ID, body.get("data", {}), webhook=True, files=files)
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
        return answer

    def _command(self, command: dict[str, Any], path: str) -> dict[str, Any]:
        created = {
            **command,
            "id": str(next(self._ids)),
            "application_id": str(APP_ID),
            "version": "1",
        }
        if match := re.search(r"/guilds/(\d+)/", path):
            created["guild_id"] = match[1]
        return created

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "Bounceback",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(1_400_000_000_000_000_999, "Owner"),
            "verify_key": "0" * 64,
            "flags": 0,
        }
