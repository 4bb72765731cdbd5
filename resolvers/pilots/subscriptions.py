"""``pilotComparisonChanged(pilotId)``: the comparison again, as the subscriber may see it, after each change of
the pilot (extended, reverted, adopted, a survey round sent) and each check-in held or skipped in the organisation
(the check-ins domain's activity channel). HR admins only; each channel goes through the core ``stream`` helper,
which checks the subscriber again on every event. A survey answer publishes nothing (its moment would tell who)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from models.core.viewer import Viewer
from models.pilots.permissions import can_run_pilots
from resolvers.checkins import access as checkins
from resolvers.core.context import Context, require_role
from resolvers.core.streams import stream
from resolvers.pilots.channels import pilots_channel
from resolvers.pilots.comparison import PilotComparison, comparison
from resolvers.pilots.pilots import known_pilot

REFUSAL = "the live comparison is for HR admins"
Item = TypeVar("Item")
_END = object()


async def merged(sources: list[AsyncIterator[Item]]) -> AsyncIterator[Item]:
    """The items of several streams as they come (one at a time: a bounded queue); the first error of any ends
    all of them and is raised here."""
    queue: asyncio.Queue[tuple[Any, BaseException | None]] = asyncio.Queue(maxsize=1)

    async def pump(source: AsyncIterator[Item]) -> None:
        try:
            async for item in source:
                await queue.put((item, None))
            await queue.put((_END, None))
        except Exception as error:
            await queue.put((_END, error))

    tasks = [asyncio.create_task(pump(source)) for source in sources]
    try:
        while True:
            item, error = await queue.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def pilot_comparison_changed(context: Context, pilot_id: str) -> AsyncIterator[PilotComparison]:
    signed_in = await require_role(context, can_run_pilots, REFUSAL)
    await known_pilot(context, pilot_id)
    organization_id = signed_in.store.organization_id

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[PilotComparison]:
        if can_run_pilots(viewer):
            yield await comparison(context, pilot_id)

    async for item in merged([
            stream(context, pilots_channel(organization_id), events,
                   wants=lambda message: message.get("pilotId") == pilot_id),
            stream(context, checkins.activity_channel(organization_id), events)]):
        yield item
