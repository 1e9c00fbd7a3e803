"""``bounceback db forget PLATFORM COMMUNITY``: erase a community's data on an operator's word.

For what no platform event says: a community that asks for it, or a server the bot left
while Bounceback was down when the bot is in none of the kept ones (see
:mod:`bot.removals`, which then marks nothing). Without ``--yes`` it only says what would go.
The erasure is the one a platform's removal runs: noted first, finished by the check-in clock
if the database refuses it midway.
"""

from __future__ import annotations

from collections.abc import Sequence

from bounceback.bootstrap import open_services
from bounceback.settings import Settings

PLATFORMS = ("slack", "discord", "console")
USAGE = "bounceback db forget PLATFORM COMMUNITY [--yes]"


class ForgetUsage(ValueError):
    """The command was given something else than a platform and a community."""


def target(words: Sequence[str]) -> tuple[str, str]:
    """(platform, community) from the command's words, or :class:`ForgetUsage`."""
    if len(words) != 2:
        raise ForgetUsage(f"name a platform and a community: {USAGE}")
    platform, community = words
    if platform not in PLATFORMS:
        raise ForgetUsage(f"the platform is one of {', '.join(PLATFORMS)}, not {platform!r}")
    if not community.strip():
        raise ForgetUsage(f"name the community (a workspace or server id): {USAGE}")
    return platform, community


async def forget(settings: Settings, platform: str, community: str, *, yes: bool) -> int:
    """Erase (with ``yes``) or describe the erasure of one community; the exit status."""
    where = f"{platform} community {community}"
    async with open_services(settings, migrate=False) as services:
        if community not in await services.store.communities_of(platform):
            print(f"nothing is kept about {where}")
            return 0
        people = await services.store.people_in(platform, community)
        if not yes:
            print(
                f"{where}: {people} member(s) and everything kept about them and the community"
                " would be erased; run again with --yes to erase it"
            )
            return 1
        erased = await services.removals.remove(platform, community)
    print(f"erased {where}: {erased} member(s) and everything kept about them")
    return 0
