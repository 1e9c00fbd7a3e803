"""The composition root: settings in, a wired engine and store out. Nothing runs at import."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.hosting import Shared
from bot.content import Content
from bot.delivery_ports import Messenger, Publisher
from bot.dispatcher import Dispatcher
from bot.engine import Engine
from bot.removals import Removals
from bounceback.clock import CheckinClock, instance_name, utc_now
from bounceback.settings import Settings
from storage.community_posts import SqlCommunityPosts
from storage.crypto import Cipher
from storage.database import create_engine, upgrade, wait_for
from storage.event_log import EventLog
from storage.inbox import SqlInbox
from storage.outbox import SqlOutbox
from storage.practice_rounds import SqlPracticeRounds
from storage.retention import sweep
from storage.sql import SqlStore


@dataclass(frozen=True, slots=True)
class Services:
    """Everything an adapter needs, built once per process."""

    settings: Settings
    db: AsyncEngine
    store: SqlStore
    events: EventLog
    engine: Engine
    outbox: SqlOutbox
    posts: SqlCommunityPosts
    # Work adapters acknowledged to a platform, kept until done.
    inbox: SqlInbox
    practice: SqlPracticeRounds
    # Opens what the store sealed, for the reports that read the database themselves.
    cipher: Cipher
    # What every adapter takes alike: the event log, the removal hook, the inbox.
    shared: Shared
    # Communities that removed the bot, erased once, finished by the clock if a deletion failed.
    removals: Removals

    def dispatcher(self, messengers: Mapping[str, Messenger]) -> Dispatcher:
        """A dispatcher delivering through ``messengers`` (by platform name); those that can
        also post in channels (``open_thread``...) run the community's brag thread."""
        publishers = {
            platform: messenger
            for platform, messenger in messengers.items()
            if isinstance(messenger, Publisher)
        }
        return Dispatcher(
            outbox=self.outbox,
            content=self.engine.content,
            messengers=messengers,
            instance=instance_name(),
            grace=dt.timedelta(hours=self.settings.grace_hours),
            lease=dt.timedelta(seconds=self.settings.lease_seconds),
            publishers=publishers,
            posts=self.posts,
            practice=self.practice,
        )

    def clock(self, messengers: Mapping[str, Messenger]) -> CheckinClock:
        """The check-in clock for this process (not started), with the daily sweep."""
        return CheckinClock(
            self.dispatcher(messengers),
            interval=self.settings.tick_seconds,
            daily=self.sweep,
            owed=self.removals.finish,
            grace=self.settings.shutdown_grace_seconds,
        )

    async def sweep(self, now: dt.datetime) -> dict[str, int]:
        """Retention: delete what is older than the configured period."""
        return await sweep(self.db, now, dt.timedelta(days=self.settings.retention_days))


@asynccontextmanager
async def open_services(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Services]:
    """Open the database (migrating it first), build the engine, and close it all afterwards."""
    db = create_engine(settings.database_url)
    try:
        await wait_for(db)
        if migrate:
            await upgrade(db)
        key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
        cipher = Cipher.from_setting(key)
        store = SqlStore(db, cipher)
        engine = Engine(
            store,
            Content.load(),
            default_timezone=settings.timezone,
            support_resources=settings.support_resources,
            brag_schedule=store,
        )
        outbox = SqlOutbox(db, cipher)
        inbox = SqlInbox(db, cipher, instance=instance_name(), may_keep=engine.may_keep)
        events = EventLog(db)
        removals = Removals(store, clock=utc_now)
        try:
            yield Services(
                settings=settings,
                db=db,
                store=store,
                events=events,
                engine=engine,
                outbox=outbox,
                posts=SqlCommunityPosts(db, cipher),
                inbox=inbox,
                practice=SqlPracticeRounds(db, cipher),
                cipher=cipher,
                shared=Shared(
                    dedupe=events,
                    on_community_removed=removals.remove,
                    inbox=inbox,
                    on_communities_seen=removals.seen,
                ),
                removals=removals,
            )
        finally:
            await outbox.close()
            await inbox.close()
    finally:
        await db.dispose()
