"""Review cycles: validation, eligibility and the launch plan (pure; the store writes the plan).

Eligibility: an employee is reviewed in a cycle when they are **active** (not on leave, not
terminated), were **hired strictly before the cutoff** (``hiredBefore``; someone hired *on* the
cutoff date is not eligible), belong to one of the **included departments or a department below
one** (no departments: the whole organisation) and are **not excluded** by id.

The plan gives every review and form a deterministic id (cycle + employee [+ reviewer + kind]),
so running a launch again inserts only what is missing: launching twice creates nothing new, and
a launch that stopped part-way completes when run again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from models.core.documents import Document, stable_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name
from models.org.rules import EmployeeStatus
from models.reviews.overrides import template_id_for
from models.reviews.rules import (
    PHASE_ORDER,
    FormState,
    Phase,
    ReviewerKind,
    ReviewState,
    form_id,
    kinds_in,
    review_id,
)

MAX_PEERS = 10
DEFAULT_PEERS = 3


class SkipReason(StrEnum):
    TERMINATED = "terminated"
    ON_LEAVE = "on_leave"
    HIRED_ON_OR_AFTER_CUTOFF = "hired_on_or_after_cutoff"
    EXCLUDED = "excluded"


@dataclass(frozen=True)
class Skipped:
    employee_id: str
    reason: SkipReason


@dataclass
class LaunchPlan:
    reviews: list[Document] = field(default_factory=list)
    forms: list[Document] = field(default_factory=list)
    eligible: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class LaunchResult:
    """What a launch did: the cycle after it, and created counts (0 when it had all been created before)."""

    cycle: Document
    eligible: int = 0
    reviews_created: int = 0
    forms_created: int = 0
    reviews_total: int = 0
    forms_total: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def check_cycle(data: Mapping[str, Any], *, template: Mapping[str, Any] | None, department_ids: set[str],
                employee_ids: set[str]) -> list[FieldError]:
    """``data`` has doc-shaped keys; dates are :class:`date` objects."""
    errors = check_name(data.get("name"), "name")
    start, end = data.get("periodStart"), data.get("periodEnd")
    if start is None or end is None:
        errors.append(FieldError("periodEnd", ErrorCode.REQUIRED, "a cycle needs a review period"))
    elif start > end:
        errors.append(FieldError("periodEnd", ErrorCode.INVALID, "the period ends before it starts"))
    if data.get("templateId") is None:
        errors.append(FieldError("templateId", ErrorCode.REQUIRED, "a cycle needs a template"))
    elif template is None:
        errors.append(FieldError("templateId", ErrorCode.NOT_FOUND, f"no template {data['templateId']!r}"))
    phases = data.get("phases") or []
    seen = [p["phase"] for p in phases]
    if len(set(seen)) != len(seen):
        errors.append(FieldError("phases", ErrorCode.DUPLICATE, "each phase may appear once"))
    elif seen != sorted(seen, key=PHASE_ORDER.index):
        errors.append(FieldError("phases", ErrorCode.INVALID, "phases must follow the order " + ", ".join(PHASE_ORDER)))
    else:
        deadlines = [p["deadline"] for p in phases]
        if deadlines != sorted(deadlines):
            errors.append(FieldError("phases", ErrorCode.INVALID, "deadlines must not go back in time phase by phase"))
        elif start is not None and deadlines and deadlines[0] < start:
            errors.append(FieldError("phases", ErrorCode.INVALID, "no deadline may fall before the period starts"))
    eligibility = data.get("eligibility") or {}
    if eligibility.get("hiredBefore") is None:
        errors.append(FieldError("eligibility.hiredBefore", ErrorCode.REQUIRED, "eligibility needs a hire cutoff"))
    unknown = [d for d in eligibility.get("departmentIds") or [] if d not in department_ids]
    if unknown:
        errors.append(FieldError("eligibility.departmentIds", ErrorCode.NOT_FOUND, f"no department {unknown[0]!r}"))
    unknown = [e for e in eligibility.get("excludedEmployeeIds") or [] if e not in employee_ids]
    if unknown:
        errors.append(FieldError("eligibility.excludedEmployeeIds", ErrorCode.NOT_FOUND, f"no employee {unknown[0]!r}"))
    peers = data.get("peersPerReviewee", DEFAULT_PEERS)
    if not isinstance(peers, int) or not 0 <= peers <= MAX_PEERS:
        errors.append(FieldError("peersPerReviewee", ErrorCode.INVALID, f"peersPerReviewee must be 0 to {MAX_PEERS}"))
    return errors


def cycle_document(data: Mapping[str, Any]) -> Document:
    """The stored shape: dates as ISO strings (like ``hireDate``), sorted phases."""
    eligibility = data.get("eligibility") or {}
    return {
        "name": data["name"].strip(), "periodStart": data["periodStart"].isoformat(),
        "periodEnd": data["periodEnd"].isoformat(), "templateId": data["templateId"],
        "phases": [{"phase": str(p["phase"]), "deadline": p["deadline"].isoformat()} for p in data.get("phases") or []],
        "eligibility": {
            "hiredBefore": eligibility["hiredBefore"].isoformat(),
            "departmentIds": list(dict.fromkeys(eligibility.get("departmentIds") or [])),
            "excludedEmployeeIds": list(dict.fromkeys(eligibility.get("excludedEmployeeIds") or [])),
        },
        "peersPerReviewee": data.get("peersPerReviewee", DEFAULT_PEERS),
    }


def deadline_of(cycle: Mapping[str, Any], phase: str) -> str | None:
    return next((p["deadline"] for p in cycle.get("phases", []) if p["phase"] == phase), None)


def included_departments(selected: Iterable[str], departments: Iterable[Mapping[str, Any]]) -> set[str] | None:
    """The selected departments and every department below them; ``None`` when none was selected."""
    chosen = set(selected)
    if not chosen:
        return None
    children: dict[str | None, list[str]] = {}
    for dept in departments:
        children.setdefault(dept.get("parentId"), []).append(dept["_id"])
    stack, result = list(chosen), set(chosen)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in result:
                result.add(child)
                stack.append(child)
    return result


def eligibility(cycle: Mapping[str, Any], employees: Iterable[Mapping[str, Any]],
                departments: Iterable[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], list[Skipped]]:
    """Who is reviewed, and why the others in the included departments are not."""
    rules = cycle["eligibility"]
    scope = included_departments(rules.get("departmentIds") or [], departments)
    excluded = set(rules.get("excludedEmployeeIds") or [])
    cutoff = rules["hiredBefore"]
    chosen, skipped = [], []
    for employee in sorted(employees, key=lambda e: e["_id"]):
        if scope is not None and employee.get("departmentId") not in scope:
            continue
        reason = None
        if employee["status"] == EmployeeStatus.TERMINATED:
            reason = SkipReason.TERMINATED
        elif employee["status"] == EmployeeStatus.ON_LEAVE:
            reason = SkipReason.ON_LEAVE
        elif not employee.get("hireDate") or employee["hireDate"] >= cutoff:
            reason = SkipReason.HIRED_ON_OR_AFTER_CUTOFF
        elif employee["_id"] in excluded:
            reason = SkipReason.EXCLUDED
        if reason is None:
            chosen.append(employee)
        else:
            skipped.append(Skipped(employee["_id"], reason))
    return chosen, skipped


def _active(doc: Mapping[str, Any] | None) -> bool:
    return doc is not None and doc.get("status") == EmployeeStatus.ACTIVE


def reviewer_manager(employee: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The nearest active manager above ``employee`` (someone on leave is passed over)."""
    seen = {employee["_id"]}
    manager_id = employee.get("managerId")
    while manager_id is not None and manager_id not in seen:
        seen.add(manager_id)
        manager = by_id.get(manager_id)
        if _active(manager):
            return manager_id
        manager_id = manager.get("managerId") if manager else None
    return None


