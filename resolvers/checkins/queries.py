"""Check-in queries and the nested fields of series and occurrences; every path checks the rules.

A check-in (or series) object reaches the schema only after ``can_read_check_in`` allowed it for
the viewer; private notes are then read with the viewer as author, so nobody else's is ever loaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from models.checkins.permissions import (
    can_list_overdue_check_ins,
    can_read_check_in,
    can_see_check_in_participation,
    can_see_private_note,
)
from models.checkins.rules import (
    Cadence,
    CheckInChange,
    CheckInStatus,
    ParticipationRow,
    action_item_shown_in,
    effective_cadence,
    overdue_days,
    participation_rows,
)
from models.core.documents import Document
from models.core.viewer import Viewer
from models.org.rules import EmployeeStatus
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.goals import queries as goal_queries
from store.checkins import repository as check_in_store
from store.core.repository import TenantStore
from store.loaders import Loaders

log = logging.getLogger("perfgraph.checkins")
MAX_PAST = 100
MAX_PERIOD_DAYS = 731


def today() -> date:
    return datetime.now(UTC).date()


def check_in_channel(organization_id: str, check_in_id: str) -> str:
    return f"check-in:{organization_id}:{check_in_id}"


async def publish_change(context: Context, store: TenantStore, check_in_id: str, kind: CheckInChange,
                         by: str, **extra: Any) -> None:
    """After a committed write: fresh loaders for the payload, then one event for the participants."""
    context.loaders = Loaders(store)
    message = {"checkInId": check_in_id, "kind": kind.value, "byId": by, **extra}
    try:
        await context.bus.publish(check_in_channel(store.organization_id, check_in_id), message)
    except Exception as error:  # the write stands; subscribers miss one event, which we log
        log.error("check-in event not published (%s): %s", kind.value, error)


async def signed_in(context: Context) -> tuple[Viewer, TenantStore, Loaders]:
    viewer = await context.authenticate()
    assert context.store is not None and context.loaders is not None
    return viewer, context.store, context.loaders


async def readable(context: Context, docs: list[Document]) -> list[Document]:
    """The series or occurrences among ``docs`` the viewer may read (their employees loaded in one batch)."""
    viewer, _, loaders = await signed_in(context)
    employees = await loaders.employee_by_id.load_many([d["employeeId"] for d in docs])
    return [d for d, e in zip(docs, employees, strict=True) if can_read_check_in(viewer, d, e)]


async def check_in(context: Context, id: str) -> Document | None:
    """One occurrence; ``None`` for an unknown id or another organisation's, FORBIDDEN if not allowed."""
    _, _, loaders = await signed_in(context)
    doc = await loaders.check_ins.check_in_by_id.load(id)
    if doc is None:
        return None
    if not await readable(context, [doc]):
        raise Forbidden("check-ins are visible to their participants, the employee's managers and HR admins")
    return doc


@dataclass
class Timeline:
    employee: Document
    upcoming: list[Document]
    past: list[Document]


async def check_ins(context: Context, employee_id: str, past_limit: int) -> Timeline:
    """Someone's check-ins (as the employee of a series): scheduled ones soonest first, then past ones."""
    viewer, store, loaders = await signed_in(context)
    if not 0 <= past_limit <= MAX_PAST:
        raise BadUserInput(f"past must be between 0 and {MAX_PAST}, not {past_limit}")
    employee = await loaders.employee_by_id.load(employee_id)
    if employee is None:
        raise BadUserInput(f"no employee {employee_id!r} in your organisation")
    series = [s for s in await loaders.check_ins.series_by_employee_id.load(employee_id)
              if can_read_check_in(viewer, s, employee)]
    loaders.check_ins.series_by_id.prime_many({s["_id"]: s for s in series})  # for `checkIn { series }`
    probe = {"organizationId": employee["organizationId"], "employeeId": employee_id, "managerId": None}
    if not series and not can_read_check_in(viewer, probe, employee):
        raise Forbidden("check-ins are visible to their participants, the employee's managers and HR admins")
    active = [s["_id"] for s in series if s.get("active")]
    upcoming = await check_in_store.check_ins_of_series(store, active, closed=False, limit=MAX_PAST) if active else []
    ids = [s["_id"] for s in series]
    past = await check_in_store.check_ins_of_series(store, ids, closed=True, limit=past_limit) \
        if ids and past_limit else []
    return Timeline(employee, upcoming, past)


async def series_of_employee(context: Context, employee: Document) -> list[Document]:
    """Nested ``Employee.checkInSeries``: only the series the viewer may read (none for others)."""
    viewer, _, loaders = await signed_in(context)
    series = await loaders.check_ins.series_by_employee_id.load(employee["_id"])
    return [s for s in series if can_read_check_in(viewer, s, employee)]


# nested fields (the parent object was already allowed)

async def series_cadence(context: Context, series: Document) -> Cadence:
    _, _, loaders = await signed_in(context)
    employee = await loaders.employee_by_id.load(series["employeeId"])
    department_id = employee.get("departmentId") if employee else None
    department = await loaders.department_by_id.load(department_id) if department_id else None
    return effective_cadence(series, department)


async def upcoming_of(context: Context, series: Document) -> Document | None:
    _, _, loaders = await signed_in(context)
    scheduled = await loaders.check_ins.upcoming_by_series_id.load(series["_id"])
    return scheduled[0] if scheduled else None


