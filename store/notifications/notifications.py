"""In-app notifications: written for a recipient, read newest first, marked read by their recipient."""

from __future__ import annotations

from datetime import datetime

from models.core.documents import Document
from models.core.pagination import Window
from store.core.pagination import Keyset, Page, keyset_page
from store.core.repository import TenantStore


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"no time zone in {text!r}")
    return moment


NEWEST_FIRST = Keyset("createdAt", descending=True, to_text=datetime.isoformat, from_text=_instant)


async def insert_all(store: TenantStore, documents: list[Document]) -> None:
    """Inside a transaction: the notifications and, for webhooks, one outbox event each."""
    await store.notifications.insert_all(documents)
    for document in documents:
        store.record_event("notification.created", {"notificationId": document["_id"],
                                                    "recipientId": document["recipientId"],
                                                    "kind": document["kind"]})


async def page(store: TenantStore, recipient_id: str, unread: bool | None, window: Window) -> Page:
    query: dict[str, object] = {"recipientId": recipient_id}
    if unread is True:
        query["readAt"] = None
    elif unread is False:
        query["readAt"] = {"$ne": None}
    return await keyset_page(store.notifications, query, NEWEST_FIRST, window)


async def mark_read(store: TenantStore, recipient_id: str, ids: list[str] | None, at: datetime) -> int:
    """Mark the recipient's notifications among ``ids`` (None: all of theirs) read; how many were unread."""
    query: dict[str, object] = {"recipientId": recipient_id, "readAt": None}
    if ids is not None:
        query["_id"] = {"$in": ids}
    result = await store.notifications.collection.update_many(store.notifications.scope(query),
                                                              {"$set": {"readAt": at}})
    return int(result.modified_count)
