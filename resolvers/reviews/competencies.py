"""The competency framework (everyone reads, HR admins manage), expected levels per position and a
person's competency profile (expected level for their position vs. latest assessed level)."""

from __future__ import annotations

from typing import Any

from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.reviews.competencies import (
    ProfileEntry,
    check_competency,
    check_expectations,
    competency_fields,
    profile,
)
from models.reviews.permissions import can_manage_reviews, can_see_competency_profile
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from resolvers.reviews.access import fresh_loaders, now, viewer_store
from resolvers.reviews.mutations import ReviewOutcome
from store.reviews.competencies import set_expectations


async def competencies(context: Context, category: str | None, include_archived: bool) -> list[Document]:
    _, store, _ = await viewer_store(context)
    query: dict[str, Any] = {} if include_archived else {"archived": {"$ne": True}}
    if category is not None:
        query["category"] = category
    return await store.competencies.find(query, sort=[("category", 1), ("name", 1), ("_id", 1)])


async def competency(context: Context, id: str | None) -> Document | None:
    if id is None:
        return None
    _, _, loaders = await viewer_store(context)
    return await loaders.reviews.competency_by_id.load(id)


async def expectations(context: Context, position_id: str) -> list[Document]:
    _, _, loaders = await viewer_store(context)
    return await loaders.reviews.expectations_by_position_id.load(position_id)


async def _admin(context: Context) -> Any:
    viewer, store, _ = await viewer_store(context)
    if not can_manage_reviews(viewer):
        raise Forbidden("only HR admins manage the competency framework")
    return store


async def save_competency(context: Context, id: str | None, data: dict[str, Any]) -> ReviewOutcome:
    store = await _admin(context)
    current = await store.competencies.get(id) if id else None
    if id and current is None:
        return ReviewOutcome(errors=[FieldError("id", ErrorCode.NOT_FOUND, f"no competency {id!r}")])
    errors = check_competency(data, creating=current is None)
    if errors:
        return ReviewOutcome(errors=errors)
    at = now()
    fields = {**competency_fields(data), "updatedAt": at}
    if current is None:
        doc = await store.competencies.insert({"_id": new_id(), "description": "", "archived": False, **fields,
                                               "createdAt": at})
    else:
        await store.competencies.update(current["_id"], fields)
        doc = {**current, **fields}
    fresh_loaders(context)
    return ReviewOutcome(doc)


async def set_position_competencies(context: Context, position_id: str,
                                    items: list[dict[str, Any]]) -> tuple[list[Document], list[FieldError]]:
    store = await _admin(context)
    position = await store.positions.get(position_id, {"_id": 1})
    if position is None:
        return [], [FieldError("positionId", ErrorCode.NOT_FOUND, f"no position {position_id!r} in your organisation")]
    ids = [i["competencyId"] for i in items]
    known = {c["_id"] for c in await store.competencies.find({"_id": {"$in": ids}, "archived": {"$ne": True}},
                                                             projection={"_id": 1})}
    errors = check_expectations(items, known)
    if errors:
        return [], errors
    docs = await set_expectations(store, position_id, items, now())
    fresh_loaders(context)
    return docs, []


async def competency_profile(context: Context, employee: Document) -> list[ProfileEntry]:
    """Per competency: the position's expected level, the level the manager assessed in the last shared
    review, and the gap. Personal: the person, their managers and HR admins."""
    viewer, _, loaders = await viewer_store(context)
    if not can_see_competency_profile(viewer, employee):
        raise Forbidden("competencyProfile is visible only to the person, their managers and HR admins")
    # one loader gathers everything for every person of the query at once (see store/reviews.py), so a
    # list of profiles costs the same few queries whether it shows 5 people or 100
    sources = await loaders.reviews.profile_sources_by_employee_id.load(employee["_id"])
    ids = list(dict.fromkeys([*(e["competencyId"] for e in sources.expectations), *sources.assessed]))
    found = {c["_id"]: c for c in await loaders.reviews.competency_by_id.load_many(ids) if c is not None}
    return profile(sources.expectations, sources.assessed, sources.review_id, found)