def choose_peers(cycle_id: str, employee: Mapping[str, Any], teammates: Iterable[Mapping[str, Any]],
                 count: int) -> list[str]:
    """Up to ``count`` active teammates (same manager), picked by a stable per-cycle shuffle."""
    pool = [t["_id"] for t in teammates if t["_id"] != employee["_id"] and _active(t)]
    return sorted(pool, key=lambda p: stable_id(f"peer:{cycle_id}:{employee['_id']}:{p}"))[:count]


def forms_of(cycle: Mapping[str, Any], review: Mapping[str, Any], kinds: set[str], now: Any) -> list[Document]:
    """The forms of one review: self, manager, each peer and each report (upward) with questions."""
    reviewers: list[tuple[str, str]] = []
    if ReviewerKind.SELF in kinds:
        reviewers.append((review["employeeId"], ReviewerKind.SELF))
    if ReviewerKind.MANAGER in kinds and review.get("managerId"):
        reviewers.append((review["managerId"], ReviewerKind.MANAGER))
    if ReviewerKind.PEER in kinds:
        reviewers += [(p, ReviewerKind.PEER) for p in review.get("peerIds", [])]
    if ReviewerKind.UPWARD in kinds:
        reviewers += [(u, ReviewerKind.UPWARD) for u in review.get("upwardIds", [])]
    return [new_form(cycle, review, reviewer, kind, now) for reviewer, kind in reviewers]


