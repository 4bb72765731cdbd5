"""Organisation queries: people, departments, positions, the org chart and reporting chains."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from models.core.documents import Document
from models.core.validation import check_search
from models.org.permissions import can_see_org_chart, can_see_personal
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput
from resolvers.core.pages import Window, check_window, issued_cursor
from resolvers.org import access
from store.core.pagination import Page
from store.loaders import Loaders
from store.org.repository import EmployeeFilterSpec, employee_page, subtree

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


async def me(context: Context) -> Document | None:
    signed_in = await require(context)
    return await signed_in.loaders.employee_by_id.load(signed_in.viewer.employee_id)


async def employees(context: Context, window: Window, projection: dict[str, int], *,
                    department_id: str | None = None, manager_id: str | None = None, status: str | None = None,
                    search: str | None = None) -> Page:
    """A page of people by name (everyone who has not left, unless ``status`` says otherwise)."""
    signed_in = await require(context)
    check_window(window)
    if errors := check_search(search):
        raise BadUserInput(errors[0].message)
    spec = EmployeeFilterSpec(department_id, manager_id, status, search)
    with issued_cursor():
        return await employee_page(signed_in.store, spec, window, projection)


async def org_chart(context: Context, root_id: str | None, depth: int, projection: dict[str, int]) -> ChartNode | None:
    """The tree below ``root_id`` (the top of the organisation by default), read in one query."""
    signed_in = await require(context)
    if not 1 <= depth <= MAX_CHART_DEPTH:
        raise BadUserInput(f"depth must be between 1 and {MAX_CHART_DEPTH}, not {depth}")
    store = signed_in.store
    if root_id is None:
        tops = await store.employees.find({"managerId": None, "status": {"$ne": "terminated"}},
                                          sort=[("name", 1), ("_id", 1)], limit=1, projection=projection)
        root = tops[0] if tops else None
    else:
        root = await store.employees.get(root_id, projection)
    if root is None or root.get("status") == "terminated" or not can_see_org_chart(signed_in.viewer, root):
        return None  # leavers are not in the chart, as its root or below
    members = ChartMembers([])
    nodes = {root["_id"]: ChartNode(root, 0, members=members)}
    base = len(root.get("managerChain", []))
    below = await subtree(store, root, depth, projection)
    for doc in sorted(below, key=lambda d: len(d["managerChain"])):
        parent = nodes.get(doc["managerId"])
        if parent is not None:
            node = ChartNode(doc, len(doc["managerChain"]) - base, members=members)
            parent.reports.append(node)
            nodes[doc["_id"]] = node
    members.ids = list(nodes)
    await prefetch_references(signed_in.loaders, [node.employee for node in nodes.values()])
    return nodes[root["_id"]]


async def prefetch_references(loaders: Loaders, docs: list[Document]) -> None:
    """Load the positions and departments of every chart member, one batch each.

    The chart's levels are resolved in different event-loop ticks, so left to the field resolvers
    the loaders would split their batches by level (and by timing). Only references the query
    selected are in the projected documents, so nothing unasked is read.
    """
    positions = sorted({doc["positionId"] for doc in docs if doc.get("positionId")})
    departments = sorted({doc["departmentId"] for doc in docs if doc.get("departmentId")})
    await asyncio.gather(loaders.position_by_id.load_many(positions), loaders.department_by_id.load_many(departments))


async def report_count(context: Context, node: ChartNode) -> int:
    """Direct reports of one chart member; the first call counts them for the whole chart at once."""
    loader = (await require(context)).loaders.report_count_by_manager_id
    members = node.members
    if members is not None and not members.counted and node.employee["_id"] in members.ids:
        members.counted = True
        counts = await loader.load_many(members.ids)
        return counts[members.ids.index(node.employee["_id"])]
    return await loader.load(node.employee["_id"])


async def reporting_chain(context: Context, employee_id: str) -> list[Document]:
    """The managers above someone, nearest first, up to the top of the organisation."""
    doc = await access.known_employee(context, employee_id)
    return await access.employees(context, reversed(doc.get("managerChain", [])))


async def personal(context: Context, doc: Document, field_name: str, default: Any = None) -> Any:
    """A personal field of ``doc`` if the viewer may see it (the person, their chain, HR), else ``None``:
    a hidden field of a person the viewer may see is null by design, with no error (a list of people
    would otherwise carry one FORBIDDEN error per person and field). ``default``: the value for a visible
    field the document does not hold (``[]`` for a list, so hidden and empty stay apart)."""
    signed_in = await require(context)
    if not can_see_personal(signed_in.viewer, doc):
        return None
    value = doc.get(field_name)
    return default if value is None else value


async def departments(context: Context) -> list[Document]:
    return await access.departments(context)


async def positions(context: Context) -> list[Document]:
    return await (await require(context)).store.positions.find(sort=[("title", 1), ("_id", 1)])
