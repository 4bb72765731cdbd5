"""``orgChartChanged``: changes of the org chart at or below a root, for everyone in the organisation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from typing import Any

from models.core.viewer import Viewer
from resolvers.core.context import Context
from resolvers.core.streams import stream
from resolvers.org.access import known_employee
from resolvers.org.mutations import org_chart_channel


def concerns(message: dict[str, Any], root_id: str) -> bool:
    """An org-chart change concerns ``root_id`` when it happened at or below it (or organisation-wide)."""
    scope = message.get("scope")
    return scope is None or root_id in scope or root_id in message.get("employeeIds", [])


def named(message: dict[str, Any]) -> Collection[str]:
    return message.get("employeeIds", [])


async def org_chart_changed(context: Context, root_id: str) -> AsyncIterator[dict[str, Any]]:
    root = await known_employee(context, root_id)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        if viewer.organization_id == root["organizationId"]:
            yield {**message, "rootId": root_id}

    channel = org_chart_channel(root["organizationId"])
    async for event in stream(context, channel, events, wants=lambda m: concerns(m, root_id), names=named):
        yield event
