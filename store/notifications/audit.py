"""Reading the audit trail (it is written by store/core/audit.py, never changed): newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader

from models.core.documents import Document
from models.core.pagination import Window
from models.notifications.audit import AuditFilterSpec
from store.core.loaders import MAX_BATCH
from store.core.pagination import Keyset, Page, keyset_page
from store.core.repository import TenantStore


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"no time zone in {text!r}")
    return moment


NEWEST_FIRST = Keyset("at", descending=True, to_text=datetime.isoformat, from_text=_instant)


def query_of(spec: AuditFilterSpec) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if spec.object_id:
        query["objectId"] = spec.object_id
    if spec.actor_id:
        query["actorId"] = spec.actor_id
    if spec.object_type:
        query["objectType"] = spec.object_type
    if spec.since or spec.until:
        query["at"] = {**({"$gte": spec.since} if spec.since else {}), **({"$lte": spec.until} if spec.until else {})}
    return query


async def page(store: TenantStore, spec: AuditFilterSpec, window: Window) -> Page:
    return await keyset_page(store.auditLog, query_of(spec), NEWEST_FIRST, window)


HISTORY_MAX = 50  # the latest entries ``history`` shows of one object


class HistoryByObjectIdLoader(DataLoader[str, list[Document]]):
    """The latest :data:`HISTORY_MAX` audit entries of each object, newest first: one aggregation per batch."""

    def __init__(self, store: TenantStore) -> None:
        self.store = store
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, ids: Sequence[str]) -> list[list[Document]]:
        trail = self.store.auditLog
        grouped = await trail.collection.aggregate([
            {"$match": trail.scope({"objectId": {"$in": list(ids)}})},
            {"$sort": {"at": -1, "_id": -1}},
            {"$group": {"_id": "$objectId", "entries": {"$push": "$$ROOT"}}},
            {"$project": {"entries": {"$slice": ["$entries", HISTORY_MAX]}}},
        ])
        found = {g["_id"]: g["entries"] for g in grouped}
        return [found.get(id, []) for id in ids]


class NotificationLoaders:
    def __init__(self, store: TenantStore) -> None:
        self.history_by_object_id = HistoryByObjectIdLoader(store)
