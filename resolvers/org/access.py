"""The org chart for other domains: the one way a resolver outside org reads people, departments and
positions. Visibility-aware (everyone in the organisation sees the org chart, ``can_see_org_chart``):
another organisation's id reads exactly like an unknown one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from models.core import clock
from models.core.documents import Document
from models.core.errors import FieldError
from models.org.permissions import can_see_org_chart
from models.org.rules import EmployeeStatus, OrgChange, normalize_email
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput
from resolvers.core.outcome import Outcome
from resolvers.core.projection import employee_projection
from resolvers.core.publish import publish_after_commit
from resolvers.org import mutations
from resolvers.org.departures import AfterCommit as AfterCommit
from resolvers.org.departures import DepartureStep as DepartureStep
from resolvers.org.departures import on_departure as on_departure
from resolvers.org.departures import run_departure_steps as run_departure_steps
from resolvers.org.mutations import KEEP, Keep, Within
from resolvers.org.mutations import org_chart_channel as org_chart_channel
from resolvers.org.references import OrgKind as OrgKind
from resolvers.org.references import referenced as referenced
from store.org import repository as org_store

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


async def changed_employees(context: Context, ids: Iterable[str], references: Mapping[str, list[str]],
                            selected: Collection[str]) -> list[Document]:
    """:func:`employees` for the people an org-chart event names, with the positions and departments the event
    says they refer to (``references``, as the change wrote them) read beside them when the selection
    (``selected``: the Employee fields asked for) shows them, instead of after them."""
    signed_in = await require(context)
    reads = set(employee_projection(set(selected)))
    beside = [*([signed_in.loaders.position_by_id.load_many(references.get("positionIds", []))]
                if "positionId" in reads else []),
              *([signed_in.loaders.department_by_id.load_many(references.get("departmentIds", []))]
                if "departmentId" in reads else [])]
    docs, *_ = await asyncio.gather(employees(context, ids), *beside)
    return docs


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


async def people(context: Context, *, ids: Iterable[str] | None = None, emails: Iterable[str] | None = None,
                 department_id: str | None = None, skip: int = 0, limit: int = 0,
                 excluded: Iterable[str] = ()) -> list[Document]:
    """People of the viewer's organisation, terminated ones included, in id order: all of them, or those
    with one of ``ids`` or ``emails`` (normalised) or in ``department_id``, less ``excluded`` ids;
    ``skip``/``limit`` page them."""
    signed_in = await require(context)
    query: dict[str, Any] = {}
    if ids is not None:
        query["_id"] = {"$in": list(ids)}
    excluded = list(excluded)
    if excluded:
        query.setdefault("_id", {})["$nin"] = excluded
    if emails is not None:
        query["email"] = {"$in": [normalize_email(e) for e in emails]}
    if department_id is not None:
        query["departmentId"] = department_id
    docs = await signed_in.store.employees.find(query, sort=[("_id", 1)], skip=skip, limit=limit)
    return [doc for doc in docs if can_see_org_chart(signed_in.viewer, doc)]


async def count_people(context: Context, excluded: Iterable[str] = ()) -> int:
    """How many people the viewer's organisation has, terminated ones included, less ``excluded`` ids."""
    excluded = list(excluded)
    return await (await require(context)).store.employees.count({"_id": {"$nin": excluded}} if excluded else None)


async def sync_person(context: Context, id: str | None, data: dict[str, Any], *, manager_id: str | Keep | None = KEEP,
                      department_id: str | Keep | None = KEEP, leave: bool = False,
                      within: Within | None = None) -> Outcome:
    """Create (``id`` ``None``) or change one person as HR admins do, in ONE transaction: the fields of
    ``data`` (as ``createEmployee``/``updateEmployee`` take them), then the manager, the department, and with
    ``leave`` the termination with re-parenting; ``within(person)`` runs last in the same transaction (the
    caller's own writes). The first refusal writes nothing at all. Only for viewers who may change the
    organisation (HR admins, integration tokens acting for them)."""
    return await mutations.sync_employee(context, id, data, manager_id=manager_id, department_id=department_id,
                                         leave=leave, within=within)


async def save_department(context: Context, id: str | None, data: dict[str, Any], *,
                          within: Within | None = None) -> Outcome:
    """Create or change a department as ``saveDepartment`` does (HR admins); ``within(department)`` runs in
    the same transaction."""
    return await mutations.save_department(context, id, data, within=within)


async def save_position(context: Context, id: str | None, data: dict[str, Any], *,
                        within: Within | None = None) -> Outcome:
    """Create or change a position as ``savePosition`` does (HR admins); ``within(position)`` runs in the
    same transaction."""
    return await mutations.save_position(context, id, data, within=within)


async def move_people(context: Context, moves: dict[str, str | None]) -> Outcome:
    """Move several people between departments (id → department id, ``None``: none) in one transaction, as
    ``moveDepartment`` does (HR admins); the first refusal writes nothing."""
    return await mutations.move_departments(context, moves)


