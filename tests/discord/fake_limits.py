"""Discord's rate limits, for the fake Discord (:class:`tests.discord.fake_discord.FakeDiscord`
with ``limits=RateLimits()``).

As Discord documents them: a global limit of 50 requests a second per bot (interaction
answers exempt), and per-route buckets, each announced on every answer in ``X-RateLimit-Limit``,
``-Remaining``, ``-Reset``, ``-Reset-After`` and ``-Bucket``, kept per major parameter (a
message's channel). Over a limit the answer is 429 with ``Retry-After``, ``retry_after`` in the
body, and ``X-RateLimit-Global`` when it was the global one. Discord publishes no figures for
single routes (clients are to read the headers), so the buckets here are this fake's: 5
messages per channel in 5 seconds, as Discord has long answered, and 30 new DM channels a
second. The global window slides (no second anywhere holds more than 50), the strictest
reading of "50 a second".
"""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EXEMPT = re.compile(r"/(interactions|webhooks)/.*")


@dataclass(frozen=True)
class RouteLimit:
    """A route's bucket: ``limit`` requests per ``per`` seconds, per major parameter (the
    ``major`` group of ``path``, if any)."""

    method: str
    path: str  # a regex, matched in full
    bucket: str  # the hash announced in X-RateLimit-Bucket
    limit: int
    per: float

    def major(self, method: str, path: str) -> str | None:
        """The major parameter if this bucket covers the request, else None."""
        if method != self.method or (match := re.fullmatch(self.path, path)) is None:
            return None
        return match.groupdict().get("major") or ""


DM_OPEN = RouteLimit("POST", r"/users/@me/channels", "7a1f0c3e9b2d4f6a", 30, 1.0)
CHANNEL_MESSAGES = RouteLimit(
    "POST", r"/channels/(?P<major>\d+)/messages", "80c17d2f8ca9a4f1", 5, 5.0
)


@dataclass
class Verdict:
    """Whether a request may go on, the headers its answer carries, and a 429's body."""

    headers: dict[str, str]
    refusal: dict[str, Any] | None = None


@dataclass
class _Window:
    ends: float
    used: int = 0


@dataclass
class RateLimits:
    """The limits, enforced on the moment each request arrives."""

    per_second: int = 50
    routes: tuple[RouteLimit, ...] = (DM_OPEN, CHANNEL_MESSAGES)
    second: float = 1.0  # the global window, shortened by tests that must not wait
    clock: Callable[[], float] = time.monotonic
    # Every 429, by what refused it ("global" or "bucket:major"), in order.
    refused: list[str] = field(default_factory=list)
    _starts: deque[float] = field(default_factory=deque)
    _windows: dict[str, _Window] = field(default_factory=dict)

    def admit(self, method: str, path: str) -> Verdict:
        """Count a request arriving now: a 429 :class:`Verdict` if it is over a limit."""
        now = self.clock()
        if not EXEMPT.fullmatch(path):
            while self._starts and self._starts[0] <= now - self.second:
                self._starts.popleft()
            if len(self._starts) >= self.per_second:
                wait = self._starts[0] + self.second - now
                self.refused.append("global")
                headers = {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
                return self._refusal(wait, headers, is_global=True)
            self._starts.append(now)
        for route in self.routes:
            major = route.major(method, path)
            if major is not None:
                return self._bucket(route, major, now)
        return Verdict({})

    def _bucket(self, route: RouteLimit, major: str, now: float) -> Verdict:
        key = f"{route.bucket}:{major}"
        window = self._windows.get(key)
        if window is None or now >= window.ends:
            window = self._windows[key] = _Window(now + route.per)
        left = window.ends - now
        headers = {
            "X-RateLimit-Limit": str(route.limit),
            "X-RateLimit-Remaining": str(max(0, route.limit - window.used - 1)),
            "X-RateLimit-Reset": f"{time.time() + left:.3f}",
            "X-RateLimit-Reset-After": f"{left:.3f}",
            "X-RateLimit-Bucket": route.bucket,
        }
        if window.used >= route.limit:
            self.refused.append(key)
            headers["X-RateLimit-Scope"] = "user"
            return self._refusal(left, headers, is_global=False)
        window.used += 1
        return Verdict(headers)

    def _refusal(self, wait: float, headers: dict[str, str], *, is_global: bool) -> Verdict:
        body = {"message": "You are being rate limited.", "retry_after": round(wait, 3),
                "global": is_global}  # fmt: skip
        # Via: discord.py takes a 429 without it for Cloudflare's ban, not Discord's answer.
        extra = {"Retry-After": f"{wait:.3f}", "Via": "1.1 google"}
        return Verdict({**headers, **extra}, refusal=body)

    def after_first(self) -> int:
        """429s beyond the first of each bucket (and of the global limit)."""
        return sum(count - 1 for count in Counter(self.refused).values())
