"""Organisation mutations (HR admins): validate everything first, write nothing on a refusal."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name, check_text
from models.core.viewer import Role, Viewer
from models.org.permissions import can_manage_org
from models.org.rules import (
    EmployeeStatus,
    OrgChange,
    chain_of,
    check_email,
    check_hire_date,
    department_would_cycle,
    normalize_email,
    status_entry,
    would_cycle,
    would_cycle_in,
)
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from store.core.repository import Duplicate, TenantStore
from store.loaders import Loaders
from store.org import repository as org_store

log = logging.getLogger("perfgraph.org")
LEVELS = range(1, 11)
RESPONSIBILITY_MAX = 500


@dataclass
class Outcome:
    document: Document | None = None
    errors: list[FieldError] = field(default_factory=list)
    moved: list[Document] = field(default_factory=list)


def org_chart_channel(organization_id: str) -> str:
    return f"org-chart:{organization_id}"


async def _admin(context: Context) -> tuple[Viewer, TenantStore]:
    viewer = await context.authenticate()
    if not can_manage_org(viewer):
        raise Forbidden("only HR admins may change the organisation")
    assert context.store is not None
    return viewer, context.store


async def _publish(context: Context, store: TenantStore, kind: OrgChange, employee_ids: list[str],
                   scope: list[str] | None) -> None:
    """Tell subscribers after the write is acknowledged; ``scope`` None means the whole organisation."""
    # The request's loaders cached documents read before the write (the viewer's own, at sign-in):
    # the payload's nested fields must read the state after it.
    context.loaders = Loaders(store)
    version = await store.bump_version()
    message = {"kind": kind.value, "employeeIds": employee_ids, "scope": scope, "version": version}
    try:
        await context.bus.publish(org_chart_channel(store.organization_id), message)
    except Exception as error:  # the write stands; subscribers miss one event, which we log
        log.error("org-chart event not published (%s): %s", kind.value, error)


async def _existing(store: TenantStore, kind: str, id: str | None, field_name: str, errors: list[FieldError],
                    *, active: bool = False) -> Document | None:
    """Load a referenced document of the viewer's organisation, or record why it cannot be used."""
    if id is None:
        return None
    doc = await getattr(store, kind).get(id)
    if doc is None:
        errors.append(FieldError(field_name, ErrorCode.NOT_FOUND, f"no {kind[:-1]} {id!r} in your organisation"))
    elif active and doc.get("status") == EmployeeStatus.TERMINATED.value:
        errors.append(FieldError(field_name, ErrorCode.INACTIVE, f"{doc['name']} has left the organisation"))
        return None
    return doc


async def _email_errors(store: TenantStore, email: str, exclude: str | None = None) -> list[FieldError]:
    errors = check_email(email)
    if not errors:
        other = await store.employees.find({"email": normalize_email(email)}, limit=1, projection={"_id": 1})
        if other and other[0]["_id"] != exclude:
            errors.append(FieldError("email", ErrorCode.DUPLICATE, f"{normalize_email(email)} is already in use"))
    return errors


def _status_errors(status: EmployeeStatus | None) -> list[FieldError]:
    if status is None:
        return [FieldError("status", ErrorCode.REQUIRED, "status must not be null")]
    if status == EmployeeStatus.TERMINATED:
        return [FieldError("status", ErrorCode.INVALID, "use terminateEmployee to terminate someone")]
    return []


async def _manager_links(store: TenantStore) -> dict[str, str | None]:
    """id → managerId for the organisation: the truth a cycle check must walk (chains are derived)."""
    return {d["_id"]: d.get("managerId") for d in await store.employees.find(projection={"managerId": 1})}


def _now() -> datetime:
    return datetime.now(UTC)


