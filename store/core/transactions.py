"""Multi-document changes in one transaction: all of their writes land, or none do.

``in_transaction(store, step)`` runs ``step`` inside a transaction on the store's client, retrying it
whole on MongoDB's transient errors (a write conflict with a concurrent transaction, a primary change)
and retrying an unknown commit result, as ``ClientSession.with_transaction`` does. While ``step`` runs,
every call through the store's collections joins the transaction without being handed the session
(``CountingCollection`` adds it from :data:`current_session`).

``step`` may run more than once: it must not publish events or do anything else outside the store;
publish after ``in_transaction`` returns. Perfgraph needs a replica set for this (start-up checks).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from pymongo import ReadPreference, WriteConcern
from pymongo.read_concern import ReadConcern

Result = TypeVar("Result")
current_session: ContextVar[Any] = ContextVar("perfgraph_transaction_session", default=None)


async def in_transaction(client: Any, step: Callable[[], Awaitable[Result]]) -> Result:
    """``step()`` in one transaction on ``client`` (a store's ``database.client``), retried on transient errors."""
    if current_session.get() is not None:  # already inside one: the outer transaction covers this step
        return await step()

    async def attempt(session: Any) -> Result:
        token = current_session.set(session)
        try:
            return await step()
        finally:
            current_session.reset(token)

    async with client.start_session() as session:
        return await session.with_transaction(
            attempt, read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority"),
            read_preference=ReadPreference.PRIMARY)
