"""Competency framework writes: expected levels per position (their own collection)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import UpdateOne

from models.core.documents import Document
from models.reviews.competencies import expectation_id
from store.core.repository import TenantStore


async def set_expectations(store: TenantStore, position_id: str, expectations: list[Mapping[str, Any]],
                           now: Any) -> list[Document]:
    """Make the position's expected levels exactly ``expectations``: upsert each (deterministic ids),
    then remove the others. Repeating it after a failure part-way gives the same result."""
    collection = store.positionCompetencies
    requests = []
    for item in expectations:
        id = expectation_id(position_id, item["competencyId"])
        requests.append(UpdateOne(
            collection.scope({"_id": id}),
            {"$set": {"positionId": position_id, "competencyId": item["competencyId"],
                      "expectedLevel": item["expectedLevel"], "updatedAt": now}},
            upsert=True))
    if requests:
        await collection.collection.bulk_write(requests, ordered=False)
    keep = [expectation_id(position_id, item["competencyId"]) for item in expectations]
    await collection.collection.delete_many(collection.scope({"positionId": position_id, "_id": {"$nin": keep}}))
    return await collection.find({"positionId": position_id}, sort=[("competencyId", 1)])
