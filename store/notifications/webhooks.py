"""Webhook endpoints, the outbox fan-out and deliveries.

The organisation's own reads and writes go through its :class:`TenantStore`. The delivery worker serves
every organisation: it works on :class:`Database` directly, and every write it makes names the
organisation of the document it read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument

from models.core.documents import Document
from models.core.pagination import Window
from models.notifications.webhooks import LEASE, DeliveryStatus, payload, subscribed
from store.core.database import Database
from store.core.pagination import Keyset, Page, keyset_page
from store.core.repository import TenantStore
from store.core.transactions import in_transaction


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"no time zone in {text!r}")
    return moment


NEWEST_FIRST = Keyset("createdAt", descending=True, to_text=datetime.isoformat, from_text=_instant)
ENDPOINT_ORDER = [("createdAt", 1), ("_id", 1)]


async def endpoints(store: TenantStore, limit: int) -> list[Document]:
    return await store.webhookEndpoints.find({}, sort=ENDPOINT_ORDER, limit=limit)


async def claim_endpoint_slot(store: TenantStore, most: int) -> bool:
    """Count one more endpoint on the organisation unless it has ``most``: one conditional write, so two
    concurrent registrations never pass the limit together."""
    result = await store.database.organizations.update_one(
        {"_id": store.organization_id, "$or": [{"webhookEndpointCount": {"$lt": most}},
                                               {"webhookEndpointCount": {"$exists": False}}]},
        {"$inc": {"webhookEndpointCount": 1}})
    return result.modified_count == 1


async def deliveries_page(store: TenantStore, endpoint_id: str | None, window: Window) -> Page:
    query = {"endpointId": endpoint_id} if endpoint_id else {}
    return await keyset_page(store.webhookDeliveries, query, NEWEST_FIRST, window)


def delivery_doc(event: Document, endpoint: Document, now: datetime, *, id: str | None = None,
                 replay_of: str | None = None) -> Document:
    """A delivery of ``event`` to ``endpoint``, due now. Its id is derived from both, so a fan-out that
    runs twice creates it once; ``webhook-id`` is the event's id, the same on every attempt."""
    return {
        "_id": id or f"{event['_id']}.{endpoint['_id']}", "organizationId": event["organizationId"],
        "endpointId": endpoint["_id"], "eventId": event["_id"], "messageId": event["_id"], "type": event["type"],
        "body": payload(event), "status": DeliveryStatus.PENDING.value, "attempts": [], "attemptCount": 0,
        "nextAttemptAt": now, "leaseUntil": now, "leaseOwner": None, "createdAt": now, "replayOf": replay_of,
    }


async def undispatched(database: Database, limit: int = 100) -> list[Document]:
    """Outbox events not yet turned into deliveries, oldest first (every organisation)."""
    return await database.outbox.find({"dispatched": False}).sort([("createdAt", 1)]).limit(limit).to_list(None)


async def fan_out(database: Database, event_id: str, now: datetime) -> int:
    """One transaction: the deliveries of one outbox event to every enabled endpoint subscribed to its type,
    and the event marked dispatched. Two workers doing this at once conflict; the one retried finds it done."""

    async def step() -> int:
        event = await database.outbox.find_one({"_id": event_id, "dispatched": False})
        if event is None:
            return 0
        found = await database.webhookEndpoints.find({"organizationId": event["organizationId"],
                                                       "enabled": True}).to_list(None)
        documents = [delivery_doc(event, e, now) for e in found if subscribed(e, event["type"])]
        if documents:
            await database.webhookDeliveries.insert_many(documents, ordered=True)
        await database.outbox.update_one({"_id": event_id}, {"$set": {"dispatched": True, "dispatchedAt": now}})
        return len(documents)

    return await in_transaction(database.client, step)


async def claim(database: Database, owner: str, now: datetime) -> Document | None:
    """The next due delivery, leased to ``owner`` for :data:`LEASE`: one conditional write, so two workers
    never hold the same delivery at once (a lease that expired, its worker gone, may be taken over)."""
    return await database.webhookDeliveries.find_one_and_update(
        {"status": DeliveryStatus.PENDING.value, "nextAttemptAt": {"$lte": now}, "leaseUntil": {"$lte": now}},
        {"$set": {"leaseUntil": now + LEASE, "leaseOwner": owner}},
        sort=[("nextAttemptAt", 1), ("_id", 1)], return_document=ReturnDocument.AFTER)


async def finish_attempt(database: Database, delivery: Document, owner: str, attempt: Document,
                         changes: dict[str, Any]) -> bool:
    """Record one attempt and its consequence, if ``owner`` still holds the lease."""
    result = await database.webhookDeliveries.update_one(
        {"_id": delivery["_id"], "leaseOwner": owner, "attemptCount": delivery["attemptCount"]},
        {"$set": {**changes, "leaseOwner": None}, "$push": {"attempts": attempt}, "$inc": {"attemptCount": 1}})
    return result.modified_count == 1


async def endpoint_for(database: Database, delivery: Document) -> Document | None:
    return await database.webhookEndpoints.find_one({"_id": delivery["endpointId"],
                                                     "organizationId": delivery["organizationId"]})


async def disable_endpoint(database: Database, delivery: Document, reason: str, now: datetime) -> bool:
    """Disable the delivery's endpoint; True if it was enabled until now."""
    result = await database.webhookEndpoints.update_one(
        {"_id": delivery["endpointId"], "organizationId": delivery["organizationId"], "enabled": True},
        {"$set": {"enabled": False, "disabledReason": reason, "disabledAt": now, "updatedAt": now}})
    return result.modified_count == 1


async def hr_admin_ids(database: Database, organization_id: str) -> list[str]:
    return await role_holder_ids(database, organization_id, "hr_admin")


async def role_holder_ids(database: Database, organization_id: str, role: str) -> list[str]:
    """The ids of the organisation's people (not gone) holding ``role``, in id order."""
    people = await database.employees.find(
        {"organizationId": organization_id, "roles": role, "status": {"$ne": "terminated"}},
        {"_id": 1}).sort([("_id", 1)]).to_list(None)
    return [p["_id"] for p in people]
