"""An organization's uninstall: Slack Enterprise Grid apps installed org-wide.

A workspace uninstall names its workspace (``team_id``). An org-wide install is removed all at
once, with an enterprise id and no workspace (``app_uninstalled``, or ``tokens_revoked`` for
the bot), or loses some workspaces (``team_access_revoked`` with their ids). People are kept
per workspace, so the adapter remembers which workspaces it reached through which org-wide
install (:class:`OrganizationMembers`) and erases each of them when the organization goes.

Bolt's own revocation listeners (``enable_token_revocation_listeners``) only delete tokens from
the installation store, never an app's data; they read the workspace from a request's context,
which after-ack work no longer has; for a revoked bot token they keep the rest of the install,
where a workspace without its bot is gone for Bounceback; and the adapter's catch-all event
listener would shadow them. So the token part is done here, the way their uninstall listener
does it (``async_delete_all``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.ports import CommunityRemoved
from adapters.slack.background import log_failure
from adapters.slack.translate import PLATFORM, Payload

log = logging.getLogger("bounceback.slack")


class Organizations(Protocol):
    """Which communities an organization-wide install reached (``storage.organizations``)."""

    async def remember(
        self, platform: str, organization: str, community: str, now: datetime
    ) -> None: ...

    async def members(self, platform: str, organization: str) -> Sequence[str]: ...

    async def forget(self, platform: str, organization: str) -> None: ...


@dataclass(frozen=True, slots=True)
class OrganizationRemoval:
    """What an organization-level event takes away: the whole org install (``teams`` empty)
    or only some of its workspaces."""

    enterprise_id: str
    teams: tuple[str, ...] = ()


def _authorization(body: Payload) -> Mapping[str, Any]:
    """Slack's first authorization: whose install the event is for (over the top-level ids,
    as Bolt reads it, because shared channels carry another workspace's ids there)."""
    found = body.get("authorizations")
    if isinstance(found, list) and found and isinstance(found[0], Mapping):
        return found[0]
    return body


def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def organization_removal(body: Payload) -> OrganizationRemoval | None:
    """The org-level removal an event means, or None (a workspace event, or no removal)."""
    event = body.get("event")
    if not isinstance(event, Mapping):
        return None
    kind = event.get("type")
    auth = _authorization(body)
    enterprise = _text(auth, "enterprise_id") or _text(body, "enterprise_id")
    if not enterprise:
        return None
    if kind == "team_access_revoked":
        teams = event.get("team_ids")
        named = (
            tuple(t for t in teams if isinstance(t, str) and t) if isinstance(teams, list) else ()
        )
        return OrganizationRemoval(enterprise, named) if named else None
    org_wide = auth.get("is_enterprise_install") is True or not (
        _text(auth, "team_id") or _text(body, "team_id")
    )
    if not org_wide:
        return None
    return OrganizationRemoval(enterprise) if workspace_removal(body) else None


async def remove_organization(
    removal: OrganizationRemoval,
    *,
    installation_store: AsyncInstallationStore | None,
    organizations: Organizations | None,
    remove_team: Callable[[Payload], Awaitable[None]],
) -> None:
    """Delete the org-wide install's tokens (unless only some workspaces went), then each of
    its workspaces the way a workspace uninstall goes (``remove_team``)."""
    teams = list(removal.teams)
    if not teams:
        if installation_store is not None:
            try:
                # team_id None: the org-wide rows (team_id IS NULL), as Bolt's listener does.
                await installation_store.async_delete_all(
                    enterprise_id=removal.enterprise_id, team_id=None
                )
            except Exception as error:
                log.error(
                    "deleting an organization's installation failed: %s", type(error).__name__
                )
        if organizations is not None:
            teams = list(await organizations.members(PLATFORM, removal.enterprise_id))
    for team in teams:
        await remove_team({"team_id": team})
    if organizations is not None and not removal.teams:
        await organizations.forget(PLATFORM, removal.enterprise_id)
    log.info(
        "slack organization %s removed the app from %d workspaces; their data was deleted",
        removal.enterprise_id,
        len(teams),
    )


def community_of(body: Payload) -> str:
    """The workspace a request came from, read where ``translate`` reads it for each kind."""
    team = body.get("team")
    user = body.get("user")
    event = body.get("event")
    return (
        _text(body, "team_id")
        or (_text(team, "id") if isinstance(team, Mapping) else "")
        or (_text(user, "team_id") if isinstance(user, Mapping) else "")
        or (_text(event, "team") if isinstance(event, Mapping) else "")
    )


