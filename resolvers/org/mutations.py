"""Organisation mutations (HR admins): each one transaction that checks against what it reads in the
transaction, writes nothing on a refusal, and publishes its event after the commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name, check_text
from models.core.viewer import Role
from models.org.permissions import can_manage_org, role_change_errors
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
from resolvers.core.context import Context, SignedIn, require_role
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.org.departures import AfterCommit, run_departure_steps
from resolvers.org.references import OrgKind, referenced
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
    after: list[AfterCommit] = field(default_factory=list)  # the departure steps' events, after the commit
    written: list[str] | None = None  # the people whose documents it wrote (None: ``employee_ids``), for the roster


class Keep(Enum):
    """What :func:`sync_employee` takes for a reporting line or department to leave as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP
Within = Callable[[Document], Awaitable[None]]


def references_of(doc: Document | None, employee_ids: list[str]) -> dict[str, list[str]]:
    """The position and department of the person a change wrote, as written (``doc``, when it is one of the
    people the event names): an org-chart event carries them so that receivers read them beside the people
    (``resolvers.org.access.changed_employees``). A hint, never the truth: the receivers' reads decide."""
    if doc is None or doc.get("_id") not in employee_ids:
        return {}
    return {"positionIds": [doc["positionId"]] if doc.get("positionId") else [],
            "departmentIds": [doc["departmentId"]] if doc.get("departmentId") else []}


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
        return result, await org_store.bump_version(store, _written([result])) if isinstance(result, Applied) else 0

    result, version = await store.transaction(attempt)
    if not isinstance(result, Applied):
        return result
    message = {"kind": kind.value, "employeeIds": result.employee_ids, "scope": result.scope, "version": version,
               "references": references_of(result.outcome.document, result.employee_ids)}
    await publish_after_commit(context, org_chart_channel(store.organization_id), message)
    for then in result.after:
        await then()
    return result.outcome


def _written(done: list[Applied]) -> list[str]:
    """The people the steps ``done`` wrote, each once: what the roster patch re-reads (store/org/repository.py)."""
    return list(dict.fromkeys(id for applied in done
                              for id in (applied.employee_ids if applied.written is None else applied.written)))


async def _email_errors(store: TenantStore, email: str, exclude: str | None = None) -> list[FieldError]:
    errors = check_email(email)
    if not errors:
        other = await store.employees.find({"email": normalize_email(email)}, limit=1, projection={"_id": 1})
        if other and other[0]["_id"] != exclude:
            errors.append(FieldError("email", ErrorCode.DUPLICATE, f"{normalize_email(email)} is already in use"))
    return errors


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _status_errors(status: EmployeeStatus | None) -> list[FieldError]:
    if status is None:
        return [FieldError("status", ErrorCode.REQUIRED, "status must not be null")]
    if status == EmployeeStatus.TERMINATED:
        return [FieldError("status", ErrorCode.INVALID, "use terminateEmployee to terminate someone")]
    return []


async def create_employee(context: Context, data: dict[str, Any]) -> Outcome:
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    try:
        return await _apply(context, signed_in.store, OrgChange.EMPLOYEE_CREATED,
                            lambda: _create_step(context, signed_in, data))
    except Duplicate:
        return Outcome.refused("email", ErrorCode.DUPLICATE, f"{normalize_email(data['email'])} is already in use")


async def _create_step(context: Context, signed_in: SignedIn, data: dict[str, Any]) -> Outcome | Applied:
    store = signed_in.store
    errors = [*check_name(data.get("name"), "name"), *check_hire_date(data.get("hire_date"), clock.today()),
              *_status_errors(data.get("status") or EmployeeStatus.ACTIVE)]
    errors += await _email_errors(store, data.get("email") or "") if data.get("email") else check_email(None)
    manager = await referenced(context, "employee", data.get("manager_id"), "managerId", errors, active=True,
                               fresh=True)
    await referenced(context, "employee", data.get("mentor_id"), "mentorId", errors, active=True, fresh=True)
    await referenced(context, "position", data.get("position_id"), "positionId", errors, fresh=True)
    await referenced(context, "department", data.get("department_id"), "departmentId", errors, fresh=True)
    errors += role_change_errors(signed_in.viewer, [], [r.value for r in data.get("roles") or []])
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


