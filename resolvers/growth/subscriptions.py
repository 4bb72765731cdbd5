"""``growthPlanChanged``: each committed change of one person's growth plan, for the plan's readers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from models.core.viewer import Viewer
from resolvers.core.context import Context
from resolvers.core.streams import stream
from resolvers.growth.channels import plan_channel
from resolvers.growth.visibility import PlanView, plan_view, readable_plan_view


async def growth_plan_changed(context: Context, employee_id: str) -> AsyncIterator[tuple[dict[str, Any], PlanView]]:
    """Refused (FORBIDDEN) for a viewer who may not read the plan; then each event with the plan as it is
    after the write, the read rule checked again for every event with the viewer as the stream re-reads
    them (a mentor whose mentorship ended, or with whom the plan is no longer shared, gets nothing more)."""
    view = await readable_plan_view(context, employee_id)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[tuple[dict[str, Any], PlanView]]:
        current = await plan_view(context, employee_id)
        if current.readable_by(viewer):
            yield message, current

    channel = plan_channel(view.employee["organizationId"], employee_id)
    async for event in stream(context, channel, events, names=lambda message: (message["employeeId"],)):
        yield event
