"""Per-request DataLoaders: by-id and by-parent loads batched into one ``$in`` query per level.

Results come back in the order of the keys, with ``None`` (or an empty list) for a miss, and
batches are capped at :data:`MAX_BATCH` keys. Build a fresh :class:`Loaders` per request and per
subscription event: a cache that outlived them would serve stale documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from strawberry.dataloader import DataLoader

from store.core.repository import Document, TenantCollection, TenantStore

if TYPE_CHECKING:
    from store.checkins.repository import CheckInLoaders
    from store.feedback.repository import FeedbackLoaders
    from store.goals.repository import GoalLoaders
    from store.reviews.repository import ReviewLoaders

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


class EmployeeByIdLoader(ByIdLoader):
    pass


class DepartmentByIdLoader(ByIdLoader):
    pass


class PositionByIdLoader(ByIdLoader):
    pass


class ReportsByManagerIdLoader(ByParentLoader):
    """Direct reports who have not left, by name."""

    parent_field = "managerId"
    extra = NOT_TERMINATED


class EmployeesByDepartmentIdLoader(ByParentLoader):
    parent_field = "departmentId"
    extra = NOT_TERMINATED


class DepartmentsByParentIdLoader(ByParentLoader):
    parent_field = "parentId"
    sort = [("name", 1), ("_id", 1)]


class ReportCountByManagerIdLoader(DataLoader[str, int]):
    """How many people report directly to each manager, counted by the server ($group)."""

    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, manager_ids: Sequence[str]) -> list[int]:
        pipeline = [
            {"$match": self.collection.scope({**NOT_TERMINATED, "managerId": {"$in": list(manager_ids)}})},
            {"$group": {"_id": "$managerId", "count": {"$sum": 1}}},
        ]
        counts = {row["_id"]: row["count"] for row in await self.collection.collection.aggregate(pipeline)}
        return [counts.get(id, 0) for id in manager_ids]


class Loaders:
    """Every loader a request may use."""

    # Off only in bench/round_trips.py and tests/test_round_trips_depth.py: every ``.load`` is then its own
    # store call (batches of one key, no per-request cache), as with resolvers that read one object each.
    # The service never turns it off.
    batching: ClassVar[bool] = True

    def __init__(self, store: TenantStore) -> None:
        self.store = store

    # Each loader is built the first time it is used: a WebSocket connection keeps its Loaders while it
    # lives, and an idle subscriber should not hold seven empty caches.
    @cached_property
    def employee_by_id(self) -> EmployeeByIdLoader:
        return self._unbatched(EmployeeByIdLoader(self.store.employees))

    @cached_property
    def department_by_id(self) -> DepartmentByIdLoader:
        return self._unbatched(DepartmentByIdLoader(self.store.departments))

    @cached_property
    def position_by_id(self) -> PositionByIdLoader:
        return self._unbatched(PositionByIdLoader(self.store.positions))

    @cached_property
    def reports_by_manager_id(self) -> ReportsByManagerIdLoader:
        return self._unbatched(ReportsByManagerIdLoader(self.store.employees))

    @cached_property
    def report_count_by_manager_id(self) -> ReportCountByManagerIdLoader:
        return self._unbatched(ReportCountByManagerIdLoader(self.store.employees))

    @cached_property
    def employees_by_department_id(self) -> EmployeesByDepartmentIdLoader:
        return self._unbatched(EmployeesByDepartmentIdLoader(self.store.employees))

    @cached_property
    def departments_by_parent_id(self) -> DepartmentsByParentIdLoader:
        return self._unbatched(DepartmentsByParentIdLoader(self.store.departments))

    def _unbatched(self, group: Group) -> Group:
        """With batching off, a loader (or each loader of a group) loads one key per store call."""
        if not self.batching:
            loaders = [group] if isinstance(group, DataLoader) else vars(group).values()
            for loader in loaders:
                if isinstance(loader, DataLoader):
                    loader.max_batch_size, loader.cache = 1, False
        return group

    # Each domain's loaders, built the first time a request uses them: a subscription builds fresh
    # Loaders for every event, and most events touch one domain. Imported here because those modules
    # build on this module's base classes.
    @cached_property
    def check_ins(self) -> CheckInLoaders:
        from store.checkins.repository import CheckInLoaders
        return self._unbatched(CheckInLoaders(self.store))

    @cached_property
    def goals(self) -> GoalLoaders:
        from store.goals.repository import GoalLoaders
        return self._unbatched(GoalLoaders(self.store))

    @cached_property
    def feedback(self) -> FeedbackLoaders:
        from store.feedback.repository import FeedbackLoaders
        return self._unbatched(FeedbackLoaders(self.store))

    @cached_property
    def reviews(self) -> ReviewLoaders:
        from store.reviews.repository import ReviewLoaders
        return self._unbatched(ReviewLoaders(self.store))
