"""Goal queries: one goal, filtered pages, the alignment tree, nested goals and a manager's summary.

Visibility (``models.permissions.can_see_goal``) is applied on every path: single reads and nested
fields check each goal against its owner; pages translate the same rule into the query
(``visible_goals_query``) so counts and cursors stay right; the tree redacts what it may not show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from models.core.documents import Document
from models.core.viewer import Viewer
from models.goals.permissions import can_edit_goal, can_see_goal, visible_goals_query
from models.goals.rules import GoalStatus, counts_in_roll_up, rolled_progress
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput
from store.core.pagination import BadCursor, Page
from store.goals import repository as goal_store
from store.goals.repository import GoalFilterSpec, GoalLoaders

MAX_PAGE = 100


@dataclass
class TreeNode:
    """One goal of an alignment tree; ``goal`` is None when the viewer may not see it (redacted)."""

    id: str
    goal: Document | None
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class TeamMember:
    employee: Document
    goals: list[Document]
    progress: list[float]


async def _viewer(context: Context) -> Viewer:
    return await context.authenticate()


def goal_loaders(context: Context) -> GoalLoaders:
    assert context.loaders is not None
    return context.loaders.goals


async def owners(context: Context, goals: Sequence[Document]) -> list[Document | None]:
    """The person behind each goal: its employee, or its department's head (None if there is none)."""
    assert context.loaders is not None
    department_ids = sorted({g["ownerDepartmentId"] for g in goals
                             if not g.get("ownerEmployeeId") and g.get("ownerDepartmentId")})
    departments = dict(zip(department_ids, await context.loaders.department_by_id.load_many(department_ids),
                           strict=True))
    person_ids: list[str | None] = []
    for goal in goals:
        if goal.get("ownerEmployeeId"):
            person_ids.append(goal["ownerEmployeeId"])
        else:
            department = departments.get(goal.get("ownerDepartmentId") or "")
            person_ids.append(department.get("headId") if department else None)
    wanted = sorted({id for id in person_ids if id})
    people = dict(zip(wanted, await context.loaders.employee_by_id.load_many(wanted), strict=True))
    return [people.get(id) if id else None for id in person_ids]


async def owner(context: Context, goal: Document) -> Document | None:
    return (await owners(context, [goal]))[0]


async def visible(context: Context, goals: Sequence[Document]) -> list[Document]:
    viewer = await _viewer(context)
    people = await owners(context, goals)
    return [g for g, person in zip(goals, people, strict=True) if can_see_goal(viewer, g, person)]


async def goal(context: Context, id: str) -> Document | None:
    """A goal the viewer may see; None for an unknown id, another organisation's or an invisible one."""
    await _viewer(context)
    doc = await goal_loaders(context).by_id.load(id)
    return doc if doc is not None and await visible(context, [doc]) else None


def check_page_size(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE}, not {first}")


async def visibility_query(context: Context, viewer: Viewer) -> dict[str, Any]:
    """``can_see_goal`` for this viewer as a filter (HR admins: no condition)."""
    if viewer.is_hr_admin:
        return {}
    assert context.store is not None
    managed, departments = await asyncio.gather(goal_store.managed_employee_ids(context.store, viewer.employee_id),
                                                goal_store.department_heads(context.store))
    return visible_goals_query(viewer, managed, departments)


async def goals(context: Context, spec: GoalFilterSpec, first: int, after: str | None) -> Page:
    viewer = await _viewer(context)
    check_page_size(first)
    assert context.store is not None
    query = await goal_store.filter_query(context.store, spec)
    rule = await visibility_query(context, viewer)
    if rule:
        query = {"$and": [query, rule]} if query else rule
    try:
        return await goal_store.goal_page(context.store, query, first, after)
    except BadCursor as error:
        raise BadUserInput(str(error)) from None


