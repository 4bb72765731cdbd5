"""Organisation mutations (HR admins): each one transaction that checks against what it reads in the
transaction, writes nothing on a refusal, and publishes its event after the commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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


# The outbox event (webhooks) each employee change records in its transaction.
WEBHOOK_EVENTS = {OrgChange.EMPLOYEE_CREATED: "employee.created", OrgChange.EMPLOYEE_UPDATED: "employee.changed",
                  OrgChange.MANAGER_CHANGED: "employee.changed", OrgChange.DEPARTMENT_CHANGED: "employee.changed",
                  OrgChange.EMPLOYEE_TERMINATED: "employee.terminated"}


@dataclass(frozen=True)
class Applied:
    """What a step wrote: the payload, and the people and scope (``None``: the whole organisation) of its event."""

    outcome: Outcome
    employee_ids: list[str]
    scope: list[str] | None


async def _apply(context: Context, store: TenantStore, kind: OrgChange,
                 step: Callable[[], Awaitable[Outcome | Applied]]) -> Outcome:
    """``step`` (checks and writes, reading the store itself) as one transaction; an :class:`Outcome` from it
    is a refusal that wrote nothing. A step that writes also bumps the organisation's change counter in
    the same transaction: every org change writes that one document, so of two concurrent changes one
    conflicts and is retried, and its checks then see the other's result. The event follows the commit."""
    async def attempt() -> tuple[Outcome | Applied, int]:
        result = await step()
        if isinstance(result, Applied) and kind in WEBHOOK_EVENTS:
            store.record_event(WEBHOOK_EVENTS[kind], {"employeeIds": result.employee_ids})
        return result, await store.bump_version() if isinstance(result, Applied) else 0

    result, version = await store.transaction(attempt)
    if not isinstance(result, Applied):
        return result
    message = {"kind": kind.value, "employeeIds": result.employee_ids, "scope": result.scope, "version": version}
    await publish_after_commit(context, org_chart_channel(store.organization_id), message)
    return result.outcome


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


async def create_employee(context: Context, data: dict[str, Any]) -> Outcome:
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    store = signed_in.store

    async def step() -> Outcome | Applied:
        errors = [*check_name(data.get("name"), "name"), *check_hire_date(data.get("hire_date"), clock.today()),
                  *_status_errors(data.get("status") or EmployeeStatus.ACTIVE)]
        errors += await _email_errors(store, data.get("email") or "") if data.get("email") else check_email(None)
        manager = await referenced(context, "employee", data.get("manager_id"), "managerId", errors, active=True,
                                   fresh=True)
        await referenced(context, "employee", data.get("mentor_id"), "mentorId", errors, active=True, fresh=True)
        await referenced(context, "position", data.get("position_id"), "positionId", errors, fresh=True)
        await referenced(context, "department", data.get("department_id"), "departmentId", errors, fresh=True)
        if errors:
            return Outcome(errors=errors)
        now, status = clock.now(), data.get("status") or EmployeeStatus.ACTIVE
        doc = await store.employees.insert({
            "_id": new_id(), "name": data["name"].strip(), "email": normalize_email(data["email"]),
            "positionId": data.get("position_id"), "departmentId": data.get("department_id"),
            "managerId": manager["_id"] if manager else None, "managerChain": chain_of(manager),
            "mentorId": data.get("mentor_id"), "hireDate": data["hire_date"].isoformat(), "status": status.value,
            "statusHistory": [status_entry(status, now, signed_in.viewer.employee_id)],
            "roles": sorted({Role.EMPLOYEE.value, *(r.value for r in data.get("roles") or [])}),
            "createdAt": now, "updatedAt": now,
        })
        return Applied(Outcome(doc), [doc["_id"]], [*doc["managerChain"], doc["_id"]])

    try:
        return await _apply(context, store, OrgChange.EMPLOYEE_CREATED, step)
    except Duplicate:
        return Outcome.refused("email", ErrorCode.DUPLICATE, f"{normalize_email(data['email'])} is already in use")


async def update_employee(context: Context, id: str, data: dict[str, Any]) -> Outcome:
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    store = signed_in.store

    async def step() -> Outcome | Applied:
        errors: list[FieldError] = []
        employee = await referenced(context, "employee", id, "id", errors, fresh=True)
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
        await referenced(context, "employee", data.get("mentor_id"), "mentorId", errors, active=True, fresh=True)
        await referenced(context, "position", data.get("position_id"), "positionId", errors, fresh=True)
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
        await store.employees.update(id, changes, push=push)
        return Applied(Outcome(await store.employees.get(id)), [id], [*employee["managerChain"], id])

    try:
        return await _apply(context, store, OrgChange.EMPLOYEE_UPDATED, step)
    except Duplicate:
        return Outcome.refused("email", ErrorCode.DUPLICATE, f"{normalize_email(data['email'])} is already in use")


async def change_manager(context: Context, employee_id: str, manager_id: str | None) -> Outcome:
    """The cycle check walks the managerId links as the transaction reads them: a concurrent move that
    would close a loop with this one conflicts with it, and this one, retried, sees it and refuses."""
    store = (await require_role(context, can_manage_org, ONLY_HR_ADMINS)).store

    async def step() -> Outcome | Applied:
        errors: list[FieldError] = []
        employee = await referenced(context, "employee", employee_id, "employeeId", errors, active=True, fresh=True)
        manager = await referenced(context, "employee", manager_id, "managerId", errors, active=True, fresh=True)
        if employee is not None and manager is not None and (
                would_cycle(employee_id, manager)
                or would_cycle_in(employee_id, manager, await org_store.manager_links(store))):
            errors.append(FieldError("managerId", ErrorCode.CYCLE,
                                     f"{employee['name']} would become their own (indirect) manager"))
        if errors or employee is None:
            return Outcome(errors=errors)
        updated = await org_store.set_manager(store, employee, manager, clock.now())
        scope = sorted({*employee["managerChain"], *updated["managerChain"], employee_id})
        return Applied(Outcome(updated), [employee_id], scope)

    return await _apply(context, store, OrgChange.MANAGER_CHANGED, step)


