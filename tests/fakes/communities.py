"""The in-memory fake of :class:`bot.ports.Communities`."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Unpack

from bot.model import Community, Person
from bot.ports import CommunityChanges
from bot.writes import Share
from tests.fakes.state import MemoryState


class MemoryCommunities(MemoryState):
    """:class:`bot.ports.Communities` in dictionaries; behaves like ``storage.communities``."""

    async def community(
        self, platform: str, community: str, default_timezone: str, now: dt.datetime
    ) -> Community:
        key = (platform, community)
        if key not in self.communities:
            self.communities[key] = Community(platform, community, default_timezone)
        return self.communities[key]

    async def update_community(
        self, platform: str, community: str, **changes: Unpack[CommunityChanges]
    ) -> Community:
        given: dict[str, Any] = {k: v for k, v in changes.items() if v is not None}
        key = (platform, community)
        self.communities[key] = replace(self.communities[key], **given)
        return self.communities[key]

    async def share(self, person: Person, share: Share, now: dt.datetime) -> bool:
        live = ("pending", "sent")
        win_id = share.win_id
        if win_id is not None and any(
            p["win_id"] == win_id and p["state"] in live for p in self.posts
        ):
            return False
        self.posts.append(
            {"person_id": person.id, "kind": share.kind, "week": share.week,
             "channel": share.channel, "win_id": win_id, "body": share.body, "state": "pending"}
        )  # fmt: skip
        return True

    async def unshare_win(self, person_id: int, win_id: int, now: dt.datetime) -> bool:
        found = False
        for post in self.posts:
            if post["person_id"] == person_id and post["win_id"] == win_id:
                post["state"] = "withdrawn"
                found = True
        return found

    async def unshare_all(self, person_id: int, now: dt.datetime) -> None:
        for post in self.posts:
            if post["person_id"] == person_id:
                post["state"] = "withdrawn"
