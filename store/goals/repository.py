"""Goal queries, loaders and the conditional writes that keep concurrent edits from being lost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from models.core.documents import Document
from models.core.pagination import Window
from models.goals.filters import GoalFilterSpec
from store.core.loaders import ByIdLoader, ByParentLoader
from store.core.pagination import Keyset, Page, keyset_page
from store.core.repository import TenantStore

NOT_ARCHIVED = {"archived": {"$ne": True}}
BY_TITLE = [("title", 1), ("_id", 1)]
# Pages and an owner's goals: by due date, then id; a page's cursor is [dueDate, id] as base64 JSON.
GOAL_ORDER = Keyset("dueDate")
# Lists and nested fields never need the history; `goal { progressHistory }` reads it by id.
WITHOUT_HISTORY = {"progressHistory": 0}
MAX_TREE_LEVELS = 20
# Incremented by every write of a goal's key results: the compare-and-set of key-result edits.
KEY_RESULTS_VERSION = "keyResultsVersion"
# Incremented on a goal when a transaction aligns or creates a goal below it (see ``touch``).
TREE_VERSION = "treeVersion"


class GoalByIdLoader(ByIdLoader):
    pass


class GoalsByParentIdLoader(ByParentLoader):
    """Aligned children that are not archived, by title (the roll-up and the tree walk these)."""

    parent_field = "parentId"
    extra = NOT_ARCHIVED
    sort = BY_TITLE


class GoalsByOwnerEmployeeIdLoader(ByParentLoader):
    parent_field = "ownerEmployeeId"
    extra = NOT_ARCHIVED
    sort = GOAL_ORDER.sort


class GoalsByOwnerDepartmentIdLoader(ByParentLoader):
    parent_field = "ownerDepartmentId"
    extra = NOT_ARCHIVED
    sort = GOAL_ORDER.sort


class GoalLoaders:
    """The goal loaders of one request (or one subscription event): ``context.loaders.goals``."""

    def __init__(self, store: TenantStore) -> None:
        self.by_id = GoalByIdLoader(store.goals)
        self.by_parent_id = GoalsByParentIdLoader(store.goals)
        self.by_owner_employee_id = GoalsByOwnerEmployeeIdLoader(store.goals)
        self.by_owner_department_id = GoalsByOwnerDepartmentIdLoader(store.goals)


async def filter_query(store: TenantStore, spec: GoalFilterSpec) -> dict[str, Any]:
    """The spec as a MongoDB filter; ``department`` covers the department's goals and its people's."""
    clauses: list[dict[str, Any]] = []
    if not spec.include_archived:
        clauses.append(NOT_ARCHIVED)
    if spec.owner_id:
        clauses.append({"ownerEmployeeId": spec.owner_id})
    if spec.department_id:
        members = await store.employees.find({"departmentId": spec.department_id}, projection={"_id": 1})
        clauses.append({"$or": [{"ownerDepartmentId": spec.department_id},
                                {"ownerEmployeeId": {"$in": [m["_id"] for m in members]}}]})
    if spec.level:
        clauses.append({"level": spec.level})
    if spec.statuses:
        clauses.append({"status": {"$in": list(spec.statuses)}})
    if spec.period_start:
        clauses.append({"dueDate": {"$gte": spec.period_start}})
    if spec.period_end:
        clauses.append({"startDate": {"$lte": spec.period_end}})
    return {"$and": clauses} if clauses else {}


async def goal_page(store: TenantStore, query: dict[str, Any], window: Window) -> Page:
    """Keyset pagination by (dueDate, id), without the history: stable while goals are added elsewhere."""
    return await keyset_page(store.goals, query, GOAL_ORDER, window, projection=WITHOUT_HISTORY)


async def department_heads(store: TenantStore) -> list[Document]:
    return await store.departments.find(projection={"headId": 1})


async def descendants(loaders: GoalLoaders, root: Document,
                      levels: int = MAX_TREE_LEVELS) -> tuple[dict[str, list[Document]], bool]:
    """The not-archived goals aligned below ``root``, one batched query per level.

    Returns parent id → children for every goal whose children were read (the loader is primed
    with them, so roll-ups need no further reads), and whether ``levels`` cut the walk short.
    """
    children: dict[str, list[Document]] = {}
    seen = {root["_id"]}
    frontier = [root]
    for _ in range(levels):
        if not frontier:
            return children, False
        lists = await loaders.by_parent_id.load_many([goal["_id"] for goal in frontier])
        next_frontier: list[Document] = []
        for goal, kids in zip(frontier, lists, strict=True):
            kids = [kid for kid in kids if kid["_id"] not in seen]  # a stored cycle is cut here
            children[goal["_id"]] = kids
            for kid in kids:
                seen.add(kid["_id"])
                next_frontier.append(kid)
        frontier = next_frontier
    return children, bool(frontier)


async def ancestors(loaders: GoalLoaders, goal: Document) -> list[Document]:
    """The goals above ``goal`` in the alignment tree, nearest first (one read per level)."""
    result: list[Document] = []
    seen = {goal["_id"]}
    parent_id = goal.get("parentId")
    while parent_id is not None and parent_id not in seen:
        parent = await loaders.by_id.load(parent_id)
        if parent is None:
            break
        result.append(parent)
        seen.add(parent_id)
        parent_id = parent.get("parentId")
    return result


async def parent_links(store: TenantStore) -> dict[str, str | None]:
    """id → parentId for the organisation's goals: what a cycle check must walk."""
    return {d["_id"]: d.get("parentId") for d in await store.goals.find(projection={"parentId": 1})}


