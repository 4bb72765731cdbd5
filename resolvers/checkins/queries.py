"""Check-in queries and the nested fields of series and occurrences; every path checks the rules.

A check-in (or series) object reaches the schema only after ``can_read_check_in`` allowed it for
the viewer; private notes are then read with the viewer as author, so nobody else's is ever loaded;
linked goals and progress updates show only the goals the goals domain lets the viewer see
(``resolvers/goals/access.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.checkins.permissions import (
    can_list_overdue_check_ins,
    can_read_check_in,
    can_see_check_in_participation,
    can_see_private_note,
)
from models.checkins.rules import (
    Cadence,
    CheckInStatus,
    ParticipationRow,
    action_item_shown_in,
    effective_cadence,
    overdue_days,
    participation_rows,
)
from models.core import clock
from models.core.documents import Document
from models.org.rules import EmployeeStatus
from resolvers.checkins.access import NOT_VISIBLE, readable
from resolvers.checkins.schedule import department_of
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.goals.access import visible_goals
from store.checkins import repository as check_in_store
from store.core.people import ids_below

MAX_PAST = 100
MAX_PERIOD_DAYS = 731


def check_count(argument: str, value: int) -> None:
    """BAD_USER_INPUT unless ``value`` (how many past occurrences to list) lies between 0 and MAX_PAST."""
    if not 0 <= value <= MAX_PAST:
        raise BadUserInput(f"{argument} must be between 0 and {MAX_PAST}, not {value}")


async def check_in(context: Context, id: str) -> Document | None:
    """One occurrence; ``None`` for an unknown id or another organisation's, FORBIDDEN if not allowed."""
    doc = await (await require(context)).loaders.check_ins.check_in_by_id.load(id)
    if doc is None:
        return None
    if not await readable(context, [doc]):
        raise Forbidden(NOT_VISIBLE)
    return doc


@dataclass
class Timeline:
    """Someone's check-ins: their scheduled ones and the last past ones."""

    employee: Document
    upcoming: list[Document]
    past: list[Document]


async def check_ins(context: Context, employee_id: str, past_limit: int) -> Timeline:
    """Someone's check-ins (as the employee of a series): scheduled ones soonest first, then past ones."""
    signed_in = await require(context)
    viewer, store, loaders = signed_in.viewer, signed_in.store, signed_in.loaders
    check_count("past", past_limit)
    employee = await loaders.employee_by_id.load(employee_id)
    if employee is None:
        raise BadUserInput(f"no employee {employee_id!r} in your organisation")
    series = [s for s in await loaders.check_ins.series_by_employee_id.load(employee_id)
              if can_read_check_in(viewer, s, employee)]
    loaders.check_ins.series_by_id.prime_many({s["_id"]: s for s in series})  # for `checkIn { series }`
    probe = {"organizationId": employee["organizationId"], "employeeId": employee_id, "managerId": None}
    if not series and not can_read_check_in(viewer, probe, employee):
        raise Forbidden(NOT_VISIBLE)
    active = [s["_id"] for s in series if s.get("active")]
    upcoming = await check_in_store.check_ins_of_series(store, active, closed=False, limit=MAX_PAST) if active else []
    ids = [s["_id"] for s in series]
    past = await check_in_store.check_ins_of_series(store, ids, closed=True, limit=past_limit) \
        if ids and past_limit else []
    return Timeline(employee, upcoming, past)


async def series_of_employee(context: Context, employee: Document) -> list[Document]:
    """Nested ``Employee.checkInSeries``: only the series the viewer may read (none for others)."""
    signed_in = await require(context)
    series = await signed_in.loaders.check_ins.series_by_employee_id.load(employee["_id"])
    return [s for s in series if can_read_check_in(signed_in.viewer, s, employee)]


# nested fields (the parent object was already allowed)

async def series_cadence(context: Context, series: Document) -> Cadence:
    """The cadence in force: the series' override, else its employee's department's."""
    _, department = await department_of(context, series["employeeId"])
    return effective_cadence(series, department)


async def upcoming_of(context: Context, series: Document) -> Document | None:
    """The series' scheduled occurrence."""
    loaders = (await require(context)).loaders
    scheduled = await loaders.check_ins.upcoming_by_series_id.load(series["_id"])
    return scheduled[0] if scheduled else None


async def history_of(context: Context, series: Document, last: int) -> list[Document]:
    """The last ``last`` closed occurrences of the series, newest first."""
    check_count("last", last)
    loaders = (await require(context)).loaders
    docs = await loaders.check_ins.check_ins_by_series_id.load(series["_id"])
    return [d for d in docs if d["status"] != CheckInStatus.SCHEDULED.value][:last]


async def series(context: Context, id: str) -> Document | None:
    """One series the viewer may read (its participants, the employee's managers, HR admins), else ``None``."""
    doc = await (await require(context)).loaders.check_ins.series_by_id.load(id)
    return doc if doc is not None and await readable(context, [doc]) else None


