"""Scheduling: starting a series, overriding its cadence, and closing an occurrence (which schedules
the next one from the cadence in force at that moment).

No transactions: each change is a sequence of idempotent steps (deterministic ids for series and
occurrences), so running the same mutation again after a failure part-way completes it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from models.checkins.permissions import can_read_check_in, can_set_series_cadence, can_start_check_in_series
from models.checkins.rules import (
    Cadence,
    CheckInChange,
    CheckInStatus,
    day,
    effective_cadence,
    new_occurrence,
    next_scheduled_on,
    series_id_for,
)
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.org.rules import EmployeeStatus
from resolvers.checkins.mutations import CheckInOutcome, editable, not_found, now
from resolvers.checkins.queries import publish_change, signed_in, today
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from store.checkins import repository as check_in_store
from store.core.repository import TenantStore
from store.loaders import Loaders

MAX_LEAD_DAYS = 366


async def scheduling_terms(store: TenantStore, series: Document) -> tuple[Cadence, str | None, Document | None]:
    """Cadence, department and template in force now for the series' next occurrence."""
    employee = await store.employees.get(series["employeeId"], {"departmentId": 1})
    department_id = employee.get("departmentId") if employee else None
    department = await store.departments.get(department_id) if department_id else None
    template = None
    if department is not None and department.get("checkInTemplateId"):
        template = await store.checkInTemplates.get(department["checkInTemplateId"])
    if template is None:
        template = await check_in_store.default_template(store)
    return effective_cadence(series, department), department_id, template


async def start_series(context: Context, employee_id: str, first_on: date | None,
                       cadence: Cadence | None) -> CheckInOutcome:
    """A series between someone and their current manager; it ends their series with earlier managers."""
    viewer, store, _ = await signed_in(context)
    employee = await store.employees.get(employee_id)
    if employee is None:
        return CheckInOutcome(errors=[not_found("employeeId", "employee", employee_id)])
    if not can_start_check_in_series(viewer, employee):
        raise Forbidden("only the employee's manager or an HR admin may start their check-ins")
    errors: list[FieldError] = []
    if employee["status"] == EmployeeStatus.TERMINATED.value:
        errors.append(FieldError("employeeId", ErrorCode.INACTIVE, f"{employee['name']} has left the organisation"))
    elif not employee.get("managerId"):
        errors.append(FieldError("employeeId", ErrorCode.INVALID, f"{employee['name']} has no manager"))
    first_on = first_on or today()
    if abs((first_on - today()).days) > MAX_LEAD_DAYS:
        errors.append(FieldError("firstOn", ErrorCode.INVALID, "firstOn must lie within a year of today"))
    if errors:
        return CheckInOutcome(errors=errors)
    series_id = series_id_for(store.organization_id, employee_id, employee["managerId"])
    existing = await store.checkInSeries.get(series_id)
    last = await check_in_store.last_check_in(store, series_id) if existing else None
    if existing and existing["active"] and last and last["status"] == CheckInStatus.SCHEDULED.value:
        return CheckInOutcome(errors=[FieldError("employeeId", ErrorCode.DUPLICATE,
                                                 f"{employee['name']} already has a check-in series with their "
                                                 "manager")])
    at = now()
    # 1. the series (the pair's earlier one, re-activated, if they met before)
    series = await check_in_store.insert_series(store, {
        "_id": series_id, "employeeId": employee_id, "managerId": employee["managerId"],
        "cadence": cadence.value if cadence else None, "startedOn": first_on.isoformat(), "active": True,
        "currentSequence": 1, "lastHeldOn": None, "createdAt": at})
    if existing is not None and cadence is not None:
        await store.checkInSeries.update(series_id, {"cadence": cadence.value})
        series["cadence"] = cadence.value
    # 2. its first (or next) occurrence, unless an interrupted attempt already scheduled it
    if last is None or last["status"] != CheckInStatus.SCHEDULED.value:
        sequence = last["sequence"] + 1 if last else 1
        terms = await scheduling_terms(store, series)
        await check_in_store.insert_check_in(store, new_occurrence(series, sequence, first_on, *terms, at))
        await store.checkInSeries.update(series_id, {"currentSequence": sequence})
    # 3. the employee's series with earlier managers end
    others = await store.checkInSeries.find({"employeeId": employee_id, "active": True, "_id": {"$ne": series_id}},
                                            projection={"_id": 1})
    await check_in_store.end_series(store, [d["_id"] for d in others], at)
    context.loaders = Loaders(store)
    return CheckInOutcome(series=await store.checkInSeries.get(series_id))


