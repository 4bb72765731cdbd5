"""The one query every domain asks of the org chart: the people below a manager."""

from __future__ import annotations

from store.core.repository import TenantStore


async def ids_below(store: TenantStore, manager_id: str) -> list[str]:
    """Everyone below ``manager_id`` (direct and indirect, leavers included), in one query on the
    management chain each employee keeps."""
    return [doc["_id"] for doc in await store.employees.find({"managerChain": manager_id}, projection={"_id": 1})]