async def history_of(context: Context, series: Document, last: int) -> list[Document]:
    if not 0 <= last <= MAX_PAST:
        raise BadUserInput(f"last must be between 0 and {MAX_PAST}, not {last}")
    _, _, loaders = await signed_in(context)
    docs = await loaders.check_ins.check_ins_by_series_id.load(series["_id"])
    return [d for d in docs if d["status"] != CheckInStatus.SCHEDULED.value][:last]


async def series_of(context: Context, check_in: Document) -> Document | None:
    _, _, loaders = await signed_in(context)
    return await loaders.check_ins.series_by_id.load(check_in["seriesId"])


async def action_items_of(context: Context, check_in: Document) -> list[Document]:
    """Items created in this occurrence, and those of earlier ones still open then (carried over)."""
    _, _, loaders = await signed_in(context)
    items = await loaders.check_ins.action_items_by_series_id.load(check_in["seriesId"])
    return [item for item in items if action_item_shown_in(item, check_in["sequence"])]


async def open_action_items(context: Context, series: Document) -> list[Document]:
    _, _, loaders = await signed_in(context)
    return [item for item in await loaders.check_ins.action_items_by_series_id.load(series["_id"])
            if not item.get("done")]


async def linked_goals(context: Context, check_in: Document) -> list[Document]:
    """The linked goals the viewer may see (the goals domain's rule; others are left out)."""
    _, _, loaders = await signed_in(context)
    docs = await loaders.goals.by_id.load_many(list(check_in.get("linkedGoalIds", [])))
    return await goal_queries.visible(context, [d for d in docs if d is not None])


async def my_private_note(context: Context, check_in: Document) -> str | None:
    """The viewer's own private note on this occurrence; nobody can ask for anyone else's."""
    viewer, _, loaders = await signed_in(context)
    note = await loaders.check_ins.note_by_key.load((check_in["_id"], viewer.employee_id))
    return note["text"] if note is not None and can_see_private_note(viewer, note) else None


async def template(context: Context, id: str | None) -> Document | None:
    if id is None:
        return None
    _, _, loaders = await signed_in(context)
    return await loaders.check_ins.template_by_id.load(id)


async def templates(context: Context) -> list[Document]:
    _, store, _ = await signed_in(context)
    return await check_in_store.templates(store)


async def department_template(context: Context, department: Document) -> Document | None:
    """The department's own template, else the organisation's default."""
    own = await template(context, department.get("checkInTemplateId"))
    if own is not None:
        return own
    _, _, loaders = await signed_in(context)
    return await loaders.check_ins.default_template()


async def is_default_template(context: Context, doc: Document) -> bool:
    _, _, loaders = await signed_in(context)
    default = await loaders.check_ins.default_template()
    return default is not None and default["_id"] == doc["_id"]


# overdue series and participation

@dataclass
class Overdue:
    series: Document
    cadence: Cadence
    days_overdue: int


async def overdue_check_ins(context: Context, as_of: date | None) -> list[Overdue]:
    """Active series whose last held occurrence is older than their cadence, most overdue first.

    HR admins: the whole organisation; managers: the series of everyone below them.
    """
    viewer, store, loaders = await signed_in(context)
    if not can_list_overdue_check_ins(viewer):
        raise Forbidden("overdue check-ins are listed for managers and HR admins")
    as_of = as_of or today()
    if viewer.is_hr_admin:
        series = await check_in_store.active_series(store, None)
    else:
        below = await store.employees.find({"managerChain": viewer.employee_id}, projection={"_id": 1})
        series = await check_in_store.active_series(store, [d["_id"] for d in below])
    # both participants in one batch: the list shows them, and this keeps their loads to one round trip
    people = sorted({s["employeeId"] for s in series} | {s["managerId"] for s in series})
    by_id = {e["_id"]: e for e in await loaders.employee_by_id.load_many(people) if e is not None}
    departments = await loaders.department_by_id.load_many(sorted({e["departmentId"] for e in by_id.values()
                                                                   if e.get("departmentId")}))
    department_by_id = {d["_id"]: d for d in departments if d is not None}
    found = []
    for doc in series:
        employee = by_id.get(doc["employeeId"])
        if employee is None or employee["status"] == EmployeeStatus.TERMINATED.value:
            continue
        cadence = effective_cadence(doc, department_by_id.get(employee.get("departmentId") or ""))
        days = overdue_days(doc, cadence, as_of)
        if days > 0:
            found.append(Overdue(doc, cadence, days))
    return sorted(found, key=lambda o: (-o.days_overdue, o.series["_id"]))


async def participation(context: Context, start: date, end: date, as_of: date | None) -> list[ParticipationRow]:
    """Completion per department and cadence of the occurrences due within [start, end] (HR admins).

    Due: scheduled within the period and not after ``as_of`` (default today). Each occurrence
    counts under the department and cadence in force when it was scheduled, so a department that
    moved from weekly to monthly shows one row for each.
    """
    viewer, store, _ = await signed_in(context)
    if not can_see_check_in_participation(viewer):
        raise Forbidden("the participation report is for HR admins")
    if end < start:
        raise BadUserInput("the period ends before it starts")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise BadUserInput(f"the period may span at most {MAX_PERIOD_DAYS} days")
    last = min(end, as_of or today())
    if last < start:
        return []
    return participation_rows(await check_in_store.participation_groups(store, start.isoformat(), last.isoformat()))