async def create_people(context: Context, items: list[dict[str, Any]],
                        within: mutations.BulkWithin | None = None) -> Outcome:
    """Create many people in one transaction as ``createEmployee`` would each (HR admins; a bulk import):
    see :func:`resolvers.org.mutations.create_employees`. Any refusal writes nothing."""
    return await mutations.create_employees(context, items, within)


async def mentees_of(context: Context, employee_id: str) -> list[Document]:
    """The people (who have not left) whose mentor is ``employee_id``, by name; the org chart's field."""
    signed_in = await require(context)
    docs = await signed_in.store.employees.find(
        {"mentorId": employee_id, "status": {"$ne": EmployeeStatus.TERMINATED.value}}, sort=[("name", 1), ("_id", 1)])
    return [doc for doc in docs if can_see_org_chart(signed_in.viewer, doc)]


async def holders(context: Context, position_ids: Iterable[str]) -> dict[str, list[Document]]:
    """The people (not terminated) of the viewer's organisation holding each of these positions, by name
    (one query for any number of positions; for one, a bare equality the ``org_position`` index serves)."""
    signed_in = await require(context)
    ids = list(dict.fromkeys(position_ids))
    found: dict[str, list[Document]] = {id: [] for id in ids}
    if not ids:
        return found
    docs = await signed_in.store.employees.find({"positionId": ids[0] if len(ids) == 1 else {"$in": ids}})
    for doc in sorted(docs, key=lambda d: (d.get("name", ""), d["_id"])):
        if doc.get("status") != EmployeeStatus.TERMINATED.value:
            found[doc["positionId"]].append(doc)
    return found


async def active_people(context: Context, fields: Mapping[str, int] | None = None, *,
                        ordered: bool = True) -> list[Document]:
    """Everyone of the viewer's organisation who has not left, by name (in no order without ``ordered``:
    sorting thousands costs the server more than the read); one query (unordered: one per status). Only
    ``fields`` (a projection) if given: such partial documents are for computing, never to be shown as
    employees."""
    signed_in = await require(context)
    if ordered:
        return await signed_in.store.employees.find({"status": {"$ne": EmployeeStatus.TERMINATED.value}},
                                                    sort=[("name", 1), ("_id", 1)], projection=fields)
    # unordered: one bare equality per status that has not left, side by side (the ``org_status`` index);
    # the embedded server answers these far faster than one ``$ne``
    found = await asyncio.gather(*[signed_in.store.employees.find({"status": status.value}, projection=fields)
                                   for status in EmployeeStatus if status is not EmployeeStatus.TERMINATED])
    return [doc for docs in found for doc in docs]


ROSTER_FIELDS = org_store.ROSTER_FIELDS  # what rankings read of each person (partial documents, never shown)


async def roster(context: Context) -> list[Document]:
    """Everyone of the viewer's organisation who has not left, with only :data:`ROSTER_FIELDS`, in no order:
    what :func:`active_people` reads with them, but from the organisation's roster document when it is as
    new as the organisation's change counter. One document instead of thousands for the embedded server to
    fetch, match and encode one by one. Every write to a person is an org change, which bumps that counter
    in its own transaction and, in the same transaction, sets the people it wrote in a roster that was at the
    counter before (``store.org.repository.bump_version``): so after a change the roster is current again.
    A roster kept at the counter read *before* the people were read is never older than it says. A stale
    (or missing, or list-format) roster: the people are read live and the roster replaced in one conditional
    write. Store calls: 2 (the counter and the roster, side by side), 5 when stale."""
    signed_in = await require(context)
    store = signed_in.store
    version, kept = await asyncio.gather(store.version(), org_store.roster(store))
    if kept is not None and kept[0] >= version:
        return kept[1]
    people = await active_people(context, ROSTER_FIELDS, ordered=False)  # only after the counter was read
    await org_store.save_roster(store, version, people)
    return people


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
        return employee, await org_store.bump_version(store, [employee_id])

    done = await store.transaction(step)
    if done is None:
        return None
    employee, version = done
    message = {"kind": OrgChange.EMPLOYEE_UPDATED.value, "employeeIds": [employee_id],
               "scope": [*employee["managerChain"], employee_id], "version": version}
    await publish_after_commit(context, f"org-chart:{store.organization_id}", message)
    return await store.employees.get(employee_id)


async def last_position_changes(context: Context, employee_ids: Iterable[str]) -> dict[str, datetime | None]:
    """When each person's position last changed (their latest ``positionHistory`` entry: HR's ``updateEmployee``
    or a promotion applied through :func:`change_position`); ``None`` where it never changed, or for someone not in
    the viewer's organisation. One batched load (the org chart is everyone's in the organisation to see)."""
    signed_in = await require(context)
    ids = list(dict.fromkeys(employee_ids))
    found: dict[str, datetime | None] = dict.fromkeys(ids)
    for doc in await signed_in.loaders.employee_by_id.load_many(ids):
        if doc is not None and can_see_org_chart(signed_in.viewer, doc):
            entries = [entry["until"] for entry in doc.get("positionHistory") or [] if entry.get("until")]
            found[doc["_id"]] = max(entries) if entries else None
    return found