async def update_employee(context: Context, id: str, data: dict[str, Any]) -> Outcome:
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    try:
        return await _apply(context, signed_in.store, OrgChange.EMPLOYEE_UPDATED,
                            lambda: _update_step(context, signed_in, id, data))
    except Duplicate:
        return Outcome.refused("email", ErrorCode.DUPLICATE, f"{normalize_email(data['email'])} is already in use")


async def _update_step(context: Context, signed_in: SignedIn, id: str, data: dict[str, Any]) -> Outcome | Applied:
    store = signed_in.store
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
    if data.get("end_date") is not None and data["end_date"] <= clock.today():
        errors.append(FieldError("endDate", ErrorCode.INVALID,
                                 "endDate must lie in the future (terminate someone leaving today)"))
    if data.get("mentor_id") == id:
        errors.append(FieldError("mentorId", ErrorCode.INVALID, "nobody can mentor themselves"))
    await referenced(context, "employee", data.get("mentor_id"), "mentorId", errors, active=True, fresh=True)
    await referenced(context, "position", data.get("position_id"), "positionId", errors, fresh=True)
    if "roles" in data:
        errors += role_change_errors(signed_in.viewer, employee.get("roles", []),
                                     [r.value for r in data["roles"] or []])
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
    after: list[AfterCommit] = []
    if "end_date" in data and _iso(data["end_date"]) != employee.get("endDate"):
        changes["endDate"] = _iso(data["end_date"])
        after = await run_departure_steps(context, {**employee, **changes}, data["end_date"])
    push: dict[str, Any] = {}
    if "status" in data and data["status"].value != employee["status"]:
        changes["status"] = data["status"].value
        push["statusHistory"] = status_entry(data["status"], now, signed_in.viewer.employee_id)
    if "positionId" in changes and changes["positionId"] != employee.get("positionId"):
        # the previous position is kept, as a promotion applied through ``change_position`` keeps it
        push["positionHistory"] = {"positionId": employee.get("positionId"), "until": now, "why": "updateEmployee",
                                   "byId": signed_in.viewer.employee_id}
    await store.employees.update(id, changes, push=push or None)
    return Applied(Outcome(await store.employees.get(id)), [id], [*employee["managerChain"], id], after)


async def change_manager(context: Context, employee_id: str, manager_id: str | None) -> Outcome:
    """The cycle check walks the managerId links as the transaction reads them: a concurrent move that
    would close a loop with this one conflicts with it, and this one, retried, sees it and refuses."""
    store = (await require_role(context, can_manage_org, ONLY_HR_ADMINS)).store
    return await _apply(context, store, OrgChange.MANAGER_CHANGED,
                        lambda: _manager_step(context, store, employee_id, manager_id))


async def _manager_step(context: Context, store: TenantStore, employee_id: str,
                        manager_id: str | None) -> Outcome | Applied:
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
    updated, written = await org_store.set_manager(store, employee, manager, clock.now())
    scope = sorted({*employee["managerChain"], *updated["managerChain"], employee_id})
    return Applied(Outcome(updated), [employee_id], scope, written=written)


async def move_department(context: Context, employee_id: str, department_id: str) -> Outcome:
    store = (await require_role(context, can_manage_org, ONLY_HR_ADMINS)).store
    return await _apply(context, store, OrgChange.DEPARTMENT_CHANGED,
                        lambda: _department_step(context, store, employee_id, department_id))


