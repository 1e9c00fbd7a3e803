"""The engine's :class:`bot.ports.Store` on SQLAlchemy, for SQLite and PostgreSQL alike.

Statements are SQLAlchemy Core on the ORM's tables, except the few every event runs (finding
or adding the person, a rejection and its mood, the week's plan, the waiting question, a win,
the community): those are SQL written once and kept prepared, each call one trip to the
database (:mod:`storage.prepared`). Each call is one short transaction unless grouped. Each
role of the store is a module of its own; :class:`SqlStore` is all of them sharing one engine,
one cipher and one transaction.
"""

from __future__ import annotations

from storage.applications import SqlApplications
from storage.brag_schedule import SqlBragSchedule
from storage.communities import SqlCommunities
from storage.conversations import SqlConversations
from storage.dm_channels import SqlDmChannels
from storage.journal import SqlJournal
from storage.people import SqlPeople
from storage.plans import SqlPlans
from storage.practice import SqlPractice
from storage.privacy import SqlPrivacy
from storage.removals import SqlRemovals


class SqlStore(
    SqlPeople,
    SqlJournal,
    SqlConversations,
    SqlPlans,
    SqlCommunities,
    SqlPrivacy,
    SqlRemovals,
    SqlApplications,
    SqlPractice,
    SqlBragSchedule,
    SqlDmChannels,
):
    """Per-person records in the relational database: every role of :class:`bot.ports.Store`,
    and the brag thread's schedule (:class:`bot.ports.BragSchedule`) its admins steer.

    Inside :meth:`transaction` every call shares one connection and commits together; outside
    it each call is a transaction of its own.
    """
