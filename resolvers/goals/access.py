"""The goals domain's public accessor: the only way other domains read or change goals.

Every read answers as the viewer may see the goals (``models/goals/permissions.py``): a goal the
viewer may not see is never returned, so a check-in or a review form can show no more of a goal than
the goals domain itself would.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from models.core.documents import Document
from models.goals.rules import GoalStatus
from resolvers.core.context import Context, require
from resolvers.core.outcome import Outcome
from resolvers.goals import key_results, queries
from store.core.repository import TenantStore


async def visible_goals(context: Context, ids: Sequence[str]) -> list[Document]:
    """The goals among ``ids`` that the viewer may see, in the order of ``ids`` (unknown ids left out)."""
    loaders = await queries.goal_loaders(context)
    docs = await loaders.by_id.load_many(list(ids))
    return await queries.visible(context, [d for d in docs if d is not None])


async def visible_goals_of(context: Context, employee: Document) -> list[Document]:
    """The goals ``employee`` owns (not archived) that the viewer may see, by due date."""
    return await queries.employee_goals(context, employee)


async def record_key_result_progress(context: Context, key_result_id: str, value: float,
                                     comment: str | None) -> Outcome:
    """Record a key result's new value as the goals domain does for ``updateKeyResultProgress``: the viewer
    must be allowed to edit the goal; the value and its history entry are one write; events follow."""
    return await key_results.record_key_result_progress(context, key_result_id, value, comment)


async def stale_goals(store: TenantStore, updated_before: datetime, limit: int = 5000) -> list[Document]:
    """For reminders (no viewer: the system reads): open goals owned by a person and unchanged since
    ``updated_before``; their owner may read and edit them."""
    query = {"archived": False, "ownerEmployeeId": {"$ne": None}, "updatedAt": {"$lt": updated_before},
             "status": {"$nin": [GoalStatus.DONE.value, GoalStatus.CANCELLED.value]}}
    return await store.goals.find(query, sort=[("updatedAt", 1), ("_id", 1)], limit=limit,
                                  projection={"title": 1, "ownerEmployeeId": 1, "updatedAt": 1})


async def progress_update_counts(context: Context, employee_ids: Sequence[str], start: datetime,
                                 end: datetime) -> dict[str, int]:
    """Goal-update frequency (the pilots' comparison): how many key-result progress updates each of
    ``employee_ids`` recorded within [start, end], on goals the viewer may see. One query (and the goals'
    owners, batched)."""
    if not employee_ids:
        return {}
    signed_in = await require(context)
    people = list(employee_ids)
    window = {"$gte": start, "$lte": end}
    docs = await signed_in.store.goals.find(
        {"progressHistory": {"$elemMatch": {"byId": {"$in": people}, "at": window}}})
    counts = dict.fromkeys(people, 0)
    for goal in await queries.visible(context, docs):
        for entry in goal.get("progressHistory") or []:
            if entry.get("byId") in counts and start <= entry["at"] <= end:
                counts[entry["byId"]] += 1
    return counts
