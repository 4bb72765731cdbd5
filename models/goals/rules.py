"""Goals and key results (OKRs): document shape, progress arithmetic and input rules. No I/O.

A goal document (collection ``goals``)::

    {_id, organizationId, title, description, level, ownerEmployeeId, ownerDepartmentId, parentId,
     startDate "YYYY-MM-DD", dueDate "YYYY-MM-DD", status, visibility, rollUpChildren, archived,
     keyResults: [{_id, title, metricKind, startValue, targetValue, currentValue, unit, weight}],
     progressHistory: [{_id, keyResultId, keyResultTitle, byId, at, oldValue, newValue, comment}],
     createdAt, updatedAt, keyResultsVersion?, treeVersion?}

``keyResultsVersion`` counts the writes of ``keyResults`` (the compare-and-set of key-result edits) and
``treeVersion`` the transactions that decided on the goal's place in the alignment tree (a goal created
or aligned below it); both are absent until the first such write.

``progressHistory`` lives in the goal so a value and its history entry are written in one atomic
single-document update. Owners: an individual goal has ``ownerEmployeeId``; a department goal has
``ownerDepartmentId`` (its person, for visibility and editing, is the department's head); a company
goal may name an employee (say the CEO) and has no department.

Progress of a key result, from 0 to 1:

- ``number``, ``percentage``, ``currency``: ``(current - start) / (target - start)``, clamped to
  [0, 1]. A falling target ("churn from 8 % to 5 %") has a negative span and counts the same way.
- ``boolean`` and ``milestone``: 1 when ``current`` equals ``target``, else 0. Values are 0 or 1.
  A milestone is one dated checkpoint, reached or not; a plan of several steps is several milestone
  key results, their weights giving each step's share.

A goal's own progress is the weighted mean of its key results (0 without key results). With
``rollUpChildren`` its progress is the plain mean of its parts: each aligned child goal (not
archived, not cancelled; itself rolled up if it says so, to any depth) is one part, and the
goal's own key results, if it has any, are one more part.

Every progress the API shows is rounded half to even to :data:`PROGRESS_PLACES` decimal places (a share
of 0 to 1, so 0.0001 is a hundredth of a percent) once, where it is computed: the arithmetic in between
keeps full precision, so a roll-up never compounds rounding (no ``0.27499999999999997``, no drift).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name, check_text

UNIT_MAX = 40
MAX_KEY_RESULTS = 20
MAX_WEIGHT = 1000.0
FIRST_YEAR, LAST_YEAR = 1970, 2100


class GoalLevel(StrEnum):
    COMPANY = "company"
    DEPARTMENT = "department"
    INDIVIDUAL = "individual"


class GoalStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    DONE = "done"
    CANCELLED = "cancelled"


class GoalVisibility(StrEnum):
    EVERYONE = "everyone"
    MANAGEMENT_CHAIN = "management_chain"
    PRIVATE = "private"


class MetricKind(StrEnum):
    NUMBER = "number"
    PERCENTAGE = "percentage"
    CURRENCY = "currency"
    BOOLEAN = "boolean"
    MILESTONE = "milestone"


class GoalChange(StrEnum):
    """What a goal event reports."""

    CREATED = "created"
    UPDATED = "updated"
    ARCHIVED = "archived"
    ALIGNED = "aligned"
    STATUS_CHANGED = "status_changed"
    KEY_RESULT_ADDED = "key_result_added"
    KEY_RESULT_UPDATED = "key_result_updated"
    KEY_RESULT_REMOVED = "key_result_removed"
    PROGRESS_RECORDED = "progress_recorded"


NUMERIC_KINDS = frozenset({MetricKind.NUMBER, MetricKind.PERCENTAGE, MetricKind.CURRENCY})
DONE_OR_NOT_KINDS = frozenset({MetricKind.BOOLEAN, MetricKind.MILESTONE})


# progress

PROGRESS_PLACES = 4


def rounded(progress: float) -> float:
    """A progress as the API shows it: :data:`PROGRESS_PLACES` decimal places."""
    return round(progress, PROGRESS_PLACES)


def key_result_progress(key_result: Mapping[str, Any]) -> float:
    """0..1 from start, target and current (see the module docstring), rounded."""
    return rounded(_key_result_progress(key_result))


def _key_result_progress(key_result: Mapping[str, Any]) -> float:
    start, target, current = (float(key_result[k]) for k in ("startValue", "targetValue", "currentValue"))
    if MetricKind(key_result["metricKind"]) in DONE_OR_NOT_KINDS:
        return 1.0 if current == target else 0.0
    span = target - start
    if span == 0:  # refused on input; a stored one counts as reached when current is at the target
        return 1.0 if current == target else 0.0
    return min(1.0, max(0.0, (current - start) / span))


def goal_progress(goal: Mapping[str, Any]) -> float:
    """The weighted mean of the goal's key results (0..1; 0 without key results), rounded. Key results
    only."""
    return rounded(_goal_progress(goal))


def _goal_progress(goal: Mapping[str, Any]) -> float:
    key_results = goal.get("keyResults") or []
    total = sum(float(kr["weight"]) for kr in key_results)
    if not key_results or total <= 0:
        return 0.0
    return sum(float(kr["weight"]) * _key_result_progress(kr) for kr in key_results) / total


def counts_in_roll_up(goal: Mapping[str, Any]) -> bool:
    return not goal.get("archived") and goal.get("status") != GoalStatus.CANCELLED.value


def rolled_progress(goal: Mapping[str, Any], children: Callable[[str], Sequence[Mapping[str, Any]]]) -> float:
    """The goal's progress, rolling up aligned children where ``rollUpChildren`` says so, rounded.

    ``children(goal_id)`` returns the goals aligned to ``goal_id`` (it only needs to know those of
    goals that roll up). A cycle in stored alignments is cut where it closes.
    """
    return rounded(_rolled_progress(goal, children, {}, frozenset()))


def mean_progress(progress: Sequence[float]) -> float | None:
    """The plain mean of several progress values, rounded; ``None`` for none."""
    return rounded(sum(progress) / len(progress)) if progress else None


def _rolled_progress(goal: Mapping[str, Any], children: Callable[[str], Sequence[Mapping[str, Any]]],
                     memo: dict[str, float], _path: frozenset[str]) -> float:
    if goal["_id"] in memo:
        return memo[goal["_id"]]
    if not goal.get("rollUpChildren"):
        value = _goal_progress(goal)
    else:
        parts = [_goal_progress(goal)] if goal.get("keyResults") else []
        path = _path | {goal["_id"]}
        for child in children(goal["_id"]):
            if counts_in_roll_up(child) and child["_id"] not in path:
                parts.append(_rolled_progress(child, children, memo, path))
        value = sum(parts) / len(parts) if parts else 0.0
    memo[goal["_id"]] = value
    return value


# input rules

def _finite(value: Any, field: str) -> list[FieldError]:
    if value is None:
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} is required")]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return [FieldError(field, ErrorCode.INVALID, f"{field} must be a finite number")]
    return []


def check_value(kind: MetricKind, value: Any, field: str) -> list[FieldError]:
    """One start, target or current value for a key result of ``kind``."""
    errors = _finite(value, field)
    if errors:
        return errors
    if kind in DONE_OR_NOT_KINDS and value not in (0, 1):
        return [FieldError(field, ErrorCode.INVALID, f"a {kind.value} key result takes 0 (not done) or 1 (done), "
                                                     f"not {value:g}")]
    if kind is MetricKind.PERCENTAGE and not 0 <= value <= 100:
        return [FieldError(field, ErrorCode.INVALID, f"a percentage lies between 0 and 100, not {value:g}")]
    return []


def check_key_result(kr: Mapping[str, Any], prefix: str = "") -> list[FieldError]:
    """A whole key result as it would be stored (fields named as in the document)."""
    errors = check_name(kr.get("title"), f"{prefix}title")
    kind_value = kr.get("metricKind")
    if kind_value is None:
        return [*errors, FieldError(f"{prefix}metricKind", ErrorCode.REQUIRED, "metricKind is required")]
    kind = MetricKind(kind_value)
    for key in ("startValue", "targetValue", "currentValue"):
        value_errors = check_value(kind, kr.get(key), f"{prefix}{key}")
        if key == "currentValue" and kr.get("currentValue") == kr.get("startValue") \
                and any(e.field == f"{prefix}startValue" for e in errors):
            value_errors = []  # the current value defaults to the start value: one error is enough
        errors += value_errors
    if not any(e.field in (f"{prefix}startValue", f"{prefix}targetValue") for e in errors) \
            and kr["startValue"] == kr["targetValue"]:
        errors.append(FieldError(f"{prefix}targetValue", ErrorCode.INVALID,
                                 "targetValue must differ from startValue, or there is no progress to make"))
    unit = kr.get("unit")
    if unit is None:
        errors.append(FieldError(f"{prefix}unit", ErrorCode.REQUIRED, "unit must not be null (use \"\")"))
    elif len(unit) > UNIT_MAX:
        errors.append(FieldError(f"{prefix}unit", ErrorCode.TOO_LONG, f"unit is longer than {UNIT_MAX} characters"))
    weight_errors = _finite(kr.get("weight"), f"{prefix}weight")
    if not weight_errors and not 0 < kr["weight"] <= MAX_WEIGHT:
        weight_errors = [FieldError(f"{prefix}weight", ErrorCode.INVALID,
                                    f"weight must be greater than 0 and at most {MAX_WEIGHT:g}")]
    return errors + weight_errors


def check_key_result_count(count: int, field: str = "keyResults") -> list[FieldError]:
    if count > MAX_KEY_RESULTS:
        return [FieldError(field, ErrorCode.INVALID, f"a goal has at most {MAX_KEY_RESULTS} key results")]
    return []


def check_dates(start: date | None, due: date | None) -> list[FieldError]:
    errors: list[FieldError] = []
    for value, field in ((start, "startDate"), (due, "dueDate")):
        if value is None:
            errors.append(FieldError(field, ErrorCode.REQUIRED, f"{field} is required"))
        elif not FIRST_YEAR <= value.year <= LAST_YEAR:
            errors.append(FieldError(field, ErrorCode.INVALID,
                                     f"{field} must lie between {FIRST_YEAR} and {LAST_YEAR}"))
    if not errors and start is not None and due is not None and due < start:
        errors.append(FieldError("dueDate", ErrorCode.INVALID,
                                 f"dueDate {due.isoformat()} is before startDate {start.isoformat()}"))
    return errors


def check_goal_texts(data: Mapping[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if creating or "title" in data:
        errors += check_name(data.get("title"), "title")
    if "description" in data:
        if data["description"] is None:
            errors.append(FieldError("description", ErrorCode.REQUIRED, "description must not be null (use \"\")"))
        errors += check_text(data["description"], "description")
    return errors


def check_owner_shape(level: GoalLevel, owner_employee_id: str | None,
                      owner_department_id: str | None) -> list[FieldError]:
    """Which owner each level takes: a person, a department, or (company) at most a person."""
    if level is GoalLevel.DEPARTMENT:
        errors = [] if owner_department_id else [
            FieldError("ownerDepartmentId", ErrorCode.REQUIRED, "a department goal needs ownerDepartmentId")]
        if owner_employee_id:
            errors.append(FieldError("ownerEmployeeId", ErrorCode.INVALID,
                                     "a department goal is owned by its department, not by a person"))
        return errors
    if owner_department_id:
        return [FieldError("ownerDepartmentId", ErrorCode.INVALID,
                           f"only department goals have ownerDepartmentId, not {level.value} goals")]
    if level is GoalLevel.INDIVIDUAL and not owner_employee_id:
        return [FieldError("ownerEmployeeId", ErrorCode.REQUIRED, "an individual goal needs ownerEmployeeId")]
    return []


def with_current(kr: Document, current: float | None) -> Document:
    return {**kr, "currentValue": kr["startValue"] if current is None else current}

