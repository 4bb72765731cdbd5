"""Live feedback: ``praisePosted`` (the whole organisation) and ``feedbackReceived`` (the subscriber's own).

Each subscriber listens on a channel of its own organisation (``feedbackReceived``: of its own person),
and every event is checked again for that subscriber, with fresh loaders, before it is sent.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from models.core.documents import Document
from models.feedback.permissions import can_see_praise
from models.feedback.rules import FeedbackEventKind
from realtime import SubscriberOverflow
from resolvers.core.context import Context
from resolvers.core.streams import close_connection
from resolvers.feedback import anonymous as feedback_anonymous
from resolvers.feedback import queries as feedback
from resolvers.feedback.common import feedback_channel, praise_channel

log = logging.getLogger("perfgraph.subscriptions")


async def praise_posted(context: Context) -> AsyncIterator[Document]:
    viewer = await context.authenticate()
    try:
        async with context.bus.subscribe(praise_channel(viewer.organization_id)) as subscription:
            async for message in subscription:
                viewer = await context.refresh()
                assert context.loaders is not None
                doc = await context.loaders.feedback.praise_by_id.load(message.get("praiseId", ""))
                if doc is not None and can_see_praise(viewer, doc):
                    yield doc
    except SubscriberOverflow as error:
        log.warning("closing a subscriber that fell behind: %s", error)
        await close_connection(context, str(error))


async def _addressed(context: Context, message: dict[str, Any]) -> dict[str, Any] | None:
    """The event for this subscriber, or ``None`` when it is not theirs to see."""
    viewer = await context.refresh()
    kind = message.get("kind")
    if kind == FeedbackEventKind.FEEDBACK.value:
        doc = await feedback.feedback_by_id(context, message.get("feedbackId"))
        if doc is None:
            return None
        request = await feedback.request_by_id(context, doc.get("requestId"))
        if viewer.employee_id in (doc["recipientId"], request and request["requesterId"]):
            return {"kind": FeedbackEventKind.FEEDBACK, "feedback": doc}
    elif kind == FeedbackEventKind.REQUEST.value:
        request = await feedback.request_by_id(context, message.get("requestId"))
        if request is not None and viewer.employee_id in request["respondentIds"]:
            return {"kind": FeedbackEventKind.REQUEST, "request": request}
    elif kind == FeedbackEventKind.ANONYMOUS_RELEASED.value:
        items = await feedback_anonymous.released_items(context, list(message.get("ids", [])))
        if items:
            return {"kind": FeedbackEventKind.ANONYMOUS_RELEASED, "anonymous": items}
    return None


async def feedback_received(context: Context) -> AsyncIterator[dict[str, Any]]:
    viewer = await context.authenticate()
    try:
        async with context.bus.subscribe(feedback_channel(viewer.organization_id, viewer.employee_id)) as subscription:
            async for message in subscription:
                event = await _addressed(context, message)
                if event is not None:
                    yield event
    except SubscriberOverflow as error:
        log.warning("closing a subscriber that fell behind: %s", error)
        await close_connection(context, str(error))