async def create_employee(context: Context, data: dict[str, Any]) -> Outcome:
    viewer, store = await _admin(context)
    errors = [*check_name(data.get("name"), "name"), *check_hire_date(data.get("hire_date"), date.today()),
              *_status_errors(data.get("status") or EmployeeStatus.ACTIVE)]
    errors += await _email_errors(store, data.get("email") or "") if data.get("email") else check_email(None)
    manager = await _existing(store, "employees", data.get("manager_id"), "managerId", errors, active=True)
    await _existing(store, "employees", data.get("mentor_id"), "mentorId", errors, active=True)
    await _existing(store, "positions", data.get("position_id"), "positionId", errors)
    await _existing(store, "departments", data.get("department_id"), "departmentId", errors)
    if errors:
        return Outcome(errors=errors)
    now, status = _now(), data.get("status") or EmployeeStatus.ACTIVE
    doc = {
        "_id": new_id(), "name": data["name"].strip(), "email": normalize_email(data["email"]),
        "positionId": data.get("position_id"), "departmentId": data.get("department_id"),
        "managerId": manager["_id"] if manager else None, "managerChain": chain_of(manager),
        "mentorId": data.get("mentor_id"), "hireDate": data["hire_date"].isoformat(), "status": status.value,
        "statusHistory": [status_entry(status, now, viewer.employee_id)],
        "roles": sorted({Role.EMPLOYEE.value, *(r.value for r in data.get("roles") or [])}),
        "createdAt": now, "updatedAt": now,
    }
    try:
        doc = await store.employees.insert(doc)
    except Duplicate:
        return Outcome(errors=[FieldError("email", ErrorCode.DUPLICATE, f"{doc['email']} is already in use")])
    await _publish(context, store, OrgChange.EMPLOYEE_CREATED, [doc["_id"]], [*doc["managerChain"], doc["_id"]])
    return Outcome(doc)


async def update_employee(context: Context, id: str, data: dict[str, Any]) -> Outcome:
    viewer, store = await _admin(context)
    errors: list[FieldError] = []
    employee = await _existing(store, "employees", id, "id", errors)
    if employee is None:
        return Outcome(errors=errors)
    if employee["status"] == EmployeeStatus.TERMINATED.value:
        return Outcome(errors=[FieldError("id", ErrorCode.INACTIVE, f"{employee['name']} has left the organisation")])
    if "name" in data:
        errors += check_name(data["name"], "name")
    if "email" in data:
        errors += await _email_errors(store, data["email"], exclude=id) if data["email"] else check_email(None)
    if "hire_date" in data:
        errors += check_hire_date(data["hire_date"], date.today())
    if "status" in data:
        errors += _status_errors(data["status"])
    if data.get("mentor_id") == id:
        errors.append(FieldError("mentorId", ErrorCode.INVALID, "nobody can mentor themselves"))
    await _existing(store, "employees", data.get("mentor_id"), "mentorId", errors, active=True)
    await _existing(store, "positions", data.get("position_id"), "positionId", errors)
    if errors:
        return Outcome(errors=errors)
    now = _now()
    changes: dict[str, Any] = {"updatedAt": now}
    for key, doc_key in (("name", "name"), ("position_id", "positionId"), ("mentor_id", "mentorId")):
        if key in data:
            changes[doc_key] = data[key].strip() if key == "name" else data[key]
    if "email" in data:
        changes["email"] = normalize_email(data["email"])
    if "hire_date" in data:
        changes["hireDate"] = data["hire_date"].isoformat()
    if "roles" in data:
        changes["roles"] = sorted({Role.EMPLOYEE.value, *(r.value for r in data["roles"] or [])})
    push = None
    if "status" in data and data["status"].value != employee["status"]:
        changes["status"] = data["status"].value
        push = {"statusHistory": status_entry(data["status"], now, viewer.employee_id)}
    try:
        await store.employees.update(id, changes, push=push)
    except Duplicate:
        return Outcome(errors=[FieldError("email", ErrorCode.DUPLICATE, f"{changes['email']} is already in use")])
    await _publish(context, store, OrgChange.EMPLOYEE_UPDATED, [id], [*employee["managerChain"], id])
    return Outcome(await store.employees.get(id))


async def change_manager(context: Context, employee_id: str, manager_id: str | None) -> Outcome:
    _, store = await _admin(context)
    errors: list[FieldError] = []
    employee = await _existing(store, "employees", employee_id, "employeeId", errors, active=True)
    manager = await _existing(store, "employees", manager_id, "managerId", errors, active=True)
    if employee is not None and manager is not None and (
            would_cycle(employee_id, manager) or would_cycle_in(employee_id, manager, await _manager_links(store))):
        errors.append(FieldError("managerId", ErrorCode.CYCLE,
                                 f"{employee['name']} would become their own (indirect) manager"))
    if errors or employee is None:
        return Outcome(errors=errors)
    updated = await org_store.set_manager(store, employee, manager, _now())
    scope = sorted({*employee["managerChain"], *updated["managerChain"], employee_id})
    await _publish(context, store, OrgChange.MANAGER_CHANGED, [employee_id], scope)
    return Outcome(updated)


async def move_department(context: Context, employee_id: str, department_id: str) -> Outcome:
    _, store = await _admin(context)
    errors: list[FieldError] = []
    employee = await _existing(store, "employees", employee_id, "employeeId", errors, active=True)
    await _existing(store, "departments", department_id, "departmentId", errors)
    if errors or employee is None:
        return Outcome(errors=errors)
    await store.employees.update(employee_id, {"departmentId": department_id, "updatedAt": _now()})
    await _publish(context, store, OrgChange.DEPARTMENT_CHANGED, [employee_id],
                   [*employee["managerChain"], employee_id])
    return Outcome({**employee, "departmentId": department_id})


