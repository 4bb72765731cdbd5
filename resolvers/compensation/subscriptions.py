"""Live compensation streams: a manager's budget after every committed proposal below them, and the
projected spend after each matrix change. Both run on the one stream helper (``resolvers/core/streams.py``)
and re-read, for each event and each subscriber, what that subscriber may see now: events carry ids only,
never an amount, and neither stream is grouped with other subscribers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from models.compensation.money import Money
from models.compensation.permissions import can_manage_compensation
from models.core.documents import Document
from models.core.viewer import Viewer
from resolvers.compensation.access import ADMIN_REFUSAL
from resolvers.compensation.channels import budget_channel, matrix_channel
from resolvers.compensation.queries import Budget, budget, projected_spend
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.streams import stream
from store.compensation import repository as pay_store

Message = dict[str, Any]


async def budget_changed(context: Context, cycle_id: str, manager_id: str) -> AsyncIterator[Budget]:
    """The budget of ``manager_id`` after each change below them; refused unless the subscriber may see it
    now (a cycle that leaves the review phase ends what a manager receives)."""
    signed_in = await require(context)
    if await budget(context, cycle_id, manager_id) is None:
        raise BadUserInput("no such budget in your organisation")

    def wants(message: Message) -> bool:
        return manager_id in message.get("managerIds", ())

    async def events(viewer: Viewer, message: Message) -> AsyncIterator[Budget]:
        try:
            found = await budget(context, cycle_id, manager_id)
        except Forbidden:
            return
        if found is not None:
            yield found

    async for item in stream(context, budget_channel(signed_in.viewer.organization_id, cycle_id), events,
                             wants=wants):
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