def new_form(cycle: Mapping[str, Any], review: Mapping[str, Any], reviewer: str, kind: str, now: Any) -> Document:
    return {
        "_id": form_id(cycle["_id"], review["employeeId"], reviewer, kind), "cycleId": cycle["_id"],
        "reviewId": review["_id"], "revieweeId": review["employeeId"], "reviewerId": reviewer, "kind": str(kind),
        "templateId": review["templateId"], "departmentId": review.get("departmentId"),
        "state": FormState.NOT_STARTED.value, "answers": {}, "revision": 0, "history": [], "createdAt": now,
    }


def plan_launch(cycle: Mapping[str, Any], template: Mapping[str, Any], employees: list[Mapping[str, Any]],
                departments: Iterable[Mapping[str, Any]], existing: Mapping[str, Mapping[str, Any]],
                now: Any, overrides: Mapping[tuple[str, str], str] | None = None,
                templates: Mapping[str, Mapping[str, Any]] | None = None) -> LaunchPlan:
    """Every review and form of the cycle. ``existing`` (review id → review) keeps the reviewers a
    review was given when first created (or nominated since), so a re-run adds only what is missing.
    A new review's template is the person's or their department's override (``overrides``, see
    ``models/reviews/overrides.py``; ``templates`` holds those templates by id), else the cycle's ``template``;
    an existing review keeps its own."""
    known = {**(templates or {}), template["_id"]: template}
    by_id = {e["_id"]: e for e in employees}
    by_manager: dict[str | None, list[Mapping[str, Any]]] = {}
    for employee in employees:
        by_manager.setdefault(employee.get("managerId"), []).append(employee)
    chosen, skipped = eligibility(cycle, employees, departments)
    plan = LaunchPlan(eligible=[e["_id"] for e in chosen], skipped=skipped)
    for employee in chosen:
        rid = review_id(cycle["_id"], employee["_id"])
        review = existing.get(rid)
        template_id = review["templateId"] if review is not None else template_id_for(employee, overrides or {},
                                                                                      template["_id"])
        kinds = kinds_in(known.get(template_id, template))
        if review is None:
            peers_wanted = cycle.get("peersPerReviewee", DEFAULT_PEERS) if ReviewerKind.PEER in kinds else 0
            team = by_manager.get(employee.get("managerId"), []) if employee.get("managerId") else []
            review = {
                "_id": rid, "cycleId": cycle["_id"], "templateId": template_id, "employeeId": employee["_id"],
                "departmentId": employee.get("departmentId"), "managerId": reviewer_manager(employee, by_id),
                "peerIds": choose_peers(cycle["_id"], employee, team, peers_wanted),
                "upwardIds": sorted(r["_id"] for r in by_manager.get(employee["_id"], []) if _active(r))
                if ReviewerKind.UPWARD in kinds else [],
                "state": ReviewState.SELF_REVIEW.value, "history": [], "score": None, "scoreBasis": -1,
                "calibration": None, "calibrationHistory": [], "createdAt": now,
            }
            plan.reviews.append(review)
        plan.forms += forms_of(cycle, review, kinds, now)
    return plan


def phase_is_over(cycle: Mapping[str, Any], phase: Phase | str, today: date) -> bool:
    deadline = deadline_of(cycle, str(phase))
    return deadline is not None and deadline < today.isoformat()
