"""Creating in-app notifications (the worker, the reminder scheduler): stored with their outbox event in one
transaction, then pushed live to ``notificationReceived``."""

from __future__ import annotations

import logging
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from realtime import Bus
from store.core.database import Database
from store.core.repository import TenantStore
from store.notifications import notifications as notification_store
from store.notifications import webhooks as webhook_store

log = logging.getLogger("perfgraph.notifications")


def notification_channel(organization_id: str, recipient_id: str) -> str:
    return f"notifications:{organization_id}:{recipient_id}"


def notification_doc(recipient_id: str, kind: str, text: str, subject_type: str | None,
                     subject_id: str | None) -> Document:
    return {"_id": new_id(), "recipientId": recipient_id, "kind": kind, "text": text, "subjectType": subject_type,
            "subjectId": subject_id, "createdAt": clock.now(), "readAt": None}


async def publish(bus: Bus | None, organization_id: str, documents: list[Document]) -> None:
    """Push each to its recipient's ``notificationReceived`` (no bus: they read them on their next query)."""
    if bus is None:
        return
    for document in documents:
        try:
            await bus.publish(notification_channel(organization_id, document["recipientId"]),
                              {"kind": "notification", "notificationId": document["_id"]})
        except Exception as error:
            log.error("notification not published: %s", type(error).__name__)


async def create(database: Database, bus: Bus | None, organization_id: str, documents: list[Document],
                 step_before: Any = None) -> list[Document]:
    """Store ``documents`` (one transaction, with ``step_before()`` if given: a condition that may refuse by
    returning False) and push them live; returns what was stored."""
    store = TenantStore(database, organization_id)

    async def step() -> bool:
        if step_before is not None and not await step_before(store):
            return False
        await notification_store.insert_all(store, documents)
        return True

    if not await store.transaction(step):
        return []
    await publish(bus, organization_id, documents)
    return documents


async def tell_hr(database: Database, bus: Bus | None, organization_id: str, kind: str, text: str, subject_type: str,
                  subject_id: str) -> list[Document]:
    """A notification to every HR admin of the organisation."""
    recipients = await webhook_store.hr_admin_ids(database, organization_id)
    documents = [notification_doc(r, kind, text, subject_type, subject_id) for r in recipients]
    return await create(database, bus, organization_id, documents)