async def move_department(context: Context, employee_id: str, department_id: str) -> Outcome:
    store = (await require_role(context, can_manage_org, ONLY_HR_ADMINS)).store

    async def step() -> Outcome | Applied:
        errors: list[FieldError] = []
        employee = await referenced(context, "employee", employee_id, "employeeId", errors, active=True, fresh=True)
        await referenced(context, "department", department_id, "departmentId", errors, fresh=True)
        if errors or employee is None:
            return Outcome(errors=errors)
        await store.employees.update(employee_id, {"departmentId": department_id, "updatedAt": clock.now()})
        return Applied(Outcome({**employee, "departmentId": department_id}), [employee_id],
                       [*employee["managerChain"], employee_id])

    return await _apply(context, store, OrgChange.DEPARTMENT_CHANGED, step)


async def terminate_employee(context: Context, employee_id: str, note: str | None) -> Outcome:
    """Idempotent: terminating someone already terminated finishes any re-parenting left undone.
    ``extra["moved"]``: the reports moved to the terminated person's manager, by name."""
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    viewer, store = signed_in.viewer, signed_in.store

    async def step() -> Outcome | Applied:
        errors = check_text(note, "note")
        employee = await referenced(context, "employee", employee_id, "employeeId", errors, fresh=True)
        if employee is not None and employee_id == viewer.employee_id:
            errors.append(FieldError("employeeId", ErrorCode.INVALID, "you cannot terminate yourself"))
        if errors or employee is None:
            return Outcome(errors=errors)
        moved = await org_store.terminate(store, employee, viewer.employee_id, clock.now(), note)
        moved_docs = await store.employees.find({"_id": {"$in": moved}}, sort=[("name", 1), ("_id", 1)])
        outcome = Outcome(await store.employees.get(employee_id), extra={"moved": moved_docs})
        return Applied(outcome, [employee_id, *moved], [*employee["managerChain"], employee_id])

    return await _apply(context, store, OrgChange.EMPLOYEE_TERMINATED, step)


async def _save_target(context: Context, kind: OrgKind, id: str | None, data: dict[str, Any],
                       name_field: str) -> tuple[Document | None, list[FieldError]]:
    """For a create-or-update, inside its step: the document to update (``None``: create) and the errors
    so far (an unknown ``id`` alone, else those of the name, required on create)."""
    errors: list[FieldError] = []
    current = await referenced(context, kind, id or None, "id", errors, fresh=True)
    if not errors and (id is None or name_field in data):
        errors += check_name(data.get(name_field), name_field)
    return current, errors


async def _insert_or_update(store: TenantStore, kind: str, current: Document | None, defaults: Document,
                            fields: Document) -> Document:
    collection = getattr(store, kind)
    if current is None:
        return await collection.insert({"_id": new_id(), **defaults, **fields})
    await collection.update(current["_id"], fields)
    return {**current, **fields}


async def save_department(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    """The cycle check walks the parentId links as the transaction reads them (see :func:`change_manager`)."""
    store = (await require_role(context, can_manage_org, ONLY_HR_ADMINS)).store

    async def step() -> Outcome | Applied:
        current, errors = await _save_target(context, "department", id, data, "name")
        if id and current is None:
            return Outcome(errors=errors)
        parent = await referenced(context, "department", data.get("parent_id"), "parentId", errors, fresh=True)
        await referenced(context, "employee", data.get("head_id"), "headId", errors, active=True, fresh=True)
        if id and parent is not None and department_would_cycle(id, parent, await org_store.department_parents(store)):
            errors.append(FieldError("parentId", ErrorCode.CYCLE, "a department cannot sit inside itself"))
        if errors:
            return Outcome(errors=errors)
        fields = {doc_key: (data[key].strip() if key == "name" else data[key])
                  for key, doc_key in (("name", "name"), ("parent_id", "parentId"), ("head_id", "headId"))
                  if key in data}
        doc = await _insert_or_update(store, "departments", current,
                                      {"parentId": None, "headId": None, "cadence": "weekly"}, fields)
        return Applied(Outcome(doc), [], None)

    return await _apply(context, store, OrgChange.DEPARTMENT_SAVED, step)


def _position_errors(data: dict[str, Any]) -> list[FieldError]:
    errors = []
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
    return errors


async def save_position(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    store = (await require_role(context, can_manage_org, ONLY_HR_ADMINS)).store

    async def step() -> Outcome | Applied:
        current, errors = await _save_target(context, "position", id, data, "title")
        if id and current is None:
            return Outcome(errors=errors)
        errors += _position_errors(data)
        await referenced(context, "department", data.get("department_id"), "departmentId", errors, fresh=True)
        if errors:
            return Outcome(errors=errors)
        keys = (("title", "title"), ("description", "description"), ("responsibilities", "responsibilities"),
                ("level", "level"), ("department_id", "departmentId"))
        fields = {doc_key: data[key] for key, doc_key in keys if key in data}
        if "title" in fields:
            fields["title"] = fields["title"].strip()
        doc = await _insert_or_update(store, "positions", current, {"description": "", "responsibilities": [],
                                                                    "level": 1, "departmentId": None}, fields)
        return Applied(Outcome(doc), [], None)

    return await _apply(context, store, OrgChange.POSITION_SAVED, step)
