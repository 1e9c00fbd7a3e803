"""The engine's one error hierarchy.

Adapters turn a :class:`BouncebackError` into a clear reply to the person; anything else is a
bug, logged with context but never with tokens or the person's text.
"""

from __future__ import annotations


class BouncebackError(Exception):
    """Base of every error the engine raises on purpose."""


class InvalidInput(BouncebackError):
    """Something a person typed cannot be used; ``str(error)`` is the message to show them."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NotFound(BouncebackError):
    """A record the person referred to does not exist (or is not theirs)."""


class DeliveryError(BouncebackError):
    """A platform refused a message for now; try again after ``retry_after`` seconds if given."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(BouncebackError):
    """A platform will never take this person's messages (DMs closed, left the community)."""


def error_code(error: Exception, fallback: str) -> str:
    """A short reason code from a platform error's message (never the person's text)."""
    text = str(error).strip().split(" ")[0][:32]
    return text if text.replace("_", "").isalnum() else fallback
