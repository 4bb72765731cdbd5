"""Scheduling: starting a series, overriding its cadence, and closing an occurrence (which schedules
the next one from the cadence in force at that moment).

Each multi-document change is one transaction (``store.transaction``): closing an occurrence with
scheduling the next one and moving the series on; starting a series with its first occurrence and
ending the employee's earlier series. The documents are read again inside it, so a concurrent change
is either seen or makes the transaction retry; ids stay deterministic, so repeating a change creates
nothing twice. What the next occurrence is scheduled with (department, template) is read before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models.checkins.permissions import can_set_series_cadence, can_start_check_in_series
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
from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.org.rules import EmployeeStatus
from resolvers.checkins.access import editable, not_found, refuse_unless
from resolvers.checkins.channels import changed
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.org import access as org_access
from store.checkins import repository as check_in_store

MAX_LEAD_DAYS = 366
SCHEDULED = CheckInStatus.SCHEDULED.value


async def department_of(context: Context, employee_id: str) -> tuple[str | None, Document | None]:
    """The id and the document of the department the employee is in now."""
    loaders = (await require(context)).loaders
    employee = await loaders.employee_by_id.load(employee_id)
    department_id = employee.get("departmentId") if employee else None
    return department_id, await loaders.department_by_id.load(department_id) if department_id else None


@dataclass(frozen=True)
class Terms:
    """What a series' next occurrence is scheduled with: the employee's department now and the template
    in force for it (read before a transaction; the cadence then comes from the series read inside it)."""

    department_id: str | None
    department: Document | None
    template: Document | None

    def occurrence(self, series: Document, sequence: int, on: date, at: Any) -> Document:
        """The occurrence ``sequence`` of ``series``, scheduled on ``on``."""
        return new_occurrence(series, sequence, on, effective_cadence(series, self.department), self.department_id,
                              self.template, at)

    def following(self, series: Document, closing: Document, closed_on: date, at: Any) -> Document:
        """The occurrence after ``closing``, one period of the cadence in force after it."""
        on = next_scheduled_on(day(closing["scheduledOn"]), closed_on, effective_cadence(series, self.department))
        return self.occurrence(series, closing["sequence"] + 1, on, at)


async def terms_for(context: Context, employee_id: str) -> Terms:
    """The department and template in force now for the employee's next occurrence."""
    department_id, department = await department_of(context, employee_id)
    loaders = (await require(context)).loaders
    template = None
    if department is not None and department.get("checkInTemplateId"):
        template = await loaders.check_ins.template_by_id.load(department["checkInTemplateId"])
    if template is None:
        template = await loaders.check_ins.default_template()
    return Terms(department_id, department, template)


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
    terms, at = await terms_for(context, employee_id), clock.now()
    series = {"_id": series_id_for(store.organization_id, employee_id, employee["managerId"]),
              "employeeId": employee_id, "managerId": employee["managerId"],
              "cadence": cadence.value if cadence else None, "startedOn": first_on.isoformat(), "active": True,
              "currentSequence": 1, "lastHeldOn": None, "createdAt": at}

    async def step() -> bool:
        existing = await store.checkInSeries.get(series["_id"])
        last = await check_in_store.last_check_in(store, series["_id"]) if existing else None
        if existing and existing["active"] and last and last["status"] == SCHEDULED:
            return False
        # the employee's series with earlier managers end; then this one (the pair's earlier one, re-activated,
        # if they met before) and its first (or next) occurrence, unless an earlier attempt scheduled it
        await check_in_store.end_series(store, await check_in_store.other_active_series(store, series), at)
        saved = await check_in_store.activate_series(store, existing, series)
        if last is None or last["status"] != SCHEDULED:
            sequence = last["sequence"] + 1 if last else 1
            await check_in_store.schedule_once(store, terms.occurrence(saved, sequence, first_on, at))
            await store.checkInSeries.update(series["_id"], {"currentSequence": sequence})
        return True

    if not await store.transaction(step):
        return Outcome.refused("employeeId", ErrorCode.DUPLICATE,
                               f"{employee['name']} already has a check-in series with their manager")
    context.fresh_loaders()
    return Outcome(await store.checkInSeries.get(series["_id"]))


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


def closing_errors(doc: Document, series: Document | None, status: CheckInStatus, held_on: date | None,
                   today: date) -> tuple[list[FieldError], date | None]:
    """Why ``doc`` cannot be closed with ``status`` now, and the day it is held on (completing only).
    Closing it again the way it was closed is a retry, not an error."""
    errors: list[FieldError] = []
    retry = doc["status"] == status.value
    if not retry and doc["status"] != SCHEDULED:
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
    return errors, held_on


async def close_check_in(context: Context, check_in_id: str, status: CheckInStatus,
                         held_on: date | None = None) -> Outcome:
    """Complete or skip the scheduled occurrence and schedule the next one, in one transaction: the next
    occurrence, dated one period of the cadence in force now after this one's date; this one closed; the
    series moved on (current sequence, last held date). Closing an occurrence again the way it was closed
    completes whatever is missing and changes nothing else."""
    errors: list[FieldError] = []
    signed_in, doc = await editable(context, check_in_id, errors, open_only=False)
    if doc is None:
        return Outcome(errors=errors)
    store, terms = signed_in.store, await terms_for(context, doc["employeeId"])

    async def step() -> list[FieldError]:
        current = await store.checkIns.get(check_in_id) or doc  # occurrences are never deleted
        series = await store.checkInSeries.get(current["seriesId"])
        refused, held = closing_errors(current, series, status, held_on, clock.today())
        if refused or series is None:
            return refused
        at = clock.now()
        await check_in_store.schedule_once(store, terms.following(series, current, held or clock.today(), at))
        if current["status"] == SCHEDULED:
            changes: dict[str, Any] = {"status": status.value, "closedById": signed_in.viewer.employee_id,
                                       "updatedAt": at}
            if held is not None:
                changes["heldOn"] = held.isoformat()
            await check_in_store.update_open_check_in(store, check_in_id, changes)
        series_changes: dict[str, Any] = {"currentSequence": max(series["currentSequence"], current["sequence"] + 1)}
        if held is not None and (series.get("lastHeldOn") or "") < held.isoformat():
            series_changes["lastHeldOn"] = held.isoformat()
        await store.checkInSeries.update(series["_id"], series_changes)
        return []

    errors = await store.transaction(step)
    if errors:
        return Outcome(errors=errors)
    kind = CheckInChange.COMPLETED if status is CheckInStatus.COMPLETED else CheckInChange.SKIPPED
    return Outcome(await changed(signed_in, check_in_id, kind))

