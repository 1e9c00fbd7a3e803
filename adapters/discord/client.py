"""The Discord client: gateway connection, command tree, persistent buttons, modals, DMs.

:func:`build_client` wires a client from explicit parts (tests pass fakes); :func:`serve`
runs one from the composition root's services until cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands

from adapters.discord.api import quiet_library_logs, use_api_base
from adapters.discord.bridge import Bridge
from adapters.discord.commands import build_commands, command_forms
from adapters.discord.config import DiscordConfig
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.pace import GlobalPace
from adapters.discord.ports import Clock, Dedupe, DiscordStore, Handler, MemoStore, utc_now
from adapters.discord.translate import FORM_MEMORY_PREFIX, FORM_PREFIX, PLATFORM
from adapters.discord.views import DYNAMIC_ITEMS
from adapters.hosting import Lifecycle, Shared
from adapters.kept import Inbox, redo_regularly
from adapters.ports import CommunitiesSeen, CommunityRemoved
from bot.reach import Reach

log = logging.getLogger(__name__)

# A server's data that could not be deleted when the bot was removed (the database away for
# a restart or a failover) is tried again: seconds before the first new try, doubling up to
# the last, this many tries in all (about an hour).
REMOVAL_FIRST_PAUSE = 1.0
REMOVAL_LAST_PAUSE = 300.0
REMOVAL_TRIES = 20
# Seconds between two comparisons of the bot's servers with those kept, after the one at READY
# (one missed because the database was away is made up for).
COMPARE_EVERY_SECONDS = 6 * 3600.0
# Seconds discord.py waits for one more server's details after READY before the bot counts
# as ready (its own default; a parameter so tests need not wait).
GUILD_READY_TIMEOUT = 2.0


if TYPE_CHECKING:
    _ClientBase = discord.Client
else:
    _ClientBase = object


def intents() -> discord.Intents:
    """The least the bot needs: servers (for the command tree) and direct messages.

    No privileged intent: message content is not needed, because Discord always includes the
    content of direct messages to the bot, and everything in servers goes through commands.
    """
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    return wanted


class _Bounceback(_ClientBase):
    """What the plain and the sharded client share."""

    bridge: Bridge
    tree: app_commands.CommandTree[Any]
    _sync_guild: discord.Object | None
    _sync_commands: bool
    _identify_interval: float
    _on_community_removed: CommunityRemoved | None
    _on_communities_seen: CommunitiesSeen | None
    pace: GlobalPace | None = None  # the client's global limit (see adapters.discord.pace)

    def _wire(
        self,
        *,
        handler: Handler,
        reach: Reach,
        config: DiscordConfig,
        clock: Clock,
        dedupe: Dedupe | None,
        ack_budget: float,
        sync_commands: bool,
        identify_interval: float,
        on_community_removed: CommunityRemoved | None,
        memos: MemoStore | None,
        inbox: Inbox | None = None,
        on_communities_seen: CommunitiesSeen | None = None,
    ) -> None:
        self._identify_interval = identify_interval
        self._on_community_removed = on_community_removed
        self._on_communities_seen = on_communities_seen
        self.bridge = Bridge(
            self,
            handler=handler,
            reach=reach,
            clock=clock,
            dedupe=dedupe,
            ack_budget=ack_budget,
            memos=memos,
            inbox=inbox,
        )
        self.tree = app_commands.CommandTree(self)
        guild_id = config.guild_id
        self._sync_guild = discord.Object(id=guild_id) if guild_id else None
        self._sync_commands = sync_commands
        for command in build_commands(
            handler.commands, self.bridge, command_forms(handler.content)
        ):
            if self._sync_guild is None:
                # Global commands work in servers and in DMs with the bot; installed to servers.
                command.allowed_contexts = app_commands.AppCommandContext(
                    guild=True, dm_channel=True, private_channel=False
                )
                command.allowed_installs = app_commands.AppInstallationType(guild=True, user=False)
            self.tree.add_command(command, guild=self._sync_guild)

    async def setup_hook(self) -> None:
        """Register the persistent buttons and publish the commands, before the gateway opens."""
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self._sync_commands:
            synced = await self.tree.sync(guild=self._sync_guild)
            where = "to one server" if self._sync_guild else "globally"
            log.info("published %d commands %s", len(synced), where)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Space shard logins as Discord's identify rate limit asks (one per 5 s by default).

        discord.py's own hook is the same policy with the 5 s fixed and waited on the real
        clock; overridden only so the interval is a parameter (tests start shards at once).
        """
        if not initial:
            await asyncio.sleep(self._identify_interval)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Modal submissions of ours; commands and buttons arrive through the tree and views."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
        custom_id = data.get("custom_id")
        if isinstance(custom_id, str) and custom_id.startswith((FORM_PREFIX, FORM_MEMORY_PREFIX)):
            await self.bridge.on_modal_submit(interaction)

    async def on_message(self, message: discord.Message) -> None:
        """Direct messages typed to the bot."""
        await self.bridge.on_dm_message(message)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot left a server (kicked, banned, or the server deleted): forget its people.

        discord.py calls this only for a GUILD_DELETE without ``unavailable``; a server that is
        merely unreachable in an outage arrives as ``on_guild_unavailable`` and keeps its data.
        """
        remove = self._on_community_removed
        if remove is None:
            log.error("no community-removal hook; data of server %s was NOT deleted", guild.id)
            return
        # discord.py runs each event handler as a task of its own: the pauses below hold
        # up no other event.
        pause = REMOVAL_FIRST_PAUSE
        for tried in range(1, REMOVAL_TRIES + 1):
            try:
                await remove(PLATFORM, str(guild.id))
            except Exception as error:
                if tried == REMOVAL_TRIES:
                    log.error("gave up deleting the data of server %s", guild.id)
                    return
                log.warning(
                    "could not delete the data of server %s (%s); trying again in %.0f s",
                    guild.id, type(error).__name__, pause,
                )  # fmt: skip
                await asyncio.sleep(pause)
                pause = min(pause * 2, REMOVAL_LAST_PAUSE)
                continue
            log.info("discord server %s removed the bot; its data was deleted", guild.id)
            return

    async def on_ready(self) -> None:
        """Every server the bot is in is listed now (Discord's ``READY``, which discord.py
        has taken in): a server kept in the database and missing from it removed the bot
        while Bounceback was down, and never said so (see :mod:`bot.removals`)."""
        await self.compare_servers()

    async def compare_servers(self) -> None:
        """Tell the hook which servers the bot is in (discord.py keeps the list current from
        READY on, through every join and removal)."""
        await self._seen({str(guild.id) for guild in self.guilds}, self._covers)

    async def compare_regularly(self) -> None:
        """Until cancelled: once ready, compare the servers again every so often."""
        await self.wait_until_ready()
        while True:
            await asyncio.sleep(COMPARE_EVERY_SECONDS)
            await self.compare_servers()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """The bot is in ``guild`` (added, or back): it is not absent from it."""
        community = str(guild.id)
        await self._seen({community}, lambda kept: kept == community)

    def _covers(self, community: str) -> bool:
        """Whether this process's list of servers speaks for ``community``: a server (not
        ``"dm"``) on one of the shards it connects."""
        if not community.isdigit():
            return False
        shard_ids: list[int] | None = getattr(self, "shard_ids", None)
        if shard_ids is None or not self.shard_count:
            return True
        # Discord's rule for which shard carries a server.
        return (int(community) >> 22) % self.shard_count in shard_ids

    async def _seen(self, present: set[str], covered: Callable[[str], bool]) -> None:
        seen = self._on_communities_seen
        if seen is None:
            return
        try:
            await seen(PLATFORM, present, covered)
        except Exception as error:  # the next READY compares again
            log.warning(
                "could not compare the bot's servers with those kept: %s", type(error).__name__
            )

    def messenger(self, reach: Reach | None = None, **options: Any) -> DiscordMessenger:
        """A :class:`DiscordMessenger` on this client's REST session (sharing its rate limits)."""
        return DiscordMessenger(
            self, reach=reach, pending=self.bridge.pending, pace=self.pace, **options
        )


