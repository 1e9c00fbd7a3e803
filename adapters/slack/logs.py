"""Keeps request payloads (people's words) out of Bolt's and slack_sdk's log records, and
slack_sdk's debug texts from being built when nothing will log them."""

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


def _redacted(logger: logging.Logger) -> logging.Logger:
    """``logger`` with one :class:`RedactPayloads` filter, however often it is asked."""
    if not any(isinstance(existing, RedactPayloads) for existing in logger.filters):
        logger.addFilter(RedactPayloads())
    return logger


def bolt_logger() -> logging.Logger:
    """The base logger handed to Bolt; Bolt copies its filters onto every logger it makes."""
    return _redacted(logging.getLogger("bounceback.slack.bolt"))


# The loggers slack_sdk's async Web API and response_url clients write through. Their debug
# texts (each request's and each answer's whole body) are guarded by ``logger.level <= DEBUG``,
# the level set on that very logger, which stays NOTSET unless set there
# (slackapi/python-slack-sdk#1957): every call formats its body and then drops the text. A level
# of their own skips the formatting; nothing that would have been logged is lost.
SDK_CLIENT_LOGGERS = ("slack_sdk.web.async_base_client", "slack_sdk.webhook.async_client")


def quiet_sdk_logs() -> None:
    """slack_sdk's and Bolt's records at INFO or above (their DEBUG carries payloads), scrubbed
    of payloads whatever reaches the handlers, and slack_sdk's clients told their own level."""
    for name in ("slack_sdk", "slack_bolt"):
        logger = _redacted(logging.getLogger(name))
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    for name in SDK_CLIENT_LOGGERS:
        client = logging.getLogger(name)
        client.setLevel(client.getEffectiveLevel())
