"""The org chart for other domains: the one way a resolver outside org reads people, departments and
positions. Visibility-aware (everyone in the organisation sees the org chart, ``can_see_org_chart``):
another organisation's id reads exactly like an unknown one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Literal

from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.org.permissions import can_see_org_chart
from models.org.rules import EmployeeStatus, OrgChange
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput
from resolvers.core.publish import publish_after_commit

OrgKind = Literal["employee", "department", "position"]
LOADER_OF: dict[OrgKind, str] = {"employee": "employee_by_id", "department": "department_by_id",
                                 "position": "position_by_id"}
COLLECTION_OF: dict[OrgKind, str] = {"employee": "employees", "department": "departments", "position": "positions"}
DEPARTMENT_FIELDS_OF_OTHERS = frozenset({"cadence", "checkInTemplateId"})  # check-ins' settings on a department


async def employee(context: Context, id: str) -> Document | None:
    """One person of the viewer's organisation; ``None`` for an unknown id or another organisation's."""
    signed_in = await require(context)
    doc = await signed_in.loaders.employee_by_id.load(id)
    return doc if doc is not None and can_see_org_chart(signed_in.viewer, doc) else None


async def known_employee(context: Context, id: str) -> Document:
    """One person of the viewer's organisation, or :class:`BadUserInput` for an id that names nobody in it
    (what a query or a subscription about someone answers for an unknown id)."""
    doc = await employee(context, id)
    if doc is None:
        raise BadUserInput(f"no employee {id!r} in your organisation")
    return doc


async def employees(context: Context, ids: Iterable[str]) -> list[Document]:
    """The people with these ids in the viewer's organisation, in the order of ``ids`` (one batch);
    unknown ids are left out."""
    signed_in = await require(context)
    docs = await signed_in.loaders.employee_by_id.load_many(list(ids))
    return [doc for doc in docs if doc is not None and can_see_org_chart(signed_in.viewer, doc)]


async def referenced(context: Context, kind: OrgKind, id: str | None, field_name: str, errors: list[FieldError],
                     *, active: bool = False, fresh: bool = False) -> Document | None:
    """The person, department or position a mutation's input field ``field_name`` names (``None``: none),
    or ``None`` with the reason appended to ``errors``: ``NOT_FOUND`` for an id not in the viewer's
    organisation, and with ``active`` ``INACTIVE`` for someone who has left it. ``fresh`` reads the store
    itself, not the request's loader: inside a transaction's step, where the read joins the transaction."""
    if id is None:
        return None
    signed_in = await require(context)
    if fresh:
        doc = await getattr(signed_in.store, COLLECTION_OF[kind]).get(id)
    else:
        doc = await getattr(signed_in.loaders, LOADER_OF[kind]).load(id)
    if doc is None or not can_see_org_chart(signed_in.viewer, doc):
        errors.append(FieldError(field_name, ErrorCode.NOT_FOUND, f"no {kind} {id!r} in your organisation"))
        return None
    if active and doc.get("status") == EmployeeStatus.TERMINATED.value:
        errors.append(FieldError(field_name, ErrorCode.INACTIVE, f"{doc['name']} has left the organisation"))
        return None
    return doc


async def departments(context: Context) -> list[Document]:
    """Every department of the viewer's organisation, by name, then id."""
    signed_in = await require(context)
    return await signed_in.store.departments.find(sort=[("name", 1), ("_id", 1)])


async def set_department_fields(context: Context, department_id: str, changes: Mapping[str, Any]) -> bool:
    """Write the fields other domains own on one department (check-ins' ``cadence`` and
    ``checkInTemplateId``; any other name is a :class:`ValueError`); whether the department was found."""
    unknown = sorted(set(changes) - DEPARTMENT_FIELDS_OF_OTHERS)
    if unknown:
        raise ValueError(f"not a field other domains may set on a department: {', '.join(unknown)}")
    signed_in = await require(context)
    return await signed_in.store.departments.update(department_id, changes)


async def holders(context: Context, position_ids: Iterable[str]) -> dict[str, list[Document]]:
    """The people (not terminated) of the viewer's organisation holding each of these positions, by name
    (one query for any number of positions)."""
    signed_in = await require(context)
    ids = list(dict.fromkeys(position_ids))
    found: dict[str, list[Document]] = {id: [] for id in ids}
    for doc in await signed_in.store.employees.find(
            {"positionId": {"$in": ids}, "status": {"$ne": EmployeeStatus.TERMINATED.value}},
            sort=[("name", 1), ("_id", 1)]):
        found[doc["positionId"]].append(doc)
    return found


async def active_people(context: Context, fields: Mapping[str, int] | None = None) -> list[Document]:
    """Everyone of the viewer's organisation who has not left, by name (one query); only ``fields`` (a
    projection) if given: such partial documents are for computing, never to be shown as employees."""
    signed_in = await require(context)
    return await signed_in.store.employees.find({"status": {"$ne": EmployeeStatus.TERMINATED.value}},
                                                sort=[("name", 1), ("_id", 1)], projection=fields)


async def positions(context: Context) -> list[Document]:
    """Every position of the viewer's organisation, by title."""
    signed_in = await require(context)
    return await signed_in.store.positions.find(sort=[("title", 1), ("_id", 1)])


async def change_position(context: Context, employee_id: str, position_id: str, *,
                          with_step: Callable[[], Awaitable[bool]], why: str) -> Document | None:
    """The person's position changes to ``position_id`` in one transaction with the caller's own writes
    (``with_step``, run first inside it; returning ``False`` leaves everything unwritten), the previous one
    kept in ``positionHistory``, the organisation's change counter bumped as by every org change; after the
    commit the org chart pushes ``EMPLOYEE_UPDATED`` as ``updateEmployee`` does. The caller applies its own
    rules first (a promotion's approvals): this checks only that the person is still employed and the
    position exists. The person as changed, or ``None`` if nothing was written."""
    signed_in = await require(context)
    store = signed_in.store

    async def step() -> tuple[Document, int] | None:
        errors: list[FieldError] = []
        employee = await referenced(context, "employee", employee_id, "employeeId", errors, active=True, fresh=True)
        position = await referenced(context, "position", position_id, "positionId", errors, fresh=True)
        if employee is None or position is None or not await with_step():
            return None
        now = clock.now()
        entry = {"positionId": employee.get("positionId"), "until": now, "why": why,
                 "byId": signed_in.viewer.employee_id}
        await store.employees.update(employee_id, {"positionId": position_id, "updatedAt": now},
                                     push={"positionHistory": entry})
        return employee, await store.bump_version()

    done = await store.transaction(step)
    if done is None:
        return None
    employee, version = done
    message = {"kind": OrgChange.EMPLOYEE_UPDATED.value, "employeeIds": [employee_id],
               "scope": [*employee["managerChain"], employee_id], "version": version}
    await publish_after_commit(context, f"org-chart:{store.organization_id}", message)
    return await store.employees.get(employee_id)
