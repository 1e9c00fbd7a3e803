"""Waiting out Slack's rate limits: a 429 is retried after its Retry-After, then the call goes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

Sleep = Callable[[float], Awaitable[None]]

# Slack asks for a second or a few; a much longer wait is better left to the caller (the
# check-in scheduler retries later) than held inside one request.
DEFAULT_MAX_WAIT = 60.0


def retry_after(headers: Mapping[str, str | Sequence[str]]) -> float:
    """Seconds to wait according to a Retry-After header (1 when absent or unreadable)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            first = value if isinstance(value, str) else (value[0] if value else "")
            try:
                return max(0.0, float(first))
            except ValueError:
                break
    return 1.0


class _InjectedSleep(AsyncRetryHandler):
    """slack_sdk's handlers wait with ``asyncio.sleep`` itself (the 429 one adds up to a
    second of random jitter); ours wait through a ``sleep`` given to them, so tests honour
    every wait without waiting. Each says how long in ``_pause``."""

    def __init__(self, *, max_retry_count: int, sleep: Sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    def _pause(self, response: HttpResponse | None) -> float:
        raise NotImplementedError

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await self._sleep(self._pause(response))
        state.increment_current_attempt()


class RetryAfterHandler(_InjectedSleep, AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, waiting exactly the Retry-After Slack asked for (a fraction of
    a second too, which the library's ``int()`` would refuse), and not at all when Slack asks
    for more than ``max_wait``."""

    def __init__(
        self,
        *,
        max_retry_count: int = 3,
        max_wait: float = DEFAULT_MAX_WAIT,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count, sleep=sleep)
        self._max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        rate_limited = await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )
        return rate_limited and response is not None and self._pause(response) <= self._max_wait

    def _pause(self, response: HttpResponse | None) -> float:
        return retry_after(response.headers) if response is not None else 1.0


class ReconnectHandler(_InjectedSleep, AsyncConnectionErrorRetryHandler):
    """slack_sdk's handler for a dropped connection: once, after a short pause."""

    def __init__(self, *, sleep: Sleep = asyncio.sleep, pause: float = 0.5) -> None:
        super().__init__(max_retry_count=1, sleep=sleep)
        self._pause_seconds = pause

    def _pause(self, response: HttpResponse | None) -> float:
        return self._pause_seconds


def retry_handlers(sleep: Sleep = asyncio.sleep) -> list[AsyncRetryHandler]:
    """The retry policy of every Slack call: a dropped connection once, 429s as asked."""
    return [ReconnectHandler(sleep=sleep), RetryAfterHandler(sleep=sleep)]