async def action_item(context: Context, id: str) -> Document | None:
    """One action item for those who may read its check-ins, else ``None``."""
    doc = await (await require(context)).store.checkInActionItems.get(id)
    return doc if doc is not None and await readable(context, [doc]) else None


async def series_of(context: Context, check_in: Document) -> Document | None:
    """The series of an occurrence."""
    loaders = (await require(context)).loaders
    return await loaders.check_ins.series_by_id.load(check_in["seriesId"])


async def action_items_of(context: Context, check_in: Document) -> list[Document]:
    """Items created in this occurrence, and those of earlier ones still open then (carried over)."""
    loaders = (await require(context)).loaders
    items = await loaders.check_ins.action_items_by_series_id.load(check_in["seriesId"])
    return [item for item in items if action_item_shown_in(item, check_in["sequence"])]


async def open_action_items(context: Context, series: Document) -> list[Document]:
    """The series' action items not done yet."""
    loaders = (await require(context)).loaders
    return [item for item in await loaders.check_ins.action_items_by_series_id.load(series["_id"])
            if not item.get("done")]


def goal_ids_named(check_in: Document) -> list[str]:
    """Every goal an occurrence names: its linked goals, then those of its progress updates (once each)."""
    ids = [*check_in.get("linkedGoalIds", []), *(p["goalId"] for p in check_in.get("progressUpdates", []))]
    return list(dict.fromkeys(ids))


async def goals_shown(context: Context, check_in: Document) -> dict[str, Document]:
    """The goals the occurrence names that the viewer may see, by id: one call of the goals domain's
    accessor for all of them, however many are linked or have progress recorded."""
    ids = goal_ids_named(check_in)
    return {g["_id"]: g for g in await visible_goals(context, ids)} if ids else {}


def linked_goals(check_in: Document, shown: dict[str, Document]) -> list[Document]:
    """The linked goals among ``shown`` (:func:`goals_shown`), in the order they were linked."""
    return [shown[id] for id in check_in.get("linkedGoalIds", []) if id in shown]


def progress_updates(check_in: Document, shown: dict[str, Document]) -> list[Document]:
    """The progress updates on goals among ``shown`` (:func:`goals_shown`); the others are left out whole
    (key result, title, value and comment belong to the goal)."""
    return [p for p in check_in.get("progressUpdates", []) if p["goalId"] in shown]


async def my_private_note(context: Context, check_in: Document) -> str | None:
    """The viewer's own private note on this occurrence; nobody can ask for anyone else's."""
    signed_in = await require(context)
    viewer = signed_in.viewer
    note = await signed_in.loaders.check_ins.note_by_key.load((check_in["_id"], viewer.employee_id))
    return note["text"] if note is not None and can_see_private_note(viewer, note) else None


async def template(context: Context, id: str | None) -> Document | None:
    """A check-in template by id (``None`` for no id or an unknown one)."""
    if id is None:
        return None
    loaders = (await require(context)).loaders
    return await loaders.check_ins.template_by_id.load(id)


async def templates(context: Context) -> list[Document]:
    """Every check-in template of the organisation, by name."""
    return await check_in_store.templates((await require(context)).store)


async def department_template(context: Context, department: Document) -> Document | None:
    """The department's own template, else the organisation's default."""
    own = await template(context, department.get("checkInTemplateId"))
    if own is not None:
        return own
    loaders = (await require(context)).loaders
    return await loaders.check_ins.default_template()


async def is_default_template(context: Context, doc: Document) -> bool:
    """Whether ``doc`` is the organisation's default template."""
    loaders = (await require(context)).loaders
    default = await loaders.check_ins.default_template()
    return default is not None and default["_id"] == doc["_id"]


# overdue series and participation

@dataclass
class Overdue:
    """An overdue series, the cadence in force and by how many days it is overdue."""

    series: Document
    cadence: Cadence
    days_overdue: int


async def overdue_check_ins(context: Context, as_of: date | None) -> list[Overdue]:
    """Active series whose last held occurrence is older than their cadence, most overdue first.

    HR admins: the whole organisation; managers: the series of everyone below them.
    """
    signed_in = await require_role(context, can_list_overdue_check_ins,
                                   "overdue check-ins are listed for managers and HR admins")
    viewer, store, loaders = signed_in.viewer, signed_in.store, signed_in.loaders
    as_of = as_of or clock.today()
    below = None if viewer.is_hr_admin else await ids_below(store, viewer.employee_id)
    series = await check_in_store.active_series(store, below)
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
    signed_in = await require_role(context, can_see_check_in_participation, "the participation report is for HR admins")
    if end < start:
        raise BadUserInput("the period ends before it starts")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise BadUserInput(f"the period may span at most {MAX_PERIOD_DAYS} days")
    last = min(end, as_of or clock.today())
    if last < start:
        return []
    groups = await check_in_store.participation_groups(signed_in.store, start.isoformat(), last.isoformat())
    return participation_rows(groups)
