"""Multi-document changes in one transaction: all of their writes land, or none do.

``in_transaction(store, step)`` runs ``step`` inside a transaction on the store's client, retrying it
whole on MongoDB's transient errors (a write conflict with a concurrent transaction, a primary change)
and retrying an unknown commit result, as ``ClientSession.with_transaction`` does. While ``step`` runs,
every call through the store's collections joins the transaction without being handed the session
(``CountingCollection`` adds it from :data:`current_session`).

``step`` may run more than once: it must not publish events or do anything else outside the store;
publish after ``in_transaction`` returns. Perfgraph needs a replica set for this (start-up checks).

The outbox: a step calls :func:`record_event` (through ``TenantStore.record_event``) for each change that
webhook subscribers care about; the events an attempt recorded are inserted into the ``outbox`` collection
at the end of that attempt, in the same transaction, so they commit with the change or not at all (an
attempt that is retried records its events again, the discarded attempt's are dropped with it). Once a
transaction that recorded events commits, :data:`outbox_committed` is set, which wakes the delivery worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from pymongo import ReadPreference, WriteConcern
from pymongo.read_concern import ReadConcern

Result = TypeVar("Result")
current_session: ContextVar[Any] = ContextVar("perfgraph_transaction_session", default=None)
# The events the running attempt has recorded: (the counted outbox collection, the document) pairs.
pending_events: ContextVar[list[tuple[Any, dict[str, Any]]] | None] = ContextVar("perfgraph_outbox", default=None)


class OutsideTransaction(RuntimeError):
    """An outbox event recorded outside a transaction: it could be lost, so it is refused loudly."""


class OutboxSignal:
    """Set when a transaction that recorded outbox events commits (one per process, per event loop)."""

    def __init__(self) -> None:
        self._events: dict[Any, Any] = {}

    def event(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        if loop not in self._events:
            self._events = {loop: asyncio.Event()}
        return self._events[loop]

    def set(self) -> None:
        self.event().set()


outbox_committed = OutboxSignal()


def record_event(collection: Any, document: dict[str, Any]) -> None:
    """Insert ``document`` into ``collection`` (the outbox) at the end of the running transaction's attempt."""
    pending = pending_events.get()
    if pending is None:
        raise OutsideTransaction("outbox events are recorded inside store.transaction(step) only")
    pending.append((collection, document))


async def _flush(pending: list[tuple[Any, dict[str, Any]]]) -> None:
    by_collection: dict[int, tuple[Any, list[dict[str, Any]]]] = {}
    for collection, document in pending:
        by_collection.setdefault(id(collection), (collection, []))[1].append(document)
    for collection, documents in by_collection.values():
        await collection.insert_many(documents, ordered=True)


async def in_transaction(client: Any, step: Callable[[], Awaitable[Result]]) -> Result:
    """``step()`` in one transaction on ``client`` (a store's ``database.client``), retried on transient errors."""
    if current_session.get() is not None:  # already inside one: the outer transaction covers this step
        return await step()

    recorded = False

    async def attempt(session: Any) -> Result:
        nonlocal recorded
        token, events = current_session.set(session), pending_events.set([])
        try:
            result = await step()
            pending = pending_events.get() or []
            if pending:
                await _flush(pending)
            recorded = bool(pending)
            return result
        finally:
            pending_events.reset(events)
            current_session.reset(token)

    async with client.start_session() as session:
        result = await session.with_transaction(
            attempt, read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority"),
            read_preference=ReadPreference.PRIMARY)
    if recorded:
        outbox_committed.set()
    return result