async def _department_step(context: Context, store: TenantStore, employee_id: str,
                           department_id: str | None) -> Outcome | Applied:
    errors: list[FieldError] = []
    employee = await referenced(context, "employee", employee_id, "employeeId", errors, active=True, fresh=True)
    await referenced(context, "department", department_id, "departmentId", errors, fresh=True)
    if errors or employee is None:
        return Outcome(errors=errors)
    await store.employees.update(employee_id, {"departmentId": department_id, "updatedAt": clock.now()})
    return Applied(Outcome({**employee, "departmentId": department_id}), [employee_id],
                   [*employee["managerChain"], employee_id])


async def terminate_employee(context: Context, employee_id: str, note: str | None) -> Outcome:
    """Idempotent: terminating someone already terminated finishes any re-parenting left undone.
    ``extra["moved"]``: the reports moved to the terminated person's manager, by name."""
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    return await _apply(context, signed_in.store, OrgChange.EMPLOYEE_TERMINATED,
                        lambda: _terminate_step(context, signed_in, employee_id, note))


async def _terminate_step(context: Context, signed_in: SignedIn, employee_id: str,
                          note: str | None) -> Outcome | Applied:
    viewer, store = signed_in.viewer, signed_in.store
    errors = check_text(note, "note")
    employee = await referenced(context, "employee", employee_id, "employeeId", errors, fresh=True)
    if employee is not None and employee_id == viewer.employee_id:
        errors.append(FieldError("employeeId", ErrorCode.INVALID, "you cannot terminate yourself"))
    if errors or employee is None:
        return Outcome(errors=errors)
    moved, written = await org_store.terminate(store, employee, viewer.employee_id, clock.now(), note)
    after = await run_departure_steps(context, {**employee, "status": EmployeeStatus.TERMINATED.value},
                                      clock.today())
    moved_docs = await store.employees.find({"_id": {"$in": moved}}, sort=[("name", 1), ("_id", 1)])
    outcome = Outcome(await store.employees.get(employee_id), extra={"moved": moved_docs})
    return Applied(outcome, [employee_id, *moved], [*employee["managerChain"], employee_id], after, written)


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


async def save_department(context: Context, id: str | None, data: dict[str, Any], *,
                          within: Within | None = None) -> Outcome:
    """The cycle check walks the parentId links as the transaction reads them (see :func:`change_manager`).
    ``within(department)`` runs after the write, in the same transaction (a caller's own write)."""
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
        if within is not None:
            await within(doc)
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


async def save_position(context: Context, id: str | None, data: dict[str, Any], *,
                        within: Within | None = None) -> Outcome:
    """``within(position)`` runs after the write, in the same transaction (a caller's own write)."""
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
        if within is not None:
            await within(doc)
        return Applied(Outcome(doc), [], None)

    return await _apply(context, store, OrgChange.POSITION_SAVED, step)