class OrganizationMembers:
    """A Bolt middleware noting each workspace reached through an org-wide install, once per
    process, written after the ack (``submit``) so no request waits on it."""

    def __init__(
        self,
        organizations: Organizations | None,
        clock: Callable[[], datetime],
        submit: Callable[[Coroutine[Any, Any, Any]], None],
    ) -> None:
        self._organizations = organizations
        self._clock = clock
        self._submit = submit
        self._noted: set[tuple[str, str]] = set()

    async def note(
        self,
        body: dict[str, Any],
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[BoltResponse]],  # Bolt passes it by this name
    ) -> BoltResponse:
        """Remember (enterprise, workspace) for org-wide installs, then carry on."""
        enterprise = context.enterprise_id
        if self._organizations is not None and context.is_enterprise_install and enterprise:
            team = community_of(body)
            if team and (enterprise, team) not in self._noted:
                self._noted.add((enterprise, team))
                self._submit(self._remember(enterprise, team))
        return await next()

    async def _remember(self, enterprise: str, team: str) -> None:
        assert self._organizations is not None
        try:
            await self._organizations.remember(PLATFORM, enterprise, team, self._clock())
        except Exception as error:
            self._noted.discard((enterprise, team))  # try again on its next request
            log.warning("slack organization member not recorded: %s", type(error).__name__)


def workspace_removal(body: Payload) -> bool:
    """Whether an event says the app lost its bot token (uninstalled, or the bot's revoked)."""
    event = body.get("event")
    if not isinstance(event, Mapping):
        return False
    kind = event.get("type")
    tokens = event.get("tokens")
    return kind == "app_uninstalled" or (
        kind == "tokens_revoked" and isinstance(tokens, Mapping) and bool(tokens.get("bot"))
    )


@dataclass(frozen=True, slots=True)
class Uninstall:
    """What the app leaving a workspace or an organization takes away: its tokens, what the
    adapter remembers of it (``forget``, by team id), then its people's data."""

    installation_store: AsyncInstallationStore | None
    organizations: Organizations | None
    forget: Sequence[Callable[[str], None]]
    on_community_removed: CommunityRemoved

    async def on_event(
        self, body: Payload, first_time: Callable[[Payload], Awaitable[bool]]
    ) -> bool:
        """Carry out an uninstall event (once, whatever Slack retries); False if ``body`` is
        none."""
        organization = organization_removal(body)
        if organization is not None:
            if await first_time(body):
                await remove_organization(
                    organization,
                    installation_store=self.installation_store,
                    organizations=self.organizations,
                    remove_team=self.remove_team,
                )
            return True
        event = body.get("event")
        if not (isinstance(event, Mapping) and event.get("type") in _REVOKING):
            return False
        if workspace_removal(body) and await first_time(body):
            await self.remove_team(body)
        return True

    async def gone(self, enterprise_id: str | None, team_id: str | None, *, org_wide: bool) -> None:
        """The app left this installation without an event reaching Bounceback (see
        :mod:`adapters.slack.departures`): erase it as its uninstall event would have."""
        if org_wide and enterprise_id:
            await remove_organization(
                OrganizationRemoval(enterprise_id),
                installation_store=self.installation_store,
                organizations=self.organizations,
                remove_team=self.remove_team,
            )
        elif team_id:
            await self.remove_team({"team_id": team_id, "enterprise_id": enterprise_id})

    async def remove_team(self, body: Payload) -> None:
        """The app left a workspace: forget its tokens, then all its people's data."""
        team_id = body.get("team_id")
        enterprise_id = body.get("enterprise_id")
        if not isinstance(team_id, str) or not team_id:
            return
        if self.installation_store is not None:
            try:
                await self.installation_store.async_delete_all(
                    enterprise_id=enterprise_id if isinstance(enterprise_id, str) else None,
                    team_id=team_id,
                )
            except Exception as error:
                log_failure("deleting installation", error)
        for forget in self.forget:
            forget(team_id)
        await self.on_community_removed(PLATFORM, team_id)
        log.info("slack workspace %s removed the app; its data was deleted", team_id)


_REVOKING = ("app_uninstalled", "tokens_revoked")
