"""The competency framework (everyone reads, HR admins manage), expected levels per position and a
person's competency profile (expected level for their position vs. latest assessed level)."""

from __future__ import annotations

from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode
from models.reviews.competencies import (
    ProfileEntry,
    check_competency,
    check_expectations,
    competency_fields,
    profile,
)
from models.reviews.permissions import can_manage_reviews, can_see_competency_profile
from resolvers.core.context import Context, require, require_role
from resolvers.core.outcome import Outcome
from store.reviews.competencies import set_expectations

HR_ONLY = "only HR admins manage the competency framework"


async def competencies(context: Context, category: str | None, include_archived: bool) -> list[Document]:
    store = (await require(context)).store
    query: dict[str, Any] = {} if include_archived else {"archived": {"$ne": True}}
    if category is not None:
        query["category"] = category
    return await store.competencies.find(query, sort=[("category", 1), ("name", 1), ("_id", 1)])


async def competency(context: Context, id: str | None) -> Document | None:
    if id is None:
        return None
    return await (await require(context)).loaders.reviews.competency_by_id.load(id)


async def expectations(context: Context, position_id: str) -> list[Document]:
    return await (await require(context)).loaders.reviews.expectations_by_position_id.load(position_id)


async def save_competency(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    """Create a competency (``id`` omitted) or change one."""
    store = (await require_role(context, can_manage_reviews, HR_ONLY)).store
    current = await store.competencies.get(id) if id else None
    if id and current is None:
        return Outcome.refused("id", ErrorCode.NOT_FOUND, f"no competency {id!r}")
    errors = check_competency(data, creating=current is None)
    if errors:
        return Outcome(errors=errors)
    at = clock.now()
    fields = {**competency_fields(data), "updatedAt": at}
    if current is None:
        doc = await store.competencies.insert({"_id": new_id(), "description": "", "archived": False, **fields,
                                               "createdAt": at})
    else:
        await store.competencies.update(current["_id"], fields)
        doc = {**current, **fields}
    context.fresh_loaders()
    return Outcome(doc)


async def set_position_competencies(context: Context, position_id: str, items: list[dict[str, Any]]) -> Outcome:
    """Replace the competencies a position expects; the position's list after it is ``extra["expectations"]``."""
    signed_in = await require_role(context, can_manage_reviews, HR_ONLY)
    store = signed_in.store
    if await signed_in.loaders.position_by_id.load(position_id) is None:
        return Outcome.refused("positionId", ErrorCode.NOT_FOUND, f"no position {position_id!r} in your organisation")
    ids = [i["competencyId"] for i in items]
    known = {c["_id"] for c in await store.competencies.find({"_id": {"$in": ids}, "archived": {"$ne": True}},
                                                             projection={"_id": 1})}
    errors = check_expectations(items, known)
    if errors:
        return Outcome(errors=errors)
    docs = await set_expectations(store, position_id, items, clock.now())
    context.fresh_loaders()
    return Outcome(extra={"expectations": docs})


async def competency_profile(context: Context, employee: Document) -> list[ProfileEntry] | None:
    """Per competency: the position's expected level, the level the manager assessed in the last shared
    review, and the gap. Personal: the person, their managers and HR admins; ``None`` for anyone else (a
    hidden field of a person they may see: null by design, without an error)."""
    signed_in = await require(context)
    if not can_see_competency_profile(signed_in.viewer, employee):
        return None
    # one loader gathers everything for every person of the query at once (store/reviews/repository.py), so
    # a list of profiles costs the same few queries whether it shows 5 people or 100
    loaders = signed_in.loaders.reviews
    sources = await loaders.profile_sources_by_employee_id.load(employee["_id"])
    ids = list(dict.fromkeys([*(e["competencyId"] for e in sources.expectations), *sources.assessed,
                              *(e["competencyId"] for e in sources.evidence)]))
    found = {c["_id"]: c for c in await loaders.competency_by_id.load_many(ids) if c is not None}
    return profile(sources.expectations, sources.assessed, sources.review_id, found, sources.evidence)
