"""``orgChartChanged``: changes of the org chart at or below a root, for everyone in the organisation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from typing import Any

from models.core.viewer import Viewer
from models.org.permissions import can_see_org_chart
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput
from resolvers.core.streams import stream
from resolvers.org.mutations import org_chart_channel


def concerns(message: dict[str, Any], root_id: str) -> bool:
    """An org-chart change concerns ``root_id`` when it happened at or below it (or organisation-wide)."""
    scope = message.get("scope")
    return scope is None or root_id in scope or root_id in message.get("employeeIds", [])


def named(message: dict[str, Any]) -> Collection[str]:
    return message.get("employeeIds", [])


async def org_chart_changed(context: Context, root_id: str) -> AsyncIterator[dict[str, Any]]:
    signed_in = await require(context)
    root = await signed_in.loaders.employee_by_id.load(root_id)
    if root is None or not can_see_org_chart(signed_in.viewer, root):
        raise BadUserInput(f"no employee {root_id!r} in your organisation")

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        if viewer.organization_id == root["organizationId"]:
            yield {**message, "rootId": root_id}

    channel = org_chart_channel(signed_in.viewer.organization_id)
    async for event in stream(context, channel, events, wants=lambda m: concerns(m, root_id), names=named):
        yield event
