"""Review template overrides per department or person (``reviewTemplateOverrides``, see
``models/reviews/overrides.py``): read them all or some, set or clear some (in the caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from models.core.documents import Document
from models.reviews.overrides import OverrideUnit, override_id
from store.core.repository import TenantStore

MAX_OVERRIDES = 1000


async def all_overrides(store: TenantStore, limit: int = MAX_OVERRIDES) -> list[Document]:
    """Every override of the organisation, departments first, then by id."""
    return await store.reviewTemplateOverrides.find(sort=[("unit", 1), ("unitId", 1)], limit=limit)


async def override_map(store: TenantStore) -> dict[tuple[str, str], str]:
    """(unit, unit id) → template id, as a launch reads them."""
    return {(d["unit"], d["unitId"]): d["templateId"] for d in await all_overrides(store)}


async def overrides_of(store: TenantStore, unit: OverrideUnit, ids: Iterable[str]) -> dict[str, str | None]:
    """The template id set for each of ``ids`` (``None``: no override)."""
    wanted = list(dict.fromkeys(ids))
    docs = await store.reviewTemplateOverrides.by_ids([override_id(store.organization_id, unit, id)
                                                       for id in wanted])
    found = {d["unitId"]: d["templateId"] for d in docs}
    return {id: found.get(id) for id in wanted}


async def set_overrides(store: TenantStore, unit: OverrideUnit, values: Mapping[str, str | None]) -> None:
    """Set (or, for ``None``, remove) the override of each unit id; one write per id. The document holds the
    setting only (who changed it is in the audit trail), so restoring a recorded value restores it exactly."""
    collection = store.reviewTemplateOverrides
    for unit_id, template_id in sorted(values.items()):
        key = override_id(store.organization_id, unit, unit_id)
        if template_id is None:
            await collection.collection.delete_one(collection.scope({"_id": key}))
            continue
        await collection.collection.update_one(
            collection.scope({"_id": key}),
            {"$set": {"unit": unit.value, "unitId": unit_id, "templateId": template_id}}, upsert=True)