async def goal_tree(context: Context, root_id: str) -> TreeNode | None:
    """The alignment tree below a goal, read one level per query; invisible goals come back redacted.

    None for an unknown (or another organisation's) root; an invisible root is a redacted node.
    """
    await _viewer(context)
    loaders = goal_loaders(context)
    root = await loaders.by_id.load(root_id)
    if root is None or root.get("archived"):
        return None
    children, _ = await goal_store.descendants(loaders, root)
    everyone = [root, *(kid for kids in children.values() for kid in kids)]
    shown = {g["_id"] for g in await visible(context, everyone)}

    def build(doc: Document) -> TreeNode:
        node = TreeNode(doc["_id"], doc if doc["_id"] in shown else None)
        node.children = [build(kid) for kid in children.get(doc["_id"], [])]
        return node

    return build(root)


async def progress(context: Context, goal: Document) -> float:
    """The goal's progress, its aligned children rolled up where it says so (one read per level)."""
    loaders = goal_loaders(context)
    known: dict[str, list[Document]] = {}
    frontier = [goal] if goal.get("rollUpChildren") else []
    seen = {goal["_id"]}
    while frontier:
        lists = await loaders.by_parent_id.load_many([g["_id"] for g in frontier])
        next_frontier = []
        for parent, kids in zip(frontier, lists, strict=True):
            known[parent["_id"]] = kids
            for kid in kids:
                if kid.get("rollUpChildren") and counts_in_roll_up(kid) and kid["_id"] not in seen:
                    seen.add(kid["_id"])
                    next_frontier.append(kid)
        frontier = next_frontier
    return rolled_progress(goal, lambda id: known.get(id, []))


async def progress_of_each(context: Context, goals: Sequence[Document]) -> list[float]:
    return list(await asyncio.gather(*(progress(context, g) for g in goals)))


async def parent(context: Context, goal: Document) -> Document | None:
    if not goal.get("parentId"):
        return None
    parent_doc = await goal_loaders(context).by_id.load(goal["parentId"])
    return parent_doc if parent_doc is not None and await visible(context, [parent_doc]) else None


async def children(context: Context, goal: Document) -> list[Document]:
    return await visible(context, await goal_loaders(context).by_parent_id.load(goal["_id"]))


async def employee_goals(context: Context, employee: Document) -> list[Document]:
    """``employee { goals }``: the person's goals the viewer may see (the employee is their owner)."""
    viewer = await _viewer(context)
    docs = await goal_loaders(context).by_owner_employee_id.load(employee["_id"])
    return [g for g in docs if can_see_goal(viewer, g, employee)]


async def department_goals(context: Context, department: Document) -> list[Document]:
    """``department { goals }``: the department's own goals the viewer may see."""
    await _viewer(context)
    return await visible(context, await goal_loaders(context).by_owner_department_id.load(department["_id"]))


async def progress_history(context: Context, goal: Document, key_result_id: str | None) -> list[Document]:
    """Every recorded value change of the goal's key results, oldest first."""
    if "progressHistory" not in goal:  # lists read goals without their history
        goal = await goal_loaders(context).by_id.load(goal["_id"]) or goal
    entries = goal.get("progressHistory") or []
    return [e for e in entries if key_result_id is None or e["keyResultId"] == key_result_id]


async def can_edit(context: Context, goal: Document) -> bool:
    return can_edit_goal(await _viewer(context), goal, await owner(context, goal))


def in_period(goal: Document, start: str | None, end: str | None) -> bool:
    return (start is None or goal["dueDate"] >= start) and (end is None or goal["startDate"] <= end)


async def my_team_goals(context: Context, start: str | None, end: str | None) -> list[TeamMember]:
    """For each direct report of the viewer: their active goals (not archived, not cancelled) the
    viewer may see, within the period if one is given."""
    viewer = await _viewer(context)
    assert context.loaders is not None
    reports = await context.loaders.reports_by_manager_id.load(viewer.employee_id)
    lists = await goal_loaders(context).by_owner_employee_id.load_many([r["_id"] for r in reports])
    members: list[TeamMember] = []
    for report, docs in zip(reports, lists, strict=True):
        active = [g for g in docs if g.get("status") != GoalStatus.CANCELLED.value and in_period(g, start, end)
                  and can_see_goal(viewer, g, report)]
        members.append(TeamMember(report, active, []))
    values = await asyncio.gather(*(progress_of_each(context, m.goals) for m in members))
    for member, value in zip(members, values, strict=True):
        member.progress = value
    return members