class BouncebackClient(_Bounceback, discord.Client):
    """One gateway connection."""


class ShardedBouncebackClient(_Bounceback, discord.AutoShardedClient):
    """``DISCORD_SHARD_COUNT`` gateway connections, one per shard, in this process."""


def build_client(
    *,
    handler: Handler,
    reach: Reach,
    config: DiscordConfig,
    clock: Clock = utc_now,
    dedupe: Dedupe | None = None,
    ack_budget: float = 2.0,
    sync_commands: bool = True,
    shard_ids: list[int] | None = None,
    identify_interval: float = 5.0,
    on_community_removed: CommunityRemoved | None = None,
    memos: MemoStore | None = None,
    inbox: Inbox | None = None,
    on_communities_seen: CommunitiesSeen | None = None,
) -> BouncebackClient | ShardedBouncebackClient:
    """A client ready to ``start(token)``: the engine (``handler``), its record of who can be
    reached in DMs (``reach``), the config and clock are explicit so tests can pass fakes.
    ``dedupe`` is the event log; ``on_community_removed`` deletes a server's
    people when the bot is removed from it; ``on_communities_seen`` hears which servers the
    bot is in once connected. ``memos`` keeps what long buttons and
    forms mean (without it they last as long as the process); ``inbox`` keeps each DM until it
    is answered, so a process that dies mid-answer has it answered elsewhere.

    Also points discord.py's REST calls at the config's ``api_url`` (see :mod:`.api`).
    """
    use_api_base(config.api_url)
    pace = GlobalPace(config.requests_per_second)
    options: dict[str, Any] = {
        "intents": intents(),
        # Nothing the bot says may ping anyone, whatever a person typed.
        "allowed_mentions": discord.AllowedMentions.none(),
        # Discord's global limit, kept before it is hit (discord.py paces only the routes).
        "http_trace": pace.trace(),
        "guild_ready_timeout": GUILD_READY_TIMEOUT,
    }
    client: BouncebackClient | ShardedBouncebackClient
    if config.shard_count:
        if shard_ids is not None:
            options["shard_ids"] = shard_ids
        client = ShardedBouncebackClient(shard_count=config.shard_count, **options)
    else:
        client = BouncebackClient(**options)
    client.pace = pace
    client._wire(
        handler=handler,
        reach=reach,
        config=config,
        clock=clock,
        dedupe=dedupe,
        ack_budget=ack_budget,
        sync_commands=sync_commands,
        identify_interval=identify_interval,
        on_community_removed=on_community_removed,
        memos=memos,
        inbox=inbox,
        on_communities_seen=on_communities_seen,
    )
    return client


