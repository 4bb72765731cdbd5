"""Goal queries, loaders and the conditional writes that keep concurrent edits from being lost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from models.core.documents import Document
from models.goals.filters import GoalFilterSpec
from models.org.rules import would_cycle_in
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


async def goal_page(store: TenantStore, query: dict[str, Any], first: int, after: str | None) -> Page:
    """Keyset pagination by (dueDate, id), without the history: stable while goals are added elsewhere."""
    return await keyset_page(store.goals, query, GOAL_ORDER, first, after, projection=WITHOUT_HISTORY)


def goal_cursor(goal: Document) -> str:
    """The cursor of ``goal`` in a page of :func:`goal_page`."""
    return GOAL_ORDER.cursor(goal)


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


async def would_close_cycle(store: TenantStore, goal_id: str) -> bool:
    """After a write: does walking up from ``goal_id`` come back to it? (concurrent alignments)"""
    links = await parent_links(store)
    parent_id = links.get(goal_id)
    return parent_id is not None and would_cycle_in(goal_id, {"_id": parent_id}, links)


async def goal_by_key_result(store: TenantStore, key_result_id: str) -> Document | None:
    found = await store.goals.find({"keyResults._id": key_result_id}, limit=1)
    return found[0] if found else None


async def set_key_results(store: TenantStore, goal: Document, key_results: Sequence[Mapping[str, Any]],
                          now: Any) -> bool:
    """Replace the key results if nobody changed them since ``goal`` was read (compare-and-set)."""
    return await store.goals.update(goal["_id"], {"keyResults": list(key_results), "updatedAt": now},
                                    where={"keyResults": goal["keyResults"], **NOT_ARCHIVED})


async def record_value(store: TenantStore, goal_id: str, key_result_id: str, old: float, new: float,
                       entry: Document, now: Any) -> bool:
    """Set one key result's value and append its history entry in one atomic write.

    Conditional on the value still being ``old``: a concurrent update makes this return False
    (the caller reads again), so no history entry ever names a wrong old value.
    """
    where = {"keyResults": {"$elemMatch": {"_id": key_result_id, "currentValue": old}}, **NOT_ARCHIVED}
    return await store.goals.update(goal_id, {"keyResults.$.currentValue": new, "updatedAt": now},
                                    push={"progressHistory": entry}, where=where)


async def archive(store: TenantStore, goal: Document, now: Any) -> list[str]:
    """Archive ``goal``; its aligned children move up to its parent. Returns the moved ids.

    Children move first: if this stops part-way, running it again moves the rest and then
    archives, and no child is ever left under an archived goal once it completes.
    """
    kids = await store.goals.find({"parentId": goal["_id"]}, projection={"_id": 1})
    await store.goals.update_each({kid["_id"]: {"parentId": goal.get("parentId"), "updatedAt": now} for kid in kids})
    await store.goals.update(goal["_id"], {"archived": True, "updatedAt": now})
    return [kid["_id"] for kid in kids]

