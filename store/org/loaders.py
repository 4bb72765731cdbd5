"""The org chart's loaders: people, departments and positions by id, reports, members, report counts."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from store.core.loaders import MAX_BATCH, NOT_TERMINATED, ByIdLoader, ByParentLoader
from store.core.repository import TenantCollection


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


class ReportCountByManagerIdLoader(DataLoader[str, int]):
    """How many people report directly to each manager, counted by the server ($group)."""

    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, manager_ids: Sequence[str]) -> list[int]:
        pipeline = [
            *self.collection.match({"managerId": {"$in": list(manager_ids)}, **NOT_TERMINATED}),
            {"$group": {"_id": "$managerId", "count": {"$sum": 1}}},
        ]
        counts = {row["_id"]: row["count"] for row in await self.collection.collection.aggregate(pipeline)}
        return [counts.get(id, 0) for id in manager_ids]