class _Refusal(Exception):
    """Raised inside :func:`sync_employee`'s transaction to abort it whole: a later check refused."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("refused")
        self.outcome = outcome


async def sync_employee(context: Context, id: str | None, data: dict[str, Any], *,
                        manager_id: str | Keep | None = KEEP, department_id: str | Keep | None = KEEP,
                        leave: bool = False, within: Within | None = None) -> Outcome:
    """Create (``id`` ``None``) or change one person in ONE transaction, with the checks of
    ``createEmployee``/``updateEmployee``, ``changeManager``, ``moveDepartment`` and, with ``leave``,
    ``terminateEmployee`` (re-parenting the reports); ``within(person)`` runs last inside the same
    transaction. Any refusal aborts the whole transaction: nothing is written. Each change made publishes
    its org-chart event after the commit. ``extra["changed"]``: whether the org chart changed."""
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    store = signed_in.store

    async def attempt() -> tuple[Document, list[tuple[OrgChange, Applied]], int]:
        done: list[tuple[OrgChange, Applied]] = []

        def kept(result: Outcome | Applied, kind: OrgChange) -> Document:
            if not isinstance(result, Applied):
                raise _Refusal(result)
            done.append((kind, result))
            return result.outcome.document or {}

        if id is None:
            fields = dict(data)
            if manager_id is not KEEP:
                fields["manager_id"] = manager_id
            if department_id is not KEEP:
                fields["department_id"] = department_id
            person = kept(await _create_step(context, signed_in, fields), OrgChange.EMPLOYEE_CREATED)
        else:
            errors: list[FieldError] = []
            found = await referenced(context, "employee", id, "id", errors, fresh=True)
            if found is None:
                raise _Refusal(Outcome(errors=errors))
            person = found
            if data:
                person = kept(await _update_step(context, signed_in, id, data), OrgChange.EMPLOYEE_UPDATED)
            if manager_id is not KEEP and manager_id != person.get("managerId"):
                person = kept(await _manager_step(context, store, id, manager_id), OrgChange.MANAGER_CHANGED)
            if department_id is not KEEP and department_id != person.get("departmentId"):
                person = kept(await _department_step(context, store, id, department_id), OrgChange.DEPARTMENT_CHANGED)
        if leave and person.get("status") != EmployeeStatus.TERMINATED.value:
            kept(await _terminate_step(context, signed_in, person["_id"], None), OrgChange.EMPLOYEE_TERMINATED)
        current = await store.employees.get(person["_id"]) or person
        if within is not None:
            await within(current)
        for kind, applied in done:
            store.record_event(WEBHOOK_EVENTS[kind], {"employeeIds": applied.employee_ids})
        return current, done, await org_store.bump_version(store, _written([a for _, a in done])) if done else 0

    try:
        person, done, version = await store.transaction(attempt)
    except _Refusal as refusal:
        return refusal.outcome
    except Duplicate:
        return Outcome.refused("email", ErrorCode.DUPLICATE, f"{normalize_email(data.get('email') or '')} is already "
                               "in use")
    for kind, applied in done:
        message = {"kind": kind.value, "employeeIds": applied.employee_ids, "scope": applied.scope, "version": version}
        await publish_after_commit(context, org_chart_channel(store.organization_id), message)
    for _, applied in done:
        for then in applied.after:
            await then()
    return Outcome(person, extra={"changed": bool(done)})


async def move_departments(context: Context, moves: dict[str, str | None]) -> Outcome:
    """Move several people (id → department id, ``None``: no department) in ONE transaction, each with
    ``moveDepartment``'s checks; any refusal writes nothing. ``extra["moved"]``: the ids moved."""
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    store = signed_in.store

    async def attempt() -> tuple[list[Applied], int]:
        done = []
        for employee_id, department_id in moves.items():
            result = await _department_step(context, store, employee_id, department_id)
            if not isinstance(result, Applied):
                raise _Refusal(result)
            done.append(result)
        return done, await org_store.bump_version(store, _written(done)) if done else 0

    try:
        done, version = await store.transaction(attempt)
    except _Refusal as refusal:
        return refusal.outcome
    for applied in done:
        message = {"kind": OrgChange.DEPARTMENT_CHANGED.value, "employeeIds": applied.employee_ids,
                   "scope": applied.scope, "version": version}
        await publish_after_commit(context, org_chart_channel(store.organization_id), message)
    return Outcome({}, extra={"moved": list(moves)})


BulkWithin = Callable[[list[Document]], Awaitable[None]]


