"""Reminder overrides per department or person (``reminderOverrides``: ``{_id: "<organisation>:<unit>:<id>",
unit: "department" | "employee", unitId, staleGoalWeeks}``, nothing else: restoring a recorded value restores the
document exactly; who changed it is in the audit trail), and which reminder keys (``reminders``) are claimed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from models.core.documents import Document
from store.core.repository import TenantStore

MAX_OVERRIDES = 1000


def override_id(organization_id: str, unit: str, unit_id: str) -> str:
    return f"{organization_id}:{unit}:{unit_id}"


async def all_overrides(store: TenantStore, limit: int = MAX_OVERRIDES) -> list[Document]:
    """Every override of the organisation, departments first, then by id."""
    return await store.reminderOverrides.find(sort=[("unit", 1), ("unitId", 1)], limit=limit)


async def stale_goal_weeks_overrides(store: TenantStore) -> dict[tuple[str, str], int]:
    """(unit, unit id) → staleGoalWeeks, as the scheduler reads them."""
    return {(d["unit"], d["unitId"]): int(d["staleGoalWeeks"]) for d in await all_overrides(store)}


async def overrides_of(store: TenantStore, unit: str, ids: Iterable[str]) -> dict[str, int | None]:
    """The staleGoalWeeks set for each of ``ids`` (``None``: none of its own)."""
    wanted = list(dict.fromkeys(ids))
    docs = await store.reminderOverrides.by_ids([override_id(store.organization_id, unit, id) for id in wanted])
    found = {d["unitId"]: int(d["staleGoalWeeks"]) for d in docs}
    return {id: found.get(id) for id in wanted}


async def set_overrides(store: TenantStore, unit: str, values: Mapping[str, int | None]) -> None:
    """Set (``None``: remove) each unit's staleGoalWeeks; one write per id (in the caller's transaction, if any)."""
    collection = store.reminderOverrides
    for unit_id, weeks in sorted(values.items()):
        key = collection.scope({"_id": override_id(store.organization_id, unit, unit_id)})
        if weeks is None:
            await collection.collection.delete_one(key)
        else:
            await collection.collection.update_one(
                key, {"$set": {"unit": unit, "unitId": unit_id, "staleGoalWeeks": int(weeks)}}, upsert=True)


async def claimed(store: TenantStore, keys: Iterable[str]) -> set[str]:
    """Which of these reminder keys are claimed already (by this scheduler's earlier runs or another's)."""
    return {d["key"] for d in await store.reminders.find({"key": {"$in": list(keys)}}, projection={"key": 1})}
