"""``checkInUpdated``: live edits of one check-in, for its two participants only (an edit about a goal the
participant may not see is not pushed to them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from models.checkins.permissions import can_subscribe_check_in
from models.core.viewer import Viewer
from resolvers.checkins.access import refuse_unless
from resolvers.checkins.channels import check_in_channel
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput
from resolvers.core.streams import stream
from resolvers.goals.access import visible_goals


async def check_in_updated(context: Context, check_in_id: str) -> AsyncIterator[dict[str, Any]]:
    """Each committed edit, with the check-in read after it; the participant rule is checked again for
    every event, with the viewer as the one stream policy re-reads them (``resolvers/core/streams.py``)."""
    signed_in = await require(context)
    doc = await signed_in.loaders.check_ins.check_in_by_id.load(check_in_id)
    if doc is None:
        raise BadUserInput(f"no check-in {check_in_id!r} in your organisation")
    await refuse_unless(context, doc, can_subscribe_check_in(signed_in.viewer, doc),
                        "live edits of a check-in go to its two participants only")

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        current = await signed_in.loaders.check_ins.check_in_by_id.load(check_in_id)
        if current is None or not can_subscribe_check_in(viewer, current):
            return
        # a goal linked, unlinked or progressed that the subscriber may not see: no event at all (its kind
        # and moment would tell them of it), as the goals domain decides (resolvers/goals/access.py)
        goal_id = message.get("goalId")
        if goal_id is not None and not await visible_goals(context, [goal_id]):
            return
        yield {**message, "checkIn": current}

    channel = check_in_channel(signed_in.viewer.organization_id, check_in_id)
    async for event in stream(context, channel, events):
        yield event
