"""Organisation queries: people, departments, positions, the org chart and reporting chains."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, TypeVar

from models.core.documents import Document
from models.core.viewer import Viewer
from models.org.permissions import can_see_org_chart, can_see_personal
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput, Forbidden
from store.core.pagination import BadCursor, Page
from store.org.repository import EmployeeFilterSpec, employee_page, subtree

T = TypeVar("T")
MAX_PAGE = 100
MAX_CHART_DEPTH = 10


@dataclass
class ChartMembers:
    """Every id in one org chart, shared by its nodes so per-node loads can be batched chart-wide."""

    ids: list[str]
    counted: bool = False


@dataclass
class ChartNode:
    employee: Document
    level: int
    reports: list[ChartNode] = field(default_factory=list)
    members: ChartMembers | None = field(default=None, repr=False)


async def viewer_and_loaders(context: Context) -> tuple[Viewer, Any]:
    viewer = await context.authenticate()
    return viewer, context.loaders


async def me(context: Context) -> Document | None:
    viewer, loaders = await viewer_and_loaders(context)
    return await loaders.employee_by_id.load(viewer.employee_id)


async def employee(context: Context, id: str) -> Document | None:
    """One person of the viewer's organisation; ``None`` for an unknown id or another organisation's."""
    viewer, loaders = await viewer_and_loaders(context)
    doc = await loaders.employee_by_id.load(id)
    return doc if doc is not None and can_see_org_chart(viewer, doc) else None


async def employees(context: Context, spec: EmployeeFilterSpec, first: int, after: str | None,
                    projection: dict[str, int]) -> Page:
    await context.authenticate()
    check_page_size(first)
    assert context.store is not None
    try:
        return await employee_page(context.store, spec, first, after, projection)
    except BadCursor as error:
        raise BadUserInput(str(error)) from None


def check_page_size(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE}, not {first}")


async def org_chart(context: Context, root_id: str | None, depth: int, projection: dict[str, int]) -> ChartNode | None:
    """The tree below ``root_id`` (the top of the organisation by default), read in one query."""
    viewer = await context.authenticate()
    if not 1 <= depth <= MAX_CHART_DEPTH:
        raise BadUserInput(f"depth must be between 1 and {MAX_CHART_DEPTH}, not {depth}")
    assert context.store is not None
    if root_id is None:
        tops = await context.store.employees.find({"managerId": None, "status": {"$ne": "terminated"}},
                                                  sort=[("name", 1)], limit=1, projection=projection)
        root = tops[0] if tops else None
    else:
        root = await context.store.employees.get(root_id, projection)
    if root is None or root.get("status") == "terminated" or not can_see_org_chart(viewer, root):
        return None  # leavers are not in the chart, as its root or below
    members = ChartMembers([])
    nodes = {root["_id"]: ChartNode(root, 0, members=members)}
    base = len(root.get("managerChain", []))
    below = await subtree(context.store, root, depth, projection)
    for doc in sorted(below, key=lambda d: len(d["managerChain"])):
        parent = nodes.get(doc["managerId"])
        if parent is not None:
            node = ChartNode(doc, len(doc["managerChain"]) - base, members=members)
            parent.reports.append(node)
            nodes[doc["_id"]] = node
    members.ids = list(nodes)
    await prefetch_references(context, [node.employee for node in nodes.values()])
    return nodes[root["_id"]]


async def prefetch_references(context: Context, docs: list[Document]) -> None:
    """Load the positions and departments of every chart member, one batch each.

    The chart's levels are resolved in different event-loop ticks, so left to the field resolvers
    the loaders would split their batches by level (and by timing). Only references the query
    selected are in the projected documents, so nothing unasked is read.
    """
    assert context.loaders is not None
    positions = sorted({doc["positionId"] for doc in docs if doc.get("positionId")})
    departments = sorted({doc["departmentId"] for doc in docs if doc.get("departmentId")})
    await asyncio.gather(context.loaders.position_by_id.load_many(positions),
                         context.loaders.department_by_id.load_many(departments))


async def report_count(context: Context, node: ChartNode) -> int:
    """Direct reports of one chart member; the first call counts them for the whole chart at once."""
    await context.authenticate()
    assert context.loaders is not None
    loader = context.loaders.report_count_by_manager_id
    members = node.members
    if members is not None and not members.counted and node.employee["_id"] in members.ids:
        members.counted = True
        counts = await loader.load_many(members.ids)
        return counts[members.ids.index(node.employee["_id"])]
    return await loader.load(node.employee["_id"])


async def reporting_chain(context: Context, employee_id: str) -> list[Document]:
    """The managers above someone, nearest first, up to the top of the organisation."""
    _, loaders = await viewer_and_loaders(context)
    doc = await loaders.employee_by_id.load(employee_id)
    if doc is None:
        raise BadUserInput(f"no employee {employee_id!r} in your organisation")
    managers = await loaders.employee_by_id.load_many(list(reversed(doc.get("managerChain", []))))
    return [m for m in managers if m is not None]


async def personal(context: Context, doc: Document, field_name: str) -> Any:
    """A personal field of ``doc`` if the viewer may see it (the person, their chain, HR)."""
    viewer = await context.authenticate()
    if not can_see_personal(viewer, doc):
        raise Forbidden(f"{field_name} is visible only to the person, their managers and HR admins")
    return doc.get(field_name)


async def departments(context: Context) -> list[Document]:
    await context.authenticate()
    assert context.store is not None
    return await context.store.departments.find(sort=[("name", 1), ("_id", 1)])


async def positions(context: Context) -> list[Document]:
    await context.authenticate()
    assert context.store is not None
    return await context.store.positions.find(sort=[("title", 1), ("_id", 1)])





