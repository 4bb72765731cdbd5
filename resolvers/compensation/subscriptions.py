"""Live compensation streams: a manager's budget after every committed proposal below them, and the
projected spend after each matrix change. Both run on the one stream helper (``resolvers/core/streams.py``):
events carry ids (and the moment of the commit), never an amount, and neither stream is grouped with other
subscribers. A burst of budget events queued for a subscriber is answered with one push (``coalesce``: the push
is as of the latest of them). The cycle and the budgets are read once for every subscriber of the process and
every event seen before the read started (``read_after``, one round trip); each subscriber then checks apart, as
re-read, whether it may see its manager's budget now. The matrix stream re-reads for each subscriber."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from models.compensation.money import Money
from models.compensation.permissions import can_manage_compensation
from models.core import clock
from models.core.documents import Document
from models.core.viewer import Viewer
from resolvers.compensation.access import ADMIN_REFUSAL
from resolvers.compensation.channels import budget_channel, matrix_channel
from resolvers.compensation.queries import Budget, budget, budget_manager, check_budget_visible, projected_spend
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.streams import read_after, stream
from store.compensation import repository as pay_store

Message = dict[str, Any]


def merged_budget_events(messages: list[Message]) -> Message:
    """One budget event for a burst: every manager named, the latest commit (``asOf``), each event's id (``None``
    for an older publisher's, which carried none). Ids and moments only, as every event."""
    moments = [m["asOf"] for m in messages if m.get("asOf")]
    return {"kind": "budget", "cycleId": messages[-1].get("cycleId"),
            "managerIds": sorted({m for message in messages for m in message.get("managerIds", ())}),
            "asOf": max(moments, key=datetime.fromisoformat) if len(moments) == len(messages) else None,
            "eventIds": [m.get("eventId") for m in messages]}


async def budget_changed(context: Context, cycle_id: str, manager_id: str) -> AsyncIterator[Budget]:
    """The budget of ``manager_id`` after each change below them; refused unless the subscriber may see it
    now (a cycle that leaves the review phase ends what a manager receives)."""
    signed_in = await require(context)
    if await budget(context, cycle_id, manager_id) is None:
        raise BadUserInput("no such budget in your organisation")

    def wants(message: Message) -> bool:
        return manager_id in message.get("managerIds", ())

    async def events(viewer: Viewer, message: Message) -> AsyncIterator[Budget]:
        store = (await require(context)).store
        managers = message["managerIds"]

        async def read(what: frozenset[str]) -> tuple[Document | None, list[Document]]:  # the same for everyone
            return await pay_store.cycle_and_budgets(store, cycle_id, sorted(what))

        events = message.get("eventIds") or [message.get("eventId")]
        if all(events):
            cycle, budgets = await read_after(context, (store.organization_id, cycle_id), events, managers,
                                              [manager_id], read)
        else:  # an event without an id (an older publisher's) is read for this subscriber
            cycle, budgets = await read(frozenset(managers))
        manager = await budget_manager(context, manager_id)
        found = next((b for b in budgets if b.get("managerId") == manager_id), None)
        if cycle is None or manager is None or found is None:
            return
        try:
            check_budget_visible(viewer, cycle, manager)
        except Forbidden:
            return
        as_of = datetime.fromisoformat(message["asOf"]) if message.get("asOf") else clock.now()
        yield Budget(found, cycle, as_of)

    async for item in stream(context, budget_channel(signed_in.viewer.organization_id, cycle_id), events,
                             wants=wants, coalesce=merged_budget_events):
        yield item


async def matrix_changed(context: Context, cycle_id: str) -> AsyncIterator[tuple[Document, Money]]:
    """Compensation admins: the cycle and its projected spend after each matrix change."""
    signed_in = await require_role(context, can_manage_compensation, ADMIN_REFUSAL)
    if await signed_in.store.meritCycles.get(cycle_id) is None:
        raise BadUserInput("no such merit cycle in your organisation")

    async def events(viewer: Viewer, message: Message) -> AsyncIterator[tuple[Document, Money]]:
        if not can_manage_compensation(viewer):
            return
        store = (await require(context)).store
        cycle = await store.meritCycles.get(cycle_id)
        if cycle is not None:
            yield cycle, projected_spend(cycle, await pay_store.participants(store, cycle_id))

    async for item in stream(context, matrix_channel(signed_in.viewer.organization_id, cycle_id), events):
        yield item
