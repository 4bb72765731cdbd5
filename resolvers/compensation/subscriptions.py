"""Live compensation streams: a manager's budget after every committed change below them, and the projected spend
after each matrix change. Both run on the one stream helper (``resolvers/core/streams.py``) and neither is grouped
with other subscribers. Budget pushes read nothing from the store: the process keeps each cycle's budgets from the
events (``resolvers/compensation/ledger.py``: a proposal's event carries the participant's change, sealed), and
each subscriber checks apart, as re-read, whether it may see its manager's budget now. A burst of budget events
queued for a subscriber is answered with one push (``coalesce``), and a budget subscriber's standing is kept read
ahead while it is subscribed (``keep_standing``), so a push after a quiet spell does not wait for it. The matrix
stream re-reads for each subscriber."""

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
from resolvers.compensation.ledger import cycle_ledger
from resolvers.compensation.queries import Budget, budget, budget_manager, check_budget_visible, projected_spend
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.streams import stream
from store.compensation import repository as pay_store

Message = dict[str, Any]


def merged_budget_events(messages: list[Message]) -> Message:
    """One budget event for a burst: every manager named (every subscriber when one event was for everyone), the
    latest commit (``asOf``). Ids and moments only: the ledger has counted each message's sealed change already."""
    moments = [m["asOf"] for m in messages if m.get("asOf")]
    merged: Message = {"kind": "budget", "cycleId": messages[-1].get("cycleId"),
                       "managerIds": sorted({m for message in messages for m in message.get("managerIds", ())}),
                       "asOf": max(moments, key=datetime.fromisoformat) if len(moments) == len(messages) else None}
    if any(m.get("everyone") for m in messages):
        merged["everyone"] = True
    return merged


async def budget_changed(context: Context, cycle_id: str, manager_id: str) -> AsyncIterator[Budget]:
    """The budget of ``manager_id`` after each change below them; refused unless the subscriber may see it
    now (a cycle that leaves the review phase ends what a manager receives)."""
    signed_in = await require(context)
    if await budget(context, cycle_id, manager_id) is None:
        raise BadUserInput("no such budget in your organisation")

    def wants(message: Message) -> bool:
        return bool(message.get("everyone")) or manager_id in message.get("managerIds", ())

    organization_id = signed_in.viewer.organization_id
    async with cycle_ledger(context.bus, signed_in.store, cycle_id) as ledger:

        async def events(viewer: Viewer, message: Message) -> AsyncIterator[Budget]:
            await ledger.ready((await require(context)).store)
            manager = await budget_manager(context, manager_id)
            found, cycle = ledger.budget(manager_id), ledger.cycle
            if cycle is None or manager is None or found is None:
                return
            try:
                check_budget_visible(viewer, cycle, manager)
            except Forbidden:
                return
            as_of = datetime.fromisoformat(message["asOf"]) if message.get("asOf") else clock.now()
            yield Budget(found, cycle, as_of)

        async for item in stream(context, budget_channel(organization_id, cycle_id), events, wants=wants,
                                 coalesce=merged_budget_events, heard=ledger.heard, keep_standing=True):
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
