"""Subscription streams: bus messages filtered per subscriber, visibility checked for each event."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from models.core.permissions import can_see_org_chart
from realtime import SubscriberOverflow
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput
from resolvers.org.mutations import org_chart_channel

log = logging.getLogger("perfgraph.subscriptions")
SLOW_SUBSCRIBER_CLOSE = 1013  # "try again later": the server dropped a subscriber that fell behind


def concerns(message: dict[str, Any], root_id: str) -> bool:
    """An org-chart change concerns ``root_id`` when it happened at or below it (or organisation-wide)."""
    scope = message.get("scope")
    return scope is None or root_id in scope or root_id in message.get("employeeIds", [])


async def org_chart_changed(context: Context, root_id: str) -> AsyncIterator[dict[str, Any]]:
    viewer = await context.authenticate()
    assert context.loaders is not None
    root = await context.loaders.employee_by_id.load(root_id)
    if root is None or not can_see_org_chart(viewer, root):
        raise BadUserInput(f"no employee {root_id!r} in your organisation")
    try:
        async with context.bus.subscribe(org_chart_channel(viewer.organization_id)) as subscription:
            async for message in subscription:
                names = message.get("employeeIds", [])
                if context.on_names is not None:
                    await context.on_names(names)
                names_viewer = viewer.employee_id in names
                if not concerns(message, root_id) and not names_viewer:
                    continue
                viewer = await context.refresh(recheck=names_viewer)
                if not concerns(message, root_id):
                    continue
                if viewer.organization_id != root["organizationId"]:
                    continue
                yield {**message, "rootId": root_id}
    except SubscriberOverflow as error:
        log.warning("closing a subscriber that fell behind: %s", error)
        await close_connection(context, str(error))


async def close_connection(context: Context, reason: str) -> None:
    websocket = context.request
    if websocket is not None and hasattr(websocket, "close"):
        try:
            await websocket.close(code=SLOW_SUBSCRIBER_CLOSE, reason=reason[:120])
        except RuntimeError:  # already closed by the other side
            pass
