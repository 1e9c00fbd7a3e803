"""Slack's request signature, checked before Bolt sees a request.

Kept rather than Bolt's own ``RequestVerification`` middleware (or slack_sdk's
``SignatureVerifier``) on purpose: theirs raises on a malformed timestamp, and Bolt logs the
body of a request that fails, which may quote a person; a request failing here causes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

# Slack rejects a request whose timestamp is further than this from now (replay defence).
MAX_REQUEST_AGE = 300


@dataclass(frozen=True, slots=True)
class RequestVerifier:
    """Checks Slack's signature on an HTTP request: HMAC-SHA256 of ``v0:<ts>:<body>``.

    A missing, forged or malformed signature or timestamp, or a timestamp more than five
    minutes from ``clock``, fails.
    """

    signing_secret: bytes
    clock: Callable[[], datetime]

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether the request is Slack's, signed now."""
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
