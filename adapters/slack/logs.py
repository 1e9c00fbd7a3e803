"""Keeps request payloads (people's words) out of Bolt's and slack_sdk's log records."""

from __future__ import annotations

import logging
import re

# Bolt writes whole payloads into some messages ("... for the request ({...})", "body: ...");
# everything from the first dict or body onwards is dropped.
_PAYLOAD = re.compile(r"(\{|\bbody: |\bbody=|\bpayload=).*", re.DOTALL)
REDACTED = "[payload redacted]"


class RedactPayloads(logging.Filter):
    """A filter that rewrites a record's message without any request payload in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = _PAYLOAD.sub(REDACTED, message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


def bolt_logger() -> logging.Logger:
    """The base logger handed to Bolt; Bolt copies its filters onto every logger it makes."""
    logger = logging.getLogger("bounceback.slack.bolt")
    if not any(isinstance(existing, RedactPayloads) for existing in logger.filters):
        logger.addFilter(RedactPayloads())
    return logger
