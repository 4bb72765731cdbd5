"""``pilotComparisonChanged(pilotId)``: the comparison again, as the subscriber may see it, after each change of
the pilot (started, extended, reverted, adopted, a survey round sent). HR admins only; the subscriber is checked
again on every event (``stream``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from models.core.viewer import Viewer
from models.pilots.permissions import can_run_pilots
from resolvers.core.context import Context, require_role
from resolvers.core.streams import stream
from resolvers.pilots.channels import pilots_channel
from resolvers.pilots.comparison import PilotComparison, comparison
from resolvers.pilots.pilots import known_pilot

REFUSAL = "the live comparison is for HR admins"


async def pilot_comparison_changed(context: Context, pilot_id: str) -> AsyncIterator[PilotComparison]:
    signed_in = await require_role(context, can_run_pilots, REFUSAL)
    await known_pilot(context, pilot_id)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[PilotComparison]:
        if can_run_pilots(viewer):
            yield await comparison(context, pilot_id)

    async for item in stream(context, pilots_channel(signed_in.store.organization_id), events,
                             wants=lambda message: message.get("pilotId") == pilot_id):
        yield item
