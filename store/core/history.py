"""Reading one object's audit history (the trail store/core/audit.py writes): the latest entries of each object,
newest first, batched. Every domain's types offer it as ``history`` to those who may read the object."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.core.documents import Document
from store.core.loaders import MAX_BATCH
from store.core.repository import TenantStore

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