async def terminate_employee(context: Context, employee_id: str, note: str | None) -> Outcome:
    """Idempotent: terminating someone already terminated finishes any re-parenting left undone."""
    viewer, store = await _admin(context)
    errors = check_text(note, "note")
    employee = await _existing(store, "employees", employee_id, "employeeId", errors)
    if employee is not None and employee_id == viewer.employee_id:
        errors.append(FieldError("employeeId", ErrorCode.INVALID, "you cannot terminate yourself"))
    if errors or employee is None:
        return Outcome(errors=errors)
    moved = await org_store.terminate(store, employee, viewer.employee_id, _now(), note)
    await _publish(context, store, OrgChange.EMPLOYEE_TERMINATED, [employee_id, *moved],
                   [*employee["managerChain"], employee_id])
    moved_docs = await store.employees.by_ids(moved) if moved else []
    return Outcome(await store.employees.get(employee_id), moved=moved_docs)


async def _save_target(context: Context, kind: str, id: str | None) -> tuple[TenantStore, Document | None,
                                                                           list[FieldError]]:
    """For a create-or-update: the store, the document to update (None: create) and the errors so far."""
    _, store = await _admin(context)
    errors: list[FieldError] = []
    current = await _existing(store, kind, id, "id", errors) if id else None
    return store, current, errors


async def _insert_or_update(store: TenantStore, kind: str, current: Document | None, defaults: Document,
                            fields: Document) -> Document:
    collection = getattr(store, kind)
    if current is None:
        return await collection.insert({"_id": new_id(), **defaults, **fields})
    await collection.update(current["_id"], fields)
    return {**current, **fields}


async def save_department(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    store, current, errors = await _save_target(context, "departments", id)
    if errors:
        return Outcome(errors=errors)
    if id is None or "name" in data:
        errors += check_name(data.get("name"), "name")
    parent = await _existing(store, "departments", data.get("parent_id"), "parentId", errors)
    await _existing(store, "employees", data.get("head_id"), "headId", errors, active=True)
    if id and parent is not None:
        all_departments = await store.departments.find(projection={"parentId": 1})
        if department_would_cycle(id, parent, {d["_id"]: d.get("parentId") for d in all_departments}):
            errors.append(FieldError("parentId", ErrorCode.CYCLE, "a department cannot sit inside itself"))
    if errors:
        return Outcome(errors=errors)
    fields = {doc_key: (data[key].strip() if key == "name" else data[key])
              for key, doc_key in (("name", "name"), ("parent_id", "parentId"), ("head_id", "headId"))
              if key in data}
    doc = await _insert_or_update(store, "departments", current,
                                  {"parentId": None, "headId": None, "cadence": "weekly"}, fields)
    await _publish(context, store, OrgChange.DEPARTMENT_SAVED, [], None)
    return Outcome(doc)


async def save_position(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    store, current, errors = await _save_target(context, "positions", id)
    if errors:
        return Outcome(errors=errors)
    if id is None or "title" in data:
        errors += check_name(data.get("title"), "title")
    for key in ("description", "responsibilities"):  # non-null in the schema: null would break every read
        if key in data and data[key] is None:
            errors.append(FieldError(key, ErrorCode.REQUIRED, f"{key} must not be null"))
    errors += check_text(data.get("description"), "description")
    for item in data.get("responsibilities") or []:
        if not item.strip() or len(item) > RESPONSIBILITY_MAX:
            errors.append(FieldError("responsibilities", ErrorCode.INVALID,
                                     f"each responsibility must have 1 to {RESPONSIBILITY_MAX} characters"))
            break
    if "level" in data and data["level"] not in LEVELS:
        errors.append(FieldError("level", ErrorCode.INVALID, f"level must be {LEVELS.start}–{LEVELS.stop - 1}"))
    await _existing(store, "departments", data.get("department_id"), "departmentId", errors)
    if errors:
        return Outcome(errors=errors)
    keys = (("title", "title"), ("description", "description"), ("responsibilities", "responsibilities"),
            ("level", "level"), ("department_id", "departmentId"))
    fields = {doc_key: data[key] for key, doc_key in keys if key in data}
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    doc = await _insert_or_update(store, "positions", current,
                                  {"description": "", "responsibilities": [], "level": 1, "departmentId": None}, fields)
    await _publish(context, store, OrgChange.POSITION_SAVED, [], None)
    return Outcome(doc)
