"""Learning evidence in: xAPI statements received, HR's activity → competency mappings, and the evidence
a passed activity becomes (``learningEvidence``, read per person through :class:`EvidenceByEmployeeIdLoader`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from models.core.documents import Document
from store.core.loaders import ByParentLoader
from store.core.repository import TenantCollection, TenantStore


class EvidenceByEmployeeIdLoader(ByParentLoader):
    parent_field = "employeeId"
    sort = [("achievedAt", -1), ("_id", 1)]


class IntegrationLoaders:
    """The integrations domain's loaders of one request: ``context.loaders.integrations``."""

    def __init__(self, store: TenantStore) -> None:
        self.evidence_by_employee_id = EvidenceByEmployeeIdLoader(store.learningEvidence)


async def save_mapping(store: TenantStore, activity_id: str, fields: dict[str, Any]) -> Document:
    """Create or replace the mapping of one activity (one upsert)."""
    scoped: TenantCollection = store.learningMappings
    await scoped.collection.update_one(scoped.scope({"activityId": activity_id}),
                                       {"$set": fields, "$setOnInsert": {"_id": fields.pop("_id", None)}},
                                       upsert=True)
    found = await scoped.find({"activityId": activity_id}, limit=1)
    return found[0]


async def mappings(store: TenantStore, activity_ids: Iterable[str]) -> dict[str, Document]:
    return {d["activityId"]: d for d in await store.learningMappings.find({"activityId": {"$in": list(activity_ids)}})}