async def set_series_cadence(context: Context, series_id: str, cadence: Cadence | None) -> CheckInOutcome:
    """Override (or, with null, stop overriding) the department's cadence for one series."""
    viewer, store, loaders = await signed_in(context)
    series = await store.checkInSeries.get(series_id)
    if series is None:
        return CheckInOutcome(errors=[not_found("seriesId", "check-in series", series_id)])
    if not can_set_series_cadence(viewer, series):
        employee = await loaders.employee_by_id.load(series["employeeId"])
        raise Forbidden("only the series' manager or an HR admin may change its cadence"
                        if can_read_check_in(viewer, series, employee)
                        else "check-ins are visible to their participants, the employee's managers and HR admins")
    await store.checkInSeries.update(series_id, {"cadence": cadence.value if cadence else None})
    context.loaders = Loaders(store)
    return CheckInOutcome(series={**series, "cadence": cadence.value if cadence else None})


async def close_check_in(context: Context, check_in_id: str, status: CheckInStatus,
                         held_on: date | None = None) -> CheckInOutcome:
    """Complete or skip the scheduled occurrence and schedule the next one.

    1. insert the next occurrence (its id derives from series and sequence: a retry cannot add a
       second), dated one period of the cadence in force now after this one's date;
    2. close this one (only while still scheduled);
    3. move the series on (current sequence, last held date).
    Closing an occurrence already closed the same way just completes steps 1 and 3.
    """
    errors: list[FieldError] = []
    viewer, store, doc = await editable(context, check_in_id, errors, open_only=False)
    if doc is None:
        return CheckInOutcome(errors=errors)
    series = await store.checkInSeries.get(doc["seriesId"])
    retry = doc["status"] == status.value
    if not retry and doc["status"] != CheckInStatus.SCHEDULED.value:
        errors.append(FieldError("checkInId", ErrorCode.INVALID_TRANSITION, f"this check-in was {doc['status']}"))
    elif series is None or not series["active"]:
        errors.append(FieldError("checkInId", ErrorCode.INACTIVE, "this check-in series has ended"))
    if status is CheckInStatus.COMPLETED:
        held_on = day(doc["heldOn"]) if retry and doc.get("heldOn") else held_on or today()
        if held_on > today():
            errors.append(FieldError("heldOn", ErrorCode.INVALID, "heldOn must not be in the future"))
        elif series and series.get("lastHeldOn") and held_on < day(series["lastHeldOn"]) and not retry:
            errors.append(FieldError("heldOn", ErrorCode.INVALID,
                                     f"heldOn is before the series' last check-in ({series['lastHeldOn']})"))
    if errors or series is None:
        return CheckInOutcome(errors=errors)
    at = now()
    closed_on = held_on or today()
    cadence, department_id, template = await scheduling_terms(store, series)
    following = next_scheduled_on(day(doc["scheduledOn"]), closed_on, cadence)
    await check_in_store.insert_check_in(
        store, new_occurrence(series, doc["sequence"] + 1, following, cadence, department_id, template, at))
    if not retry:
        changes: dict[str, Any] = {"status": status.value, "closedById": viewer.employee_id, "updatedAt": at}
        if held_on is not None:
            changes["heldOn"] = held_on.isoformat()
        await store.checkIns.update(check_in_id, changes, where={"status": CheckInStatus.SCHEDULED.value})
    series_changes: dict[str, Any] = {"currentSequence": max(series["currentSequence"], doc["sequence"] + 1)}
    if held_on is not None and (series.get("lastHeldOn") or "") < held_on.isoformat():
        series_changes["lastHeldOn"] = held_on.isoformat()
    await store.checkInSeries.update(series["_id"], series_changes)
    kind = CheckInChange.COMPLETED if status is CheckInStatus.COMPLETED else CheckInChange.SKIPPED
    await publish_change(context, store, check_in_id, kind, viewer.employee_id)
    return CheckInOutcome(await store.checkIns.get(check_in_id))
