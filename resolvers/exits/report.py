"""``attritionReport``: the figures of ``models/exits/report.py`` over what the viewer may report on.

HR admins report on the whole organisation; a manager on the people below them (leavers who had them in their
management chain when they left, headcounts of those below them now and then). The joins with earlier signals
come through each domain's accessor: the last calibrated rating (reviews), check-ins held in the last three
months (check-ins), feedback received in the last six months (feedback), growth plans and the last promotion or
position change (growth and org, through ``growth_link``). A fixed number of store calls whatever the number of leavers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from models.core import clock
from models.core.documents import Document
from models.exits.permissions import can_see_attrition_report, report_scope
from models.exits.report import (
    FEEDBACK_DAYS,
    LAPSED_DAYS,
    TENURE_LABELS,
    GroupBy,
    Leaver,
    Person,
    Report,
    Response,
    build_report,
    months_between,
    to_csv,
    window_months,
)
from models.exits.rules import ExitStatus
from models.org.rules import EmployeeStatus
from resolvers.checkins import access as checkins_access
from resolvers.core.context import Context, require_role
from resolvers.core.errors import BadUserInput
from resolvers.exits.growth_link import growth_plans, last_role_changes
from resolvers.feedback import access as feedback_access
from resolvers.org import access as org_access
from resolvers.reviews import access as reviews_access
from store.exits import repository as exits_store

REFUSAL = "the attrition report is for HR admins and managers"
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class ReportFilter:
    department_id: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Labelled:
    report: Report
    labels: dict[str, str]

    @property
    def csv(self) -> str:
        return to_csv(self.report, self.labels)


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or clock.today()
    start = start or end - timedelta(days=364)
    if start > end:
        raise BadUserInput("the period's start lies after its end")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise BadUserInput("a period spans three years at most")
    return start, end


def _left_on(employee: Document, records: dict[str, Document]) -> date | None:
    record = records.get(employee["_id"])
    if record is not None and record["status"] != ExitStatus.CANCELLED.value and \
            employee.get("status") == EmployeeStatus.TERMINATED.value:
        return date.fromisoformat(record["lastDay"])
    if employee.get("status") != EmployeeStatus.TERMINATED.value:
        return None
    ended = [e["at"] for e in employee.get("statusHistory", []) if e.get("status") == EmployeeStatus.TERMINATED.value]
    return ended[-1].date() if ended else date.fromisoformat(employee["hireDate"])


async def attrition_report(context: Context, group_by: GroupBy, start: date | None, end: date | None,
                           spec: ReportFilter) -> Labelled:
    signed_in = await require_role(context, can_see_attrition_report, REFUSAL)
    store, viewer = signed_in.store, signed_in.viewer
    first, last = _period(start, end)
    scope = report_scope(viewer)
    settings = await exits_store.settings(store)
    k, window = int(settings["k"]), int(settings["windowMonths"])

    records = await exits_store.records_between(store, {"status": {"$ne": ExitStatus.CANCELLED.value}})
    by_employee = {r["employeeId"]: r for r in records}
    # the org chart through its accessor: everyone, those who left included (headcounts at the period's start)
    employees = await org_access.people(context)
    levels = {p["_id"]: p.get("level") for p in await org_access.positions(context)}

    def in_scope(chain: list[str]) -> bool:
        return scope is None or scope in chain

    people = [Person(e["hireDate"], _left_on(e, by_employee), e.get("departmentId"), e.get("managerId"),
                     levels.get(e.get("positionId")))
              for e in employees if in_scope(e.get("managerChain", []))
              and (spec.department_id is None or e.get("departmentId") == spec.department_id)]

    leaving = [r for r in records if first.isoformat() <= r["lastDay"] <= last.isoformat()
               and r["lastDay"] <= clock.today().isoformat()
               and in_scope((r.get("cohort") or {}).get("managerChain", []))
               and (spec.department_id is None or (r.get("cohort") or {}).get("departmentId") == spec.department_id)
               and (spec.kind is None or r.get("kind") == spec.kind)]
    ids = [r["employeeId"] for r in leaving]
    reasons = {r["_id"]: r["category"] for r in await exits_store.reasons(store, True)}
    ratings = await reviews_access.last_calibrated_ratings(context, ids) if ids else {}
    check_in_windows = {r["employeeId"]: ((date.fromisoformat(r["lastDay"]) - timedelta(days=LAPSED_DAYS)).isoformat(),
                                          r["lastDay"]) for r in leaving}
    held = await checkins_access.held_check_in_counts(context, check_in_windows) if ids else {}
    feedback_windows = {r["employeeId"]: (_instant(date.fromisoformat(r["lastDay"]) - timedelta(days=FEEDBACK_DAYS)),
                                          _instant(date.fromisoformat(r["lastDay"]) + timedelta(days=1)))
                        for r in leaving}
    received = await feedback_access.feedback_received_counts(context, feedback_windows) if ids else {}
    plans = await growth_plans(context, ids)
    changed = await last_role_changes(context, {r["employeeId"]: date.fromisoformat(r["lastDay"]) for r in leaving})
    leavers = [Leaver(date.fromisoformat(r["lastDay"]), (r.get("cohort") or {}).get("departmentId"),
                      (r.get("cohort") or {}).get("managerId"), (r.get("cohort") or {}).get("positionLevel"),
                      (r.get("cohort") or {}).get("hireDate"), r.get("kind"), r.get("regretted"),
                      reasons.get((r.get("reasons") or {}).get("primary") or ""),
                      ratings.get(r["employeeId"]), held.get(r["employeeId"]), received.get(r["employeeId"]),
                      plans.get(r["employeeId"]), changed.get(r["employeeId"]))
               for r in leaving]

    months = sorted(set(months_between(first, last)) | window_months(last, window))
    responses = [Response(d["month"], d.get("departmentId"), d.get("managerId"), d.get("positionLevel"),
                          d.get("tenureBand") or "unknown", d.get("recommend"), tuple(d.get("ratings") or ()))
                 for d in await exits_store.responses_in(store, months)
                 if in_scope(d.get("managerChain") or [])
                 and (spec.department_id is None or d.get("departmentId") == spec.department_id)]
    report = build_report(group_by, first, last, k, window, leavers, people, responses, survey=spec.kind is None)
    return Labelled(report, await _labels(context, group_by, [row.key for row in report.rows]))


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


async def _labels(context: Context, group_by: GroupBy, keys: list[str]) -> dict[str, str]:
    """What each group is called: a department's or a manager's name (through the org chart), a level, a band."""
    labels: dict[str, str] = {"total": "Total", "": "None"}
    if group_by == GroupBy.DEPARTMENT:
        labels |= {d["_id"]: d["name"] for d in await org_access.departments(context)}
    elif group_by == GroupBy.MANAGER:
        labels |= {e["_id"]: e["name"] for e in await org_access.employees(context, [k for k in keys if k])}
    elif group_by == GroupBy.POSITION_LEVEL:
        labels |= {k: f"Level {k}" for k in keys if k}
    elif group_by == GroupBy.TENURE_BAND:
        labels |= TENURE_LABELS
    else:
        labels |= {k: k for k in keys}
    return labels

