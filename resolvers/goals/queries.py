"""Goal queries: one goal, filtered pages, the alignment tree, nested goals and a manager's summary.

Visibility (``models.goals.permissions.can_see_goal``) is applied on every path: single reads and nested
fields check each goal against its owner; pages translate the same rule into the query
(``visible_goals_query``) so counts and cursors stay right; the tree redacts what it may not show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from models.core.documents import Document
from models.goals.filters import GoalFilterSpec
from models.goals.permissions import can_edit_goal, can_see_goal, visible_goals_query
from models.goals.rules import GoalStatus, counts_in_roll_up, rolled_progress
from resolvers.core.context import Context, SignedIn, require
from resolvers.core.pages import Window, check_window, issued_cursor
from store.core.pagination import Page
from store.core.people import ids_below
from store.goals import repository as goal_store
from store.goals.repository import GoalLoaders


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


async def goal_loaders(context: Context) -> GoalLoaders:
    """The request's current goal loaders (the viewer signed in)."""
    return (await require(context)).loaders.goals


async def owners(context: Context, goals: Sequence[Document]) -> list[Document | None]:
    """The person behind each goal: its employee, or its department's head (None if there is none)."""
    loaders = (await require(context)).loaders
    department_ids = sorted({g["ownerDepartmentId"] for g in goals
                             if not g.get("ownerEmployeeId") and g.get("ownerDepartmentId")})
    departments = dict(zip(department_ids, await loaders.department_by_id.load_many(department_ids), strict=True))
    person_ids: list[str | None] = []
    for goal in goals:
        if goal.get("ownerEmployeeId"):
            person_ids.append(goal["ownerEmployeeId"])
        else:
            department = departments.get(goal.get("ownerDepartmentId") or "")
            person_ids.append(department.get("headId") if department else None)
    wanted = sorted({id for id in person_ids if id})
    people = dict(zip(wanted, await loaders.employee_by_id.load_many(wanted), strict=True))
    return [people.get(id) if id else None for id in person_ids]


async def prefetch_owners(context: Context, owned: Sequence[Sequence[str] | None]) -> None:
    """Start reading the owners an event names for the goals a subscriber reads (``[kind, id]`` each, a
    department's maybe with its head, ``["department", id, headId]``, as ``resolvers.goals.events.owned_by`` puts
    them), one batch per collection, so that :func:`owners` finds them loaded: read beside the goals, not after
    them. Only hints: :func:`owners` still goes by the department as read."""
    loaders = (await require(context)).loaders
    ids: dict[str, set[str]] = {"employee": set(), "department": set()}
    for entry in (o for o in owned if o and len(o) in (2, 3) and all(isinstance(part, str) for part in o)):
        if entry[0] in ids:
            ids[entry[0]].add(entry[1])
        if entry[0] == "department" and len(entry) == 3:
            ids["employee"].add(entry[2])
    await asyncio.gather(loaders.employee_by_id.load_many(sorted(ids["employee"])),
                         loaders.department_by_id.load_many(sorted(ids["department"])))


async def owner(context: Context, goal: Document) -> Document | None:
    """The person behind one goal (see :func:`owners`)."""
    return (await owners(context, [goal]))[0]


async def visible(context: Context, goals: Sequence[Document]) -> list[Document]:
    """The goals among ``goals`` that the viewer may see, in their order."""
    viewer = (await require(context)).viewer
    people = await owners(context, goals)
    return [g for g, person in zip(goals, people, strict=True) if can_see_goal(viewer, g, person)]


async def goal(context: Context, id: str) -> Document | None:
    """A goal the viewer may see; None for an unknown id, another organisation's or an invisible one."""
    loaders = await goal_loaders(context)
    doc = await loaders.by_id.load(id)
    return doc if doc is not None and await visible(context, [doc]) else None


async def visibility_query(signed_in: SignedIn) -> dict[str, Any]:
    """``can_see_goal`` for this viewer as a filter (HR admins: no condition)."""
    viewer = signed_in.viewer
    if viewer.is_hr_admin:
        return {}
    managed, departments = await asyncio.gather(ids_below(signed_in.store, viewer.employee_id),
                                                goal_store.department_heads(signed_in.store))
    return visible_goals_query(viewer, managed, departments)


async def goals(context: Context, spec: GoalFilterSpec, window: Window) -> Page:
    """A page of the goals matching ``spec`` that the viewer may see, by due date."""
    signed_in = await require(context)
    check_window(window)
    query = await goal_store.filter_query(signed_in.store, spec)
    rule = await visibility_query(signed_in)
    if rule:
        query = {"$and": [query, rule]} if query else rule
    with issued_cursor():
        return await goal_store.goal_page(signed_in.store, query, window)