def chain(links: Mapping[str, str | None], goal_id: str | None) -> list[str]:
    """``goal_id`` and the ids above it in ``links``, nearest first (a stored cycle is cut where it closes)."""
    ids: list[str] = []
    while goal_id is not None and goal_id not in ids and goal_id in links:
        ids.append(goal_id)
        goal_id = links[goal_id]
    return ids


async def goals_in_order(store: TenantStore, ids: Sequence[str]) -> list[Document]:
    """The goals ``ids`` name, in the order of ``ids`` (one read; unknown ids left out)."""
    found = {doc["_id"]: doc for doc in await store.goals.by_ids(ids, projection=WITHOUT_HISTORY)}
    return [found[id] for id in ids if id in found]


async def owner(store: TenantStore, goal: Document) -> Document | None:
    """The person behind ``goal`` read from the store (inside a transaction, where loaders must not read):
    its employee, or its department's head."""
    if goal.get("ownerEmployeeId"):
        return await store.employees.get(goal["ownerEmployeeId"])
    if goal.get("ownerDepartmentId"):
        department = await store.departments.get(goal["ownerDepartmentId"], projection={"headId": 1})
        if department and department.get("headId"):
            return await store.employees.get(department["headId"])
    return None


async def touch(store: TenantStore, ids: Sequence[str]) -> None:
    """Count a change below each of ``ids`` (``treeVersion``), inside a transaction.

    A transaction that decided on these goals (not archived, visible, no cycle through them) writes
    them, so a concurrent transaction that changes one of them conflicts with it and runs again:
    snapshot isolation alone would let both commit (write skew).
    """
    if ids:
        await store.goals.collection.update_many(store.goals.scope({"_id": {"$in": list(ids)}}),
                                                 {"$inc": {TREE_VERSION: 1}})


async def realign(store: TenantStore, goal_id: str, links: Mapping[str, str | None], parent_id: str | None,
                  now: Any) -> None:
    """Inside a transaction: align ``goal_id`` below ``parent_id`` and touch the chain the cycle check read."""
    await store.goals.update(goal_id, {"parentId": parent_id, "updatedAt": now})
    await touch(store, chain(links, parent_id))


async def goal_by_key_result(store: TenantStore, key_result_id: str) -> Document | None:
    found = await store.goals.find({"keyResults._id": key_result_id}, sort=[("_id", 1)], limit=1)
    return found[0] if found else None


async def _write(store: TenantStore, goal_id: str, where: Mapping[str, Any], update: dict[str, Any]) -> bool:
    """One conditional update of a goal (operators given whole); whether it matched."""
    result = await store.goals.collection.update_one(store.goals.scope({**where, "_id": goal_id}), update)
    return result.matched_count == 1


def unchanged(goal: Document) -> dict[str, Any]:
    """The conditions of a compare-and-set on ``goal``: still as visible as when read, and not archived
    (who may edit it was decided on these)."""
    return {"visibility": goal["visibility"], **NOT_ARCHIVED}


async def set_key_results(store: TenantStore, goal: Document, key_results: Sequence[Mapping[str, Any]],
                          now: Any) -> bool:
    """Replace the key results if nobody changed them since ``goal`` was read (compare-and-set on
    ``keyResultsVersion``, which every key-result write increments; a goal never written has none)."""
    where = {KEY_RESULTS_VERSION: goal.get(KEY_RESULTS_VERSION), **unchanged(goal)}
    return await _write(store, goal["_id"], where, {"$set": {"keyResults": list(key_results), "updatedAt": now},
                                                    "$inc": {KEY_RESULTS_VERSION: 1}})


async def record_value(store: TenantStore, goal: Document, key_result: Document, new: float,
                       entry: Document, now: Any) -> bool:
    """Set one key result's value and append its history entry in one atomic write.

    Conditional on the key result still having the value, kind and title it was read with: a
    concurrent change makes this return False (the caller reads again and validates again), so no
    history entry names a wrong old value or title and no value is written against another kind.
    """
    match = {"_id": key_result["_id"], "currentValue": key_result["currentValue"],
             "metricKind": key_result["metricKind"], "title": key_result["title"]}
    where = {"keyResults": {"$elemMatch": match}, **unchanged(goal)}
    return await _write(store, goal["_id"], where, {
        "$set": {"keyResults.$.currentValue": new, "updatedAt": now},
        "$push": {"progressHistory": entry}, "$inc": {KEY_RESULTS_VERSION: 1}})


async def archive(store: TenantStore, goal: Document, now: Any) -> list[str]:
    """Inside a transaction: archive ``goal`` and move its aligned children up to its parent, all or
    nothing. Returns the moved ids. Archiving an archived goal moves any children left below it."""
    kids = await store.goals.find({"parentId": goal["_id"]}, sort=[("_id", 1)], projection={"_id": 1})
    await store.goals.update_each({kid["_id"]: {"parentId": goal.get("parentId"), "updatedAt": now} for kid in kids})
    await store.goals.update(goal["_id"], {"archived": True, "updatedAt": now})
    return [kid["_id"] for kid in kids]
