"""Organisation mutations (HR admins): validate everything first, write nothing on a refusal."""

from __future__ import annotations

from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name, check_text
from models.core.viewer import Role
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
from resolvers.core.context import Context, require_role
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.org.access import OrgKind, referenced
from store.core.repository import Duplicate, TenantStore
from store.org import repository as org_store

LEVELS = range(1, 11)
RESPONSIBILITY_MAX = 500
ONLY_HR_ADMINS = "only HR admins may change the organisation"


def org_chart_channel(organization_id: str) -> str:
    """The bus channel of one organisation's org-chart events (``orgChartChanged`` listens to it)."""
    return f"org-chart:{organization_id}"


async def _announce(context: Context, store: TenantStore, kind: OrgChange, employee_ids: list[str],
                    scope: list[str] | None) -> None:
    """An org-chart event after the write, with the organisation's change counter; ``scope`` ``None``
    means the whole organisation."""
    version = await store.bump_version()
    message = {"kind": kind.value, "employeeIds": employee_ids, "scope": scope, "version": version}
    await publish_after_commit(context, org_chart_channel(store.organization_id), message)


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


async def create_employee(context: Context, data: dict[str, Any]) -> Outcome:
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    store = signed_in.store
    errors = [*check_name(data.get("name"), "name"), *check_hire_date(data.get("hire_date"), clock.today()),
              *_status_errors(data.get("status") or EmployeeStatus.ACTIVE)]
    errors += await _email_errors(store, data.get("email") or "") if data.get("email") else check_email(None)
    manager = await referenced(context, "employee", data.get("manager_id"), "managerId", errors, active=True)
    await referenced(context, "employee", data.get("mentor_id"), "mentorId", errors, active=True)
    await referenced(context, "position", data.get("position_id"), "positionId", errors)
    await referenced(context, "department", data.get("department_id"), "departmentId", errors)
    if errors:
        return Outcome(errors=errors)
    now, status = clock.now(), data.get("status") or EmployeeStatus.ACTIVE
    doc = {
        "_id": new_id(), "name": data["name"].strip(), "email": normalize_email(data["email"]),
        "positionId": data.get("position_id"), "departmentId": data.get("department_id"),
        "managerId": manager["_id"] if manager else None, "managerChain": chain_of(manager),
        "mentorId": data.get("mentor_id"), "hireDate": data["hire_date"].isoformat(), "status": status.value,
        "statusHistory": [status_entry(status, now, signed_in.viewer.employee_id)],
        "roles": sorted({Role.EMPLOYEE.value, *(r.value for r in data.get("roles") or [])}),
        "createdAt": now, "updatedAt": now,
    }
    try:
        doc = await store.employees.insert(doc)
    except Duplicate:
        return Outcome.refused("email", ErrorCode.DUPLICATE, f"{doc['email']} is already in use")
    await _announce(context, store, OrgChange.EMPLOYEE_CREATED, [doc["_id"]], [*doc["managerChain"], doc["_id"]])
    return Outcome(doc)


async def update_employee(context: Context, id: str, data: dict[str, Any]) -> Outcome:
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    store = signed_in.store
    errors: list[FieldError] = []
    employee = await referenced(context, "employee", id, "id", errors)
    if employee is None:
        return Outcome(errors=errors)
    if employee["status"] == EmployeeStatus.TERMINATED.value:
        return Outcome.refused("id", ErrorCode.INACTIVE, f"{employee['name']} has left the organisation")
    if "name" in data:
        errors += check_name(data["name"], "name")
    if "email" in data:
        errors += await _email_errors(store, data["email"], exclude=id) if data["email"] else check_email(None)
    if "hire_date" in data:
        errors += check_hire_date(data["hire_date"], clock.today())
    if "status" in data:
        errors += _status_errors(data["status"])
    if data.get("mentor_id") == id:
        errors.append(FieldError("mentorId", ErrorCode.INVALID, "nobody can mentor themselves"))
    await referenced(context, "employee", data.get("mentor_id"), "mentorId", errors, active=True)
    await referenced(context, "position", data.get("position_id"), "positionId", errors)
    if errors:
        return Outcome(errors=errors)
    now = clock.now()
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
        push = {"statusHistory": status_entry(data["status"], now, signed_in.viewer.employee_id)}
    try:
        await store.employees.update(id, changes, push=push)
    except Duplicate:
        return Outcome.refused("email", ErrorCode.DUPLICATE, f"{changes['email']} is already in use")
    await _announce(context, store, OrgChange.EMPLOYEE_UPDATED, [id], [*employee["managerChain"], id])
    return Outcome(await store.employees.get(id))


