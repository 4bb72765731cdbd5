"""Succession plans for key positions: successors (people, or an external placeholder) in rank order, an
emergency successor, each proposed or confirmed; bench strength from their readiness; risks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name
from models.growth.readiness import ReadinessLevel
from models.org.rules import EmployeeStatus

MAX_SUCCESSORS = 10


class SuccessorStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"


class SuccessionChange(StrEnum):
    """What a ``successionChanged`` event reports."""

    PLAN_SAVED = "plan_saved"
    READINESS_CHANGED = "readiness_changed"
    SUCCESSOR_MOVED = "successor_moved"
    SUCCESSOR_LEFT = "successor_left"
    REVIEW_RESULT_CHANGED = "review_result_changed"
    EMPLOYMENT_CHANGED = "employment_changed"


def plan_id(position_id: str) -> str:
    """One succession plan per position."""
    return f"succession-{position_id}"


def check_successors(successors: Sequence[Mapping[str, Any]], people: Mapping[str, Document | None],
                     incumbent_ids: set[str], position_id: str) -> list[FieldError]:
    """Up to 10 successors, each exactly one of a person of the organisation who has not left, is not an
    incumbent and holds another position, or an external placeholder with a name; nobody twice; at most one
    emergency successor."""
    if len(successors) > MAX_SUCCESSORS:
        return [FieldError("successors", ErrorCode.INVALID,
                           f"a succession plan has at most {MAX_SUCCESSORS} successors")]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, successor in enumerate(successors):
        field = f"successors.{i}"
        employee_id, external = successor.get("employeeId"), successor.get("externalName")
        if (employee_id is None) == (external is None):
            errors.append(FieldError(field, ErrorCode.INVALID, "a successor is either a person or an external name"))
            continue
        if external is not None:
            errors += check_name(external, f"{field}.externalName")
            continue
        person = people.get(employee_id)
        if person is None:
            errors.append(FieldError(f"{field}.employeeId", ErrorCode.NOT_FOUND,
                                     f"no employee {employee_id!r} in your organisation"))
        elif person.get("status") == EmployeeStatus.TERMINATED.value:
            errors.append(FieldError(f"{field}.employeeId", ErrorCode.INACTIVE, f"{person['name']} has left"))
        elif employee_id in incumbent_ids or person.get("positionId") == position_id:
            errors.append(FieldError(f"{field}.employeeId", ErrorCode.INVALID, f"{person['name']} holds this position"))
        elif employee_id in seen:
            errors.append(FieldError(f"{field}.employeeId", ErrorCode.DUPLICATE, f"{person['name']} is listed twice"))
        seen.add(employee_id)
    if sum(1 for s in successors if s.get("emergency")) > 1:
        errors.append(FieldError("successors", ErrorCode.INVALID, "a plan names at most one emergency successor"))
    return errors


@dataclass(frozen=True)
class BenchStrength:
    ready_now: int
    ready_in_1_2_years: int
    ready_in_3_plus_years: int
    unknown: int

    @property
    def at_risk(self) -> bool:
        """No successor ready now."""
        return self.ready_now == 0


def bench_strength(levels: Sequence[ReadinessLevel | None]) -> BenchStrength:
    """How many successors (who have not left) are at each readiness level."""
    return BenchStrength(sum(1 for x in levels if x is ReadinessLevel.READY_NOW),
                         sum(1 for x in levels if x is ReadinessLevel.READY_IN_1_2_YEARS),
                         sum(1 for x in levels if x is ReadinessLevel.READY_IN_3_PLUS_YEARS),
                         sum(1 for x in levels if x is None))
