"""``checkInUpdated``: live edits of one check-in, for its two participants only."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from models.checkins.permissions import can_subscribe_check_in
from realtime import SubscriberOverflow
from resolvers.checkins.queries import check_in_channel, readable, signed_in
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.streams import close_connection

log = logging.getLogger("perfgraph.subscriptions")


async def check_in_updated(context: Context, check_in_id: str) -> AsyncIterator[dict[str, Any]]:
    """Each committed edit, with the check-in read after it; the participant rule is checked again
    for every event (a subscriber who left the organisation gets UNAUTHENTICATED instead)."""
    viewer, _, loaders = await signed_in(context)
    doc = await loaders.check_ins.check_in_by_id.load(check_in_id)
    if doc is None:
        raise BadUserInput(f"no check-in {check_in_id!r} in your organisation")
    if not can_subscribe_check_in(viewer, doc):
        raise Forbidden("live edits of a check-in go to its two participants only"
                        if await readable(context, [doc])
                        else "check-ins are visible to their participants, the employee's managers and HR admins")
    try:
        async with context.bus.subscribe(check_in_channel(viewer.organization_id, check_in_id)) as subscription:
            async for message in subscription:
                viewer = await context.refresh()
                assert context.loaders is not None
                current = await context.loaders.check_ins.check_in_by_id.load(check_in_id)
                if current is None or not can_subscribe_check_in(viewer, current):
                    continue
                yield {**message, "checkIn": current}
    except SubscriberOverflow as error:
        log.warning("closing a check-in subscriber that fell behind: %s", error)
        await close_connection(context, str(error))
