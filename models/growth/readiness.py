"""Readiness of a person for a target position, from evidence that each keeps its source and date.

Evidence: the competency gaps (the target's expected levels against the levels assessed in the person's
last shared review), that review's final (calibrated) rating, tenure in the current role, time since the
last promotion, goal achievement and a manager's assessment on the organisation's scale. Evidence older
than the organisation's ``staleAfterDays`` (default 365) is stale. The readiness level is the manager's
assessment while it is fresh, else the one the competency gaps give while they are fresh, else unknown:
it is computed when read, so it changes as soon as its evidence does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

DEFAULT_STALE_AFTER_DAYS = 365
MISSING_ASSESSMENT_GAP = 2  # a competency the target expects but no review assessed counts as two levels short


class ReadinessLevel(StrEnum):
    """The default scale: ready now, in 1–2 years, in 3 or more years."""

    READY_NOW = "ready_now"
    READY_IN_1_2_YEARS = "ready_in_1_2_years"
    READY_IN_3_PLUS_YEARS = "ready_in_3_plus_years"


class EvidenceKind(StrEnum):
    COMPETENCY_GAPS = "competency_gaps"
    RATING = "rating"
    TENURE_IN_ROLE = "tenure_in_role"
    TIME_SINCE_PROMOTION = "time_since_promotion"
    GOAL_ACHIEVEMENT = "goal_achievement"
    MANAGER_ASSESSMENT = "manager_assessment"


@dataclass(frozen=True)
class Gap:
    competency_id: str
    expected: int
    assessed: int | None

    @property
    def shortfall(self) -> int:
        """Levels still to grow (0 when met); a competency never assessed counts as two short."""
        if self.assessed is None:
            return MISSING_ASSESSMENT_GAP
        return max(0, self.expected - self.assessed)


@dataclass(frozen=True)
class Evidence:
    kind: EvidenceKind
    source: str  # "review:<id>", "assessment:<id>", "employee:<id>", "promotion:<id>", "goals:<employee id>"
    on: date | None
    stale: bool
    summary: str
    value: float | None = None


@dataclass(frozen=True)
class Readiness:
    level: ReadinessLevel | None
    derived_from: EvidenceKind | None
    gaps: list[Gap]
    evidence: list[Evidence]


def gaps_for(expected: Mapping[str, int], assessed: Mapping[str, int]) -> list[Gap]:
    """One gap per competency the target position expects, by competency id."""
    return [Gap(c, level, assessed.get(c)) for c, level in sorted(expected.items())]


def level_from_gaps(gaps: Sequence[Gap]) -> ReadinessLevel:
    """No shortfall: ready now; at most one level short anywhere: in 1–2 years; else 3+ years."""
    worst = max((g.shortfall for g in gaps), default=0)
    if worst == 0:
        return ReadinessLevel.READY_NOW
    return ReadinessLevel.READY_IN_1_2_YEARS if worst <= 1 else ReadinessLevel.READY_IN_3_PLUS_YEARS


def is_stale(on: date | None, today: date, stale_after_days: int) -> bool:
    return on is None or (today - on).days > stale_after_days


def day_of(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def readiness(*, employee: Mapping[str, Any], expected: Mapping[str, int], assessed: Mapping[str, int] | None,
              review_id: str | None, reviewed_on: date | None, rating: int | None,
              assessment: Mapping[str, Any] | None, last_promotion: Mapping[str, Any] | None,
              goals: Sequence[Mapping[str, Any]] | None, today: date,
              stale_after_days: int = DEFAULT_STALE_AFTER_DAYS) -> Readiness:
    """The readiness and its evidence. ``assessed`` is ``None`` when no review was shared; ``goals`` the
    person's goals as the viewer may see them (``None``: not looked at)."""
    evidence: list[Evidence] = []
    gaps = gaps_for(expected, assessed or {})
    gaps_stale = assessed is None or is_stale(reviewed_on, today, stale_after_days)
    if assessed is not None:
        short = sum(1 for g in gaps if g.shortfall)
        evidence.append(Evidence(EvidenceKind.COMPETENCY_GAPS, f"review:{review_id}", reviewed_on, gaps_stale,
                                 f"{short} of {len(gaps)} expected competencies below the target's level",
                                 float(sum(g.shortfall for g in gaps))))
        if rating is not None:
            evidence.append(Evidence(EvidenceKind.RATING, f"review:{review_id}", reviewed_on, gaps_stale,
                                     f"final rating {rating}", float(rating)))
    in_role_since = day_of((last_promotion or {}).get("appliedOn")) or day_of(employee.get("hireDate"))
    if in_role_since is not None:
        days = (today - in_role_since).days
        source = f"promotion:{last_promotion['_id']}" if last_promotion else f"employee:{employee['_id']}"
        evidence.append(Evidence(EvidenceKind.TENURE_IN_ROLE, source, in_role_since, False,
                                 f"{days} days in the current role", float(days)))
    if last_promotion is not None and in_role_since is not None:
        evidence.append(Evidence(EvidenceKind.TIME_SINCE_PROMOTION, f"promotion:{last_promotion['_id']}",
                                 in_role_since, False, f"promoted {(today - in_role_since).days} days ago",
                                 float((today - in_role_since).days)))
    if goals is not None:
        counted = [g for g in goals if g.get("status") != "cancelled"]
        if counted:
            done = sum(1 for g in counted if g.get("status") == "done")
            latest = max((day_of(g.get("updatedAt")) for g in counted if g.get("updatedAt")), default=None)
            evidence.append(Evidence(EvidenceKind.GOAL_ACHIEVEMENT, f"goals:{employee['_id']}", latest,
                                     is_stale(latest, today, stale_after_days),
                                     f"{done} of {len(counted)} goals done", round(done / len(counted), 4)))
    level: ReadinessLevel | None = None
    derived: EvidenceKind | None = None
    if assessment is not None:
        on = day_of(assessment["assessedAt"])
        stale = is_stale(on, today, stale_after_days)
        evidence.append(Evidence(EvidenceKind.MANAGER_ASSESSMENT, f"assessment:{assessment['_id']}", on, stale,
                                 f"assessed {assessment['level']}"))
        if not stale:
            level, derived = ReadinessLevel(assessment["level"]), EvidenceKind.MANAGER_ASSESSMENT
    if level is None and assessed is not None and not gaps_stale:
        level, derived = level_from_gaps(gaps), EvidenceKind.COMPETENCY_GAPS
    return Readiness(level, derived, gaps, evidence)


def assessment_id(employee_id: str, position_id: str) -> str:
    """One manager's assessment per (person, position): the latest replaces the one before."""
    return f"readiness-{employee_id}-{position_id}"
