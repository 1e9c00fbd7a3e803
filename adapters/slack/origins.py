"""Where a Slack event came from, as the inbox keeps it, and the key of one delivery."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from adapters.slack.translate import Origin

# What the inbox keeps of an origin, in both directions: all but the trigger id, which is
# too short-lived to keep.
KEPT_FIELDS = ("team_id", "user_id", "response_url", "dm_channel")


def where_of(origin: Origin) -> dict[str, str]:
    """Where to answer, as the inbox keeps it."""
    return {name: getattr(origin, name) for name in KEPT_FIELDS}


def origin_of(where: Mapping[str, str]) -> Origin:
    """Where to answer, from what the inbox kept (a field it lacks is empty)."""
    return Origin(**{name: where.get(name, "") for name in KEPT_FIELDS})


def delivery_key(body: Mapping[str, Any]) -> str:
    """A key for one delivery: Slack's event id (an event is retried under the same id), else
    a fresh one (interactions are never retried)."""
    event_id = body.get("event_id")
    if isinstance(event_id, str) and event_id:
        return f"event:{event_id}"
    return f"interaction:{uuid.uuid4().hex}"


def event_type(body: Mapping[str, Any]) -> str:
    event = body.get("event")
    kind = event.get("type") if isinstance(event, Mapping) else None
    return kind if isinstance(kind, str) else ""
