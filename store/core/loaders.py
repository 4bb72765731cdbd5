"""The DataLoader base classes: by-id and by-parent loads batched into one ``$in`` query per level.

Results come back in the order of the keys, with ``None`` (or an empty list) for a miss, and
batches are capped at :data:`MAX_BATCH` keys. The registry of every domain's loaders is
``store/loaders.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from store.core.repository import Document, TenantCollection

MAX_BATCH = 500
Group = TypeVar("Group")
NOT_TERMINATED = {"status": {"$ne": "terminated"}}
BY_NAME = [("name", 1), ("_id", 1)]


class ByIdLoader(DataLoader[str, Document | None]):
    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, ids: Sequence[str]) -> list[Document | None]:
        found = {doc["_id"]: doc for doc in await self.collection.by_ids(ids)}
        return [found.get(id) for id in ids]


class ByParentLoader(DataLoader[str, list[Document]]):
    parent_field: str
    extra: dict[str, Any] = {}
    sort: list[tuple[str, int]] = BY_NAME

    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, parent_ids: Sequence[str]) -> list[list[Document]]:
        grouped: dict[str, list[Document]] = {id: [] for id in parent_ids}
        query = {**self.extra, self.parent_field: {"$in": list(parent_ids)}}
        for doc in await self.collection.find(query, sort=self.sort):
            grouped[doc[self.parent_field]].append(doc)
        return [grouped[id] for id in parent_ids]


def unbatched(batching: bool, group: Group) -> Group:
    """With batching off, a loader (or each loader of a group) loads one key per store call."""
    if not batching:
        loaders = [group] if isinstance(group, DataLoader) else vars(group).values()
        for loader in loaders:
            if isinstance(loader, DataLoader):
                loader.max_batch_size, loader.cache = 1, False
    return group
