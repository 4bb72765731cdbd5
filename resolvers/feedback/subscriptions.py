"""Live feedback: ``praisePosted`` (the whole organisation) and ``feedbackReceived`` (the subscriber's own).

Each subscriber listens on a channel of its own organisation (``feedbackReceived``: of its own person);
both run on :func:`resolvers.core.streams.stream`, so every event is checked again for that subscriber,
with fresh loaders, before it is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from typing import Any

from models.core.documents import Document
from models.core.viewer import Viewer
from models.feedback.permissions import can_see_praise
from models.feedback.rules import FeedbackEventKind
from resolvers.core.context import Context, require
from resolvers.core.streams import stream
from resolvers.feedback import anonymous as feedback_anonymous
from resolvers.feedback import queries as feedback
from resolvers.feedback.channels import feedback_channel, praise_channel
from resolvers.org import access as org_access


async def praise_posted(context: Context) -> AsyncIterator[Document]:
    """Each new praise in the subscriber's organisation."""
    me = await require(context)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[Document]:
        # The author and recipients the event names are read beside the praise (their fields then read the
        # loader's cache); what the praise itself says is what the fields show.
        doc, _ = await asyncio.gather(me.loaders.feedback.praise_by_id.load(message.get("praiseId", "")),
                                      org_access.employees(context, message.get("peopleIds", [])))
        if doc is not None and can_see_praise(viewer, doc):
            yield doc

    async for praise in stream(context, praise_channel(me.viewer.organization_id), events):
        yield praise


async def feedback_received(context: Context) -> AsyncIterator[dict[str, Any]]:
    """New feedback, requests and anonymous releases addressed to the subscriber, each checked again."""
    me = await require(context)

    def addressee(message: dict[str, Any]) -> Collection[str]:
        # Everything on this channel is addressed to its subscriber: each event re-reads them.
        return (me.viewer.employee_id,)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        event = await _addressed(context, viewer, message)
        if event is not None:
            yield event

    channel = feedback_channel(me.viewer.organization_id, me.viewer.employee_id)
    async for event in stream(context, channel, events, names=addressee):
        yield event


async def _addressed(context: Context, viewer: Viewer, message: dict[str, Any]) -> dict[str, Any] | None:
    """The event for this subscriber, or ``None`` when it is not theirs to see."""
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
