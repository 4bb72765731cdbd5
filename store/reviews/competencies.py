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
    """Make the position's expected levels exactly ``expectations``, in one transaction: remove the others,
    upsert each (deterministic ids), then stamp the position's set marker. Every set of the position writes
    that marker (a document without ``positionId``, so never read as an expectation): two sets at once
    conflict even on a position with no expectations yet, and the one retried replaces the other's."""
    collection = store.positionCompetencies
    keep = [expectation_id(position_id, item["competencyId"]) for item in expectations]
    requests = [UpdateOne(collection.scope({"_id": id}),
                          {"$set": {"positionId": position_id, "competencyId": item["competencyId"],
                                    "expectedLevel": item["expectedLevel"], "updatedAt": now}}, upsert=True)
                for id, item in zip(keep, expectations, strict=True)]

    async def step() -> None:
        await collection.collection.delete_many(collection.scope({"positionId": position_id, "_id": {"$nin": keep}}))
        if requests:
            await collection.collection.bulk_write(requests, ordered=True)
        await collection.collection.update_one(collection.scope({"_id": expectation_id(position_id, "")}),
                                               {"$set": {"setForPositionId": position_id, "updatedAt": now}},
                                               upsert=True)

    await store.transaction(step)
    return await collection.find({"positionId": position_id}, sort=[("competencyId", 1)])
