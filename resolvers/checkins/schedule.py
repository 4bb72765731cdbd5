"""Scheduling: starting a series, overriding its cadence, and closing an occurrence (which schedules
the next one from the cadence in force at that moment).

No transactions: each change is a sequence of idempotent steps (deterministic ids for series and
occurrences), so running the same mutation again after a failure part-way completes it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from models.checkins.permissions import can_set_series_cadence, can_start_check_in_series
from models.checkins.rules import (
    Cadence,
    CheckInChange,
    CheckInStatus,
    day,
    new_occurrence,
    next_scheduled_on,
    series_id_for,
)
from models.core import clock
from models.core.errors import ErrorCode, FieldError
from models.org.rules import EmployeeStatus
from resolvers.checkins.common import changed, editable, not_found, refuse_unless, scheduling_terms
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.org import access as org_access
from store.checkins import repository as check_in_store

MAX_LEAD_DAYS = 366


async def start_series(context: Context, employee_id: str, first_on: date | None,
                       cadence: Cadence | None) -> Outcome:
    """A series between someone and their current manager; it ends their series with earlier managers."""
    signed_in = await require(context)
    store = signed_in.store
    employee = await org_access.employee(context, employee_id)
    if employee is None:
        return Outcome(errors=[not_found("employeeId", "employee", employee_id)])
    if not can_start_check_in_series(signed_in.viewer, employee):
        raise Forbidden("only the employee's manager or an HR admin may start their check-ins")
    errors: list[FieldError] = []
    if employee["status"] == EmployeeStatus.TERMINATED.value:
        errors.append(FieldError("employeeId", ErrorCode.INACTIVE, f"{employee['name']} has left the organisation"))
    elif not employee.get("managerId"):
        errors.append(FieldError("employeeId", ErrorCode.INVALID, f"{employee['name']} has no manager"))
    today = clock.today()
    first_on = first_on or today
    if abs((first_on - today).days) > MAX_LEAD_DAYS:
        errors.append(FieldError("firstOn", ErrorCode.INVALID, "firstOn must lie within a year of today"))
    if errors:
        return Outcome(errors=errors)
    series_id = series_id_for(store.organization_id, employee_id, employee["managerId"])
    existing = await store.checkInSeries.get(series_id)
    last = await check_in_store.last_check_in(store, series_id) if existing else None
    if existing and existing["active"] and last and last["status"] == CheckInStatus.SCHEDULED.value:
        return Outcome.refused("employeeId", ErrorCode.DUPLICATE,
                               f"{employee['name']} already has a check-in series with their manager")
    at = clock.now()
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
        terms = await scheduling_terms(context, series)
        await check_in_store.insert_check_in(store, new_occurrence(series, sequence, first_on, *terms, at))
        await store.checkInSeries.update(series_id, {"currentSequence": sequence})
    # 3. the employee's series with earlier managers end
    others = await store.checkInSeries.find({"employeeId": employee_id, "active": True, "_id": {"$ne": series_id}},
                                            projection={"_id": 1})
    await check_in_store.end_series(store, [d["_id"] for d in others], at)
    context.fresh_loaders()
    return Outcome(await store.checkInSeries.get(series_id))


async def set_series_cadence(context: Context, series_id: str, cadence: Cadence | None) -> Outcome:
    """Override (or, with null, stop overriding) the department's cadence for one series."""
    signed_in = await require(context)
    series = await signed_in.store.checkInSeries.get(series_id)
    if series is None:
        return Outcome(errors=[not_found("seriesId", "check-in series", series_id)])
    await refuse_unless(context, series, can_set_series_cadence(signed_in.viewer, series),
                        "only the series' manager or an HR admin may change its cadence")
    await signed_in.store.checkInSeries.update(series_id, {"cadence": cadence.value if cadence else None})
    context.fresh_loaders()
    return Outcome({**series, "cadence": cadence.value if cadence else None})


async def close_check_in(context: Context, check_in_id: str, status: CheckInStatus,
                         held_on: date | None = None) -> Outcome:
    """Complete or skip the scheduled occurrence and schedule the next one.

    1. insert the next occurrence (its id derives from series and sequence: a retry cannot add a
       second), dated one period of the cadence in force now after this one's date;
    2. close this one (only while still scheduled);
    3. move the series on (current sequence, last held date).
    Closing an occurrence already closed the same way just completes steps 1 and 3.
    """
    errors: list[FieldError] = []
    signed_in, doc = await editable(context, check_in_id, errors, open_only=False)
    if doc is None:
        return Outcome(errors=errors)
    store, today = signed_in.store, clock.today()
    series = await store.checkInSeries.get(doc["seriesId"])
    retry = doc["status"] == status.value
    if not retry and doc["status"] != CheckInStatus.SCHEDULED.value:
        errors.append(FieldError("checkInId", ErrorCode.INVALID_TRANSITION, f"this check-in was {doc['status']}"))
    elif series is None or not series["active"]:
        errors.append(FieldError("checkInId", ErrorCode.INACTIVE, "this check-in series has ended"))
    if status is CheckInStatus.COMPLETED:
        held_on = day(doc["heldOn"]) if retry and doc.get("heldOn") else held_on or today
        if held_on > today:
            errors.append(FieldError("heldOn", ErrorCode.INVALID, "heldOn must not be in the future"))
        elif series and series.get("lastHeldOn") and held_on < day(series["lastHeldOn"]) and not retry:
            errors.append(FieldError("heldOn", ErrorCode.INVALID,
                                     f"heldOn is before the series' last check-in ({series['lastHeldOn']})"))
    if errors or series is None:
        return Outcome(errors=errors)
    at = clock.now()
    closed_on = held_on or today
    cadence, department_id, template = await scheduling_terms(context, series)
    following = next_scheduled_on(day(doc["scheduledOn"]), closed_on, cadence)
    await check_in_store.insert_check_in(
        store, new_occurrence(series, doc["sequence"] + 1, following, cadence, department_id, template, at))
    if not retry:
        changes: dict[str, Any] = {"status": status.value, "closedById": signed_in.viewer.employee_id,
                                   "updatedAt": at}
        if held_on is not None:
            changes["heldOn"] = held_on.isoformat()
        await store.checkIns.update(check_in_id, changes, where={"status": CheckInStatus.SCHEDULED.value})
    series_changes: dict[str, Any] = {"currentSequence": max(series["currentSequence"], doc["sequence"] + 1)}
    if held_on is not None and (series.get("lastHeldOn") or "") < held_on.isoformat():
        series_changes["lastHeldOn"] = held_on.isoformat()
    await store.checkInSeries.update(series["_id"], series_changes)
    kind = CheckInChange.COMPLETED if status is CheckInStatus.COMPLETED else CheckInChange.SKIPPED
    return Outcome(await changed(signed_in, check_in_id, kind))