async def change_manager(context: Context, employee_id: str, manager_id: str | None) -> Outcome:
    store = (await require_role(context, can_manage_org, ONLY_HR_ADMINS)).store
    errors: list[FieldError] = []
    employee = await referenced(context, "employee", employee_id, "employeeId", errors, active=True)
    manager = await referenced(context, "employee", manager_id, "managerId", errors, active=True)
    if employee is not None and manager is not None and (
            would_cycle(employee_id, manager) or would_cycle_in(employee_id, manager, await _manager_links(store))):
        errors.append(FieldError("managerId", ErrorCode.CYCLE,
                                 f"{employee['name']} would become their own (indirect) manager"))
    if errors or employee is None:
        return Outcome(errors=errors)
    updated = await org_store.set_manager(store, employee, manager, clock.now())
    scope = sorted({*employee["managerChain"], *updated["managerChain"], employee_id})
    await _announce(context, store, OrgChange.MANAGER_CHANGED, [employee_id], scope)
    return Outcome(updated)


async def move_department(context: Context, employee_id: str, department_id: str) -> Outcome:
    store = (await require_role(context, can_manage_org, ONLY_HR_ADMINS)).store
    errors: list[FieldError] = []
    employee = await referenced(context, "employee", employee_id, "employeeId", errors, active=True)
    await referenced(context, "department", department_id, "departmentId", errors)
    if errors or employee is None:
        return Outcome(errors=errors)
    await store.employees.update(employee_id, {"departmentId": department_id, "updatedAt": clock.now()})
    await _announce(context, store, OrgChange.DEPARTMENT_CHANGED, [employee_id],
                    [*employee["managerChain"], employee_id])
    return Outcome({**employee, "departmentId": department_id})


async def terminate_employee(context: Context, employee_id: str, note: str | None) -> Outcome:
    """Idempotent: terminating someone already terminated finishes any re-parenting left undone.
    ``extra["moved"]``: the reports moved to the terminated person's manager."""
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    viewer, store = signed_in.viewer, signed_in.store
    errors = check_text(note, "note")
    employee = await referenced(context, "employee", employee_id, "employeeId", errors)
    if employee is not None and employee_id == viewer.employee_id:
        errors.append(FieldError("employeeId", ErrorCode.INVALID, "you cannot terminate yourself"))
    if errors or employee is None:
        return Outcome(errors=errors)
    moved = await org_store.terminate(store, employee, viewer.employee_id, clock.now(), note)
    await _announce(context, store, OrgChange.EMPLOYEE_TERMINATED, [employee_id, *moved],
                    [*employee["managerChain"], employee_id])
    moved_docs = await store.employees.by_ids(moved) if moved else []
    return Outcome(await store.employees.get(employee_id), extra={"moved": moved_docs})


async def _save_target(context: Context, kind: OrgKind, id: str | None, data: dict[str, Any],
                       name_field: str) -> tuple[TenantStore, Document | None, list[FieldError]]:
    """For a create-or-update: the store, the document to update (``None``: create) and the errors so
    far (an unknown ``id`` alone, else those of the name, required on create)."""
    store = (await require_role(context, can_manage_org, ONLY_HR_ADMINS)).store
    errors: list[FieldError] = []
    current = await referenced(context, kind, id or None, "id", errors)
    if not errors and (id is None or name_field in data):
        errors += check_name(data.get(name_field), name_field)
    return store, current, errors


async def _insert_or_update(store: TenantStore, kind: str, current: Document | None, defaults: Document,
                            fields: Document) -> Document:
    collection = getattr(store, kind)
    if current is None:
        return await collection.insert({"_id": new_id(), **defaults, **fields})
    await collection.update(current["_id"], fields)
    return {**current, **fields}


async def save_department(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    store, current, errors = await _save_target(context, "department", id, data, "name")
    if id and current is None:
        return Outcome(errors=errors)
    parent = await referenced(context, "department", data.get("parent_id"), "parentId", errors)
    await referenced(context, "employee", data.get("head_id"), "headId", errors, active=True)
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
    await _announce(context, store, OrgChange.DEPARTMENT_SAVED, [], None)
    return Outcome(doc)


async def save_position(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    store, current, errors = await _save_target(context, "position", id, data, "title")
    if id and current is None:
        return Outcome(errors=errors)
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
    await referenced(context, "department", data.get("department_id"), "departmentId", errors)
    if errors:
        return Outcome(errors=errors)
    keys = (("title", "title"), ("description", "description"), ("responsibilities", "responsibilities"),
            ("level", "level"), ("department_id", "departmentId"))
    fields = {doc_key: data[key] for key, doc_key in keys if key in data}
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    doc = await _insert_or_update(store, "positions", current,
                                  {"description": "", "responsibilities": [], "level": 1, "departmentId": None}, fields)
    await _announce(context, store, OrgChange.POSITION_SAVED, [], None)
    return Outcome(doc)
