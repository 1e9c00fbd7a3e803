"""Interaction payloads as Discord's gateway delivers them (INTERACTION_CREATE ``d``)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from tests.discord.fake_discord import APP_ID, CHANNEL_ID, GUILD_ID, USER_ID, user_payload

_ids = itertools.count(1_600_000_000_000_000_001)
THREAD_ID = 1_300_000_000_000_000_777  # a thread in the server, for commands typed there


class Origin(TypedDict, total=False):
    """Who sends an interaction, and from where: by default the person (``user_id``) in the
    server's channel. ``guild_id=None`` sends it from their DM (``dm_channel``); ``permissions``
    are the member's in the channel, which Discord sends with every guild interaction."""

    guild_id: int | None
    user_id: int
    dm_channel: int | None
    permissions: int


def _base(kind: int, data: dict[str, Any], *, guild_id: int | None = GUILD_ID,
          user_id: int = USER_ID, dm_channel: int | None = None, permissions: int = 0,
          thread_of: int | None = None) -> dict[str, Any]:  # fmt: skip
    """An interaction of ``kind`` carrying ``data``, from the :class:`Origin` given;
    ``thread_of`` makes the channel a thread of that channel."""
    interaction_id = next(_ids)
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(APP_ID),
        "type": kind,
        "token": f"token-{interaction_id}",
        "version": 1,
        "locale": "en-US",
        "app_permissions": "0",
        "entitlements": [],
        "attachment_size_limit": 10_485_760,
        "data": data,
    }
    user = user_payload(user_id)
    if guild_id is not None:
        payload.update(
            guild_id=str(guild_id),
            guild={"id": str(guild_id), "locale": "en-US", "features": []},
            guild_locale="en-US",
            context=0,
            authorizing_integration_owners={"0": str(guild_id)},
            channel_id=str(CHANNEL_ID if thread_of is None else THREAD_ID),
            channel=_channel(guild_id, thread_of),
            member={
                "user": user,
                "nick": None,
                "roles": [],
                "joined_at": "2025-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(permissions),
            },
        )
    else:
        channel_id = dm_channel or CHANNEL_ID
        payload.update(
            context=1,
            authorizing_integration_owners={"0": "0"},
            channel_id=str(channel_id),
            channel={"id": str(channel_id), "type": 1, "recipients": [user]},
            user=user,
        )
    return payload


def _channel(guild_id: int, thread_of: int | None) -> dict[str, Any]:
    if thread_of is not None:
        return {
            "id": str(THREAD_ID),
            "type": 11,
            "guild_id": str(guild_id),
            "name": "a thread",
            "parent_id": str(thread_of),
            "owner_id": str(USER_ID),
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "thread_metadata": {
                "archived": False, "auto_archive_duration": 1440,
                "archive_timestamp": "2026-03-10T14:30:00.000000+00:00", "locked": False,
            },
        }  # fmt: skip
    return {
        "id": str(CHANNEL_ID),
        "type": 0,
        "guild_id": str(guild_id),
        "name": "job-hunt",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }


def slash(
    name: str,
    options: Mapping[str, str] | None = None,
    *,
    command_guild: int | None = None,
    thread_of: int | None = None,
    **origin: Unpack[Origin],
) -> dict[str, Any]:
    """``/name`` with string options, in a server (default) or a DM (``guild_id=None``)."""
    data: dict[str, Any] = {
        "id": "1700000000000000001",
        "name": name,
        "type": 1,
        "options": [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()],
    }
    if command_guild is not None:
        data["guild_id"] = str(command_guild)
    return _base(2, data, thread_of=thread_of, **origin)


def press(
    custom_id: str,
    message: Mapping[str, Any],
    **origin: Unpack[Origin],
) -> dict[str, Any]:
    """A button press on ``message`` (a message object as the fake API returned it)."""
    data = {"custom_id": custom_id, "component_type": 2}
    payload = _base(3, data, **origin)
    payload["message"] = dict(message)
    return payload


def submit(
    modal: Mapping[str, Any],
    values: Mapping[str, str],
    **origin: Unpack[Origin],
) -> dict[str, Any]:
    """The submission of ``modal`` (the ``data`` of a type-9 callback) filled with ``values``;
    select menus get their value in ``values``, like Discord sends them."""
    components = []
    for number, label in enumerate(modal["components"], start=1):
        inner = label["component"]
        if inner["type"] == 3:
            # Discord sends a select's default option when the person leaves it as it is.
            default = next((o["value"] for o in inner["options"] if o.get("default")), "")
            chosen = values.get(inner["custom_id"], default)
            answer = {"type": 3, "id": number * 2, "custom_id": inner["custom_id"],
                      "values": [chosen] if chosen else []}  # fmt: skip
        else:
            answer = {"type": 4, "id": number * 2, "custom_id": inner["custom_id"],
                      "value": values.get(inner["custom_id"], inner.get("value", ""))}  # fmt: skip
        components.append({"type": 18, "id": number * 2 - 1, "component": answer})
    data = {"custom_id": modal["custom_id"], "components": components}
    return _base(5, data, **origin)


def dm_message(content: str, channel_id: int, *, user_id: int = USER_ID) -> dict[str, Any]:
    """A MESSAGE_CREATE for words a person typed in their DM with the bot."""
    return {
        "id": str(next(_ids)),
        "channel_id": str(channel_id),
        "author": user_payload(user_id),
        "content": content,
        "timestamp": "2026-03-10T14:30:00.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": [],
    }


def guild_create(guild_id: int = GUILD_ID, name: str = "Job Hunt") -> dict[str, Any]:
    """A GUILD_CREATE for a server the bot is in (no members: the bot asks for none)."""
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": "1400000000000000999",
        "unavailable": False,
        "member_count": 2,
        "large": False,
        "features": [],
        "roles": [],
        "emojis": [],
        "stickers": [],
        "channels": [],
        "threads": [],
        "members": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "joined_at": "2025-01-01T00:00:00+00:00",
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
    }


def guild_join(guild_id: int = GUILD_ID) -> dict[str, Any]:
    """The GUILD_CREATE of a server that just added the bot: as Discord sends it then, it
    says nothing of ``unavailable`` (discord.py tells a join from a comeback by that)."""
    data = guild_create(guild_id)
    del data["unavailable"]
    return data


def guild_delete(guild_id: int = GUILD_ID, *, outage: bool = False) -> dict[str, Any]:
    """A GUILD_DELETE: the bot was removed (kicked, banned, server deleted), or with
    ``outage`` the server is only unavailable for a while."""
    data: dict[str, Any] = {"id": str(guild_id)}
    if outage:
        data["unavailable"] = True
    return data
