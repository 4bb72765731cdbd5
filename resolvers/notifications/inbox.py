"""Your notifications: the page, marking them read, and ``notificationReceived`` live."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from typing import Any

from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode
from models.core.viewer import Viewer
from models.notifications.rules import MARK_MAX
from resolvers.core.context import Context, require
from resolvers.core.outcome import Outcome
from resolvers.core.pages import Window, check_window, issued_cursor
from resolvers.core.streams import stream
from resolvers.notifications.notices import notification_channel
from store.core.pagination import Page
from store.notifications import notifications as notification_store


async def notifications(context: Context, unread: bool | None, window: Window) -> Page:
    """The viewer's own notifications, newest first (``unread``: only unread, or only read ones)."""
    me = await require(context)
    check_window(window)
    with issued_cursor():
        return await notification_store.page(me.store, me.viewer.employee_id, unread, window)


async def notification(context: Context, id: str) -> Document | None:
    """One of the viewer's own notifications; ``None`` for anyone else's, as for an unknown id."""
    me = await require(context)
    doc = await me.store.notifications.get(id)
    return doc if doc is not None and doc["recipientId"] == me.viewer.employee_id else None


async def mark_read(context: Context, ids: list[str] | None) -> Outcome:
    """Mark the viewer's notifications among ``ids`` read (null: all); someone else's ids change nothing."""
    me = await require(context)
    if ids is not None and len(ids) > MARK_MAX:
        return Outcome.refused("ids", ErrorCode.TOO_LONG, f"mark at most {MARK_MAX} notifications at once")
    count = await notification_store.mark_read(me.store, me.viewer.employee_id, ids, clock.now())
    return Outcome({"count": count})


async def notification_received(context: Context) -> AsyncIterator[Document]:
    """Each new notification of the subscriber, read again (and theirs) before it is sent."""
    me = await require(context)

    def addressee(message: dict[str, Any]) -> Collection[str]:
        return (me.viewer.employee_id,)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[Document]:
        doc = await me.store.notifications.get(message.get("notificationId", ""))
        if doc is not None and doc["recipientId"] == viewer.employee_id:
            yield doc

    channel = notification_channel(me.viewer.organization_id, me.viewer.employee_id)
    async for doc in stream(context, channel, events, names=addressee):
        yield doc
