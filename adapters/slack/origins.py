"""Where a Slack event came from, as the inbox keeps it, and the key of one delivery."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from adapters.slack.translate import Origin


def where_of(origin: Origin) -> dict[str, str]:
    """Where to answer, as the inbox keeps it (a trigger id is too short-lived to keep)."""
    return {
        "team_id": origin.team_id,
        "user_id": origin.user_id,
        "response_url": origin.response_url,
        "dm_channel": origin.dm_channel,
    }


def origin_of(where: Mapping[str, str]) -> Origin:
    return Origin(
        team_id=where.get("team_id", ""),
        user_id=where.get("user_id", ""),
        response_url=where.get("response_url", ""),
        dm_channel=where.get("dm_channel", ""),
    )


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