async def create_employees(context: Context, items: list[dict[str, Any]], within: BulkWithin | None = None) -> Outcome:
    """Create many people in ONE transaction (a bulk import), with ``createEmployee``'s checks made in a
    few reads whatever their number: each item has ``_id`` (chosen by the caller, so items may name each
    other), ``name``, ``email``, ``hire_date``, and optionally ``manager_id`` (someone who exists, or an
    earlier item), ``department_id`` and ``position_id``. ``within(created)`` runs in the same transaction.
    Any refusal writes nothing (the caller may then create the items one by one to learn which). One
    org-chart event for the whole organisation follows the commit. ``extra["created"]``: the documents."""
    signed_in = await require_role(context, can_manage_org, ONLY_HR_ADMINS)
    store = signed_in.store

    async def attempt() -> tuple[list[Document], int]:
        errors: list[FieldError] = []
        ids = [item["_id"] for item in items]
        emails = [normalize_email(item.get("email") or "") for item in items]
        for item in items:
            errors += check_name(item.get("name"), "name") + check_hire_date(item.get("hire_date"), clock.today())
            errors += check_email(item.get("email"))
        if len(set(emails)) != len(emails) or len(set(ids)) != len(ids):
            errors.append(FieldError("email", ErrorCode.DUPLICATE, "two people of the batch have one email or id"))
        if await store.employees.find({"email": {"$in": emails}}, limit=1, projection={"_id": 1}):
            errors.append(FieldError("email", ErrorCode.DUPLICATE, "an email of the batch is already in use"))
        outside = sorted({item["manager_id"] for item in items if item.get("manager_id")} - set(ids))
        managers = {d["_id"]: d for d in await store.employees.by_ids(outside)}
        if any(managers.get(id, {}).get("status", EmployeeStatus.TERMINATED.value) == EmployeeStatus.TERMINATED.value
               for id in outside):
            errors.append(FieldError("managerId", ErrorCode.NOT_FOUND, "a manager is unknown or has left"))
        for kind, key in (("departments", "department_id"), ("positions", "position_id")):
            wanted = sorted({item[key] for item in items if item.get(key)})
            if len(await getattr(store, kind).by_ids(wanted, projection={"_id": 1})) != len(wanted):
                errors.append(FieldError(key, ErrorCode.NOT_FOUND, f"a {kind[:-1]} is unknown"))
        if errors:
            raise _Refusal(Outcome(errors=errors))
        now, chains, docs = clock.now(), {}, []
        for item in items:
            manager_id = item.get("manager_id") or None
            if manager_id is None:
                chain: list[str] = []
            elif manager_id in chains:
                chain = [*chains[manager_id], manager_id]
            elif manager_id in managers:
                chain = chain_of(managers[manager_id])
            else:  # an item of the batch, but after this one
                raise _Refusal(Outcome.refused("managerId", ErrorCode.INVALID, "a manager comes after their report"))
            chains[item["_id"]] = chain
            docs.append({
                "_id": item["_id"], "name": item["name"].strip(), "email": normalize_email(item["email"]),
                "positionId": item.get("position_id"), "departmentId": item.get("department_id"),
                "managerId": manager_id, "managerChain": chain, "mentorId": None,
                "hireDate": item["hire_date"].isoformat(), "status": EmployeeStatus.ACTIVE.value,
                "statusHistory": [status_entry(EmployeeStatus.ACTIVE, now, signed_in.viewer.employee_id)],
                "roles": [Role.EMPLOYEE.value], "createdAt": now, "updatedAt": now})
        await store.employees.insert_all(docs)
        if within is not None:
            await within(docs)
        store.record_event(WEBHOOK_EVENTS[OrgChange.EMPLOYEE_CREATED], {"employeeIds": [d["_id"] for d in docs]})
        return docs, await org_store.bump_version(store, [d["_id"] for d in docs])

    if not items:
        return Outcome({}, extra={"created": []})
    try:
        docs, version = await store.transaction(attempt)
    except _Refusal as refusal:
        return refusal.outcome
    except Duplicate:
        return Outcome.refused("email", ErrorCode.DUPLICATE, "an email of the batch is already in use")
    message = {"kind": OrgChange.EMPLOYEE_CREATED.value, "employeeIds": [d["_id"] for d in docs][:100],
               "scope": None, "version": version}
    await publish_after_commit(context, org_chart_channel(store.organization_id), message)
    return Outcome({}, extra={"created": docs})