async def goal_tree(context: Context, root_id: str) -> TreeNode | None:
    """The alignment tree below a goal, read one level per query; an invisible goal comes back redacted
    where visible goals hang below it, and is left out otherwise.

    None for an unknown (or another organisation's) root, and for an invisible root with nothing visible
    below it (as for an unknown one); an invisible root above visible goals is a redacted node.
    """
    loaders = await goal_loaders(context)
    root = await loaders.by_id.load(root_id)
    if root is None or root.get("archived"):
        return None
    children, _ = await goal_store.descendants(loaders, root)
    everyone = [root, *(kid for kids in children.values() for kid in kids)]
    shown = {g["_id"] for g in await visible(context, everyone)}

    def build(doc: Document) -> TreeNode | None:
        """The node, or None for a goal hidden from the viewer with nothing visible below it: a hidden goal
        stays (redacted) only where it holds visible goals together, so a hidden leaf leaves no trace."""
        node = TreeNode(doc["_id"], doc if doc["_id"] in shown else None)
        node.children = [child for kid in children.get(doc["_id"], []) if (child := build(kid)) is not None]
        return node if node.goal is not None or node.children else None

    return build(root)


async def progress(context: Context, goal: Document) -> float:
    """The goal's progress, its aligned children rolled up where it says so (one read per level), as the
    viewer sees it: only the children the viewer may see count, so a hidden child moves no visible number."""
    loaders = await goal_loaders(context)
    known: dict[str, list[Document]] = {}
    frontier = [goal] if goal.get("rollUpChildren") else []
    seen = {goal["_id"]}
    while frontier:
        lists = await loaders.by_parent_id.load_many([g["_id"] for g in frontier])
        shown = {g["_id"] for g in await visible(context, [kid for kids in lists for kid in kids])}
        next_frontier = []
        for parent, kids in zip(frontier, lists, strict=True):
            kids = [kid for kid in kids if kid["_id"] in shown]
            known[parent["_id"]] = kids
            for kid in kids:
                if kid.get("rollUpChildren") and counts_in_roll_up(kid) and kid["_id"] not in seen:
                    seen.add(kid["_id"])
                    next_frontier.append(kid)
        frontier = next_frontier
    return rolled_progress(goal, lambda id: known.get(id, []))


async def progress_of_each(context: Context, goals: Sequence[Document]) -> list[float]:
    """:func:`progress` of each goal, in their order."""
    return list(await asyncio.gather(*(progress(context, g) for g in goals)))


async def parent(context: Context, goal: Document) -> Document | None:
    """The goal ``goal`` is aligned to, if the viewer may see it."""
    if not goal.get("parentId"):
        return None
    loaders = await goal_loaders(context)
    parent_doc = await loaders.by_id.load(goal["parentId"])
    return parent_doc if parent_doc is not None and await visible(context, [parent_doc]) else None


async def children(context: Context, goal: Document) -> list[Document]:
    """The goals aligned to ``goal`` (not archived) that the viewer may see, by title."""
    loaders = await goal_loaders(context)
    return await visible(context, await loaders.by_parent_id.load(goal["_id"]))


async def employee_goals(context: Context, employee: Document) -> list[Document]:
    """``employee { goals }``: the person's goals the viewer may see (the employee is their owner)."""
    signed_in = await require(context)
    docs = await signed_in.loaders.goals.by_owner_employee_id.load(employee["_id"])
    return [g for g in docs if can_see_goal(signed_in.viewer, g, employee)]


async def department_goals(context: Context, department: Document) -> list[Document]:
    """``department { goals }``: the department's own goals the viewer may see."""
    loaders = await goal_loaders(context)
    return await visible(context, await loaders.by_owner_department_id.load(department["_id"]))


async def progress_history(context: Context, goal: Document, key_result_id: str | None) -> list[Document]:
    """Every recorded value change of the goal's key results, oldest first: the stored array's order, to
    which each recording write appends its entry (``$push``), i.e. the order the writes committed in
    (a sort by ``at`` could disagree with it where clocks do)."""
    if "progressHistory" not in goal:  # lists read goals without their history
        loaders = await goal_loaders(context)
        goal = await loaders.by_id.load(goal["_id"]) or goal
    entries = goal.get("progressHistory") or []
    return [e for e in entries if key_result_id is None or e["keyResultId"] == key_result_id]


async def can_edit(context: Context, goal: Document) -> bool:
    """Whether the viewer may edit ``goal``."""
    return can_edit_goal((await require(context)).viewer, goal, await owner(context, goal))


def in_period(goal: Document, start: str | None, end: str | None) -> bool:
    """Whether the goal's [startDate, dueDate] overlaps [start, end] (either end open)."""
    return (start is None or goal["dueDate"] >= start) and (end is None or goal["startDate"] <= end)


async def my_team_goals(context: Context, start: str | None, end: str | None) -> list[TeamMember]:
    """For each direct report of the viewer: their active goals (not archived, not cancelled) the
    viewer may see, within the period if one is given."""
    signed_in = await require(context)
    viewer = signed_in.viewer
    reports = await signed_in.loaders.reports_by_manager_id.load(viewer.employee_id)
    lists = await signed_in.loaders.goals.by_owner_employee_id.load_many([r["_id"] for r in reports])
    members: list[TeamMember] = []
    for report, docs in zip(reports, lists, strict=True):
        active = [g for g in docs if g.get("status") != GoalStatus.CANCELLED.value and in_period(g, start, end)
                  and can_see_goal(viewer, g, report)]
        members.append(TeamMember(report, active, []))
    values = await asyncio.gather(*(progress_of_each(context, m.goals) for m in members))
    for member, value in zip(members, values, strict=True):
        member.progress = value
    return members
