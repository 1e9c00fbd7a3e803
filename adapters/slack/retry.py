"""Waiting out Slack's rate limits: a 429 is retried after its Retry-After, then the call goes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
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


class RetryAfterHandler(AsyncRetryHandler):
    """Retries a rate-limited (429) call after exactly the Retry-After Slack asked for.

    slack_sdk's own handler adds up to a second of random jitter on the real clock; this one
    takes its ``sleep`` as a parameter so tests can honour Retry-After without waiting.
    """

    def __init__(
        self,
        *,
        max_retry_count: int = 3,
        max_wait: float = DEFAULT_MAX_WAIT,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._max_wait = max_wait
        self._sleep = sleep

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return (
            response is not None
            and response.status_code == 429
            and retry_after(response.headers) <= self._max_wait
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await self._sleep(retry_after(response.headers) if response is not None else 1.0)
        state.increment_current_attempt()


class ReconnectHandler(AsyncConnectionErrorRetryHandler):
    """Retries a call once after a dropped connection, after a short pause (via ``sleep``)."""

    def __init__(self, *, sleep: Sleep = asyncio.sleep, pause: float = 0.5) -> None:
        super().__init__(max_retry_count=1)
        self._sleep = sleep
        self._pause = pause

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await self._sleep(self._pause)
        state.increment_current_attempt()


def retry_handlers(sleep: Sleep = asyncio.sleep) -> list[AsyncRetryHandler]:
    """The retry policy of every Slack call: a dropped connection once, 429s as asked."""
    return [ReconnectHandler(sleep=sleep), RetryAfterHandler(sleep=sleep)]