class LoginRefused(RuntimeError):
    """Discord did not take ``DISCORD_TOKEN`` (or could not be reached to ask): one line to
    print, where discord.py would end in a long traceback."""


async def serve(
    config: DiscordConfig,
    *,
    engine: Handler,
    reach: Reach,
    shared: Shared,
    lifecycle: Lifecycle | None = None,
    store: DiscordStore | None = None,
) -> None:
    """Run the Discord bot (gateway and commands) until cancelled, then close the gateway. A
    server that removes the bot loses its people's data through ``shared``'s hook.

    ``store`` keeps what long buttons and forms mean and each person's DM channel (without
    one, they last as long as the process). Once logged in, the messenger for scheduled
    check-ins (sending through this client's REST session) goes to the ``lifecycle``'s
    dispatcher; when it says stop, the bot takes no new interaction or message and finishes
    those under way (see :class:`~adapters.hosting.Lifecycle`).
    """
    if not config.token:
        raise ValueError("DISCORD_TOKEN is not set")
    quiet_library_logs()
    lifecycle = lifecycle or Lifecycle()
    client = build_client(
        handler=engine,
        reach=reach,
        config=config,
        clock=shared.clock,
        dedupe=shared.dedupe,
        on_community_removed=shared.on_community_removed,
        memos=store,
        inbox=shared.inbox,
        on_communities_seen=shared.on_communities_seen,
    )
    async with client:
        try:
            await client.login(config.token)
        except discord.LoginFailure:
            raise LoginRefused(
                "Discord refused DISCORD_TOKEN: copy the bot's token from the Developer "
                "Portal (your application > Bot > Reset Token)"
            ) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise LoginRefused(f"cannot reach Discord to log in ({type(error).__name__})") from None
        if lifecycle.register_messenger is not None:
            lifecycle.register_messenger(client.messenger(reach, dm_channels=store))
        connected = asyncio.ensure_future(client.connect())
        stopping = asyncio.ensure_future(lifecycle.until_stopped())
        redoing = asyncio.ensure_future(redo_regularly(client.bridge.redo_unfinished))
        comparing = asyncio.ensure_future(client.compare_regularly())
        try:
            await asyncio.wait({connected, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if connected.done():
                connected.result()  # the gateway closed for good: say why
                return
            redoing.cancel()
            await client.bridge.drain(config.shutdown_grace)
            lifecycle.set_drained()
            await connected  # deliveries may still use the client: until cancelled
        finally:
            redoing.cancel()
            comparing.cancel()
            stopping.cancel()
            connected.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await connected
