"""Best fit for a position: every candidate's score from weighted factors, each with its explanation.

Factors (each from 0 to 1): competency fit (the position's expected levels met by the levels assessed in
the last shared review), calibrated performance (the final rating of that review, out of 5), potential
(the managers' talent rating, out of 3), readiness for this position (ready now 1, in 1–2 years 0.5, in
3+ years 0.2), aspiration (1 when the person's growth plan targets this position, 0.5 when it targets
another rung of a track holding it), mobility (1 in the position's department, or willing to change
department in their plan) and tenure in role (up to three years). The score is the weighted mean; HR
admins set the weights. Nothing about age, family, health or any other protected characteristic is read:
the ranking sees only the documents named here.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from models.core.errors import ErrorCode, FieldError
from models.growth.readiness import ReadinessLevel, day_of

TENURE_FULL_DAYS = 3 * 365
READINESS_VALUE = {ReadinessLevel.READY_NOW.value: 1.0, ReadinessLevel.READY_IN_1_2_YEARS.value: 0.5,
                   ReadinessLevel.READY_IN_3_PLUS_YEARS.value: 0.2}


class Factor(StrEnum):
    COMPETENCY_FIT = "competency_fit"
    PERFORMANCE = "performance"
    POTENTIAL = "potential"
    READINESS = "readiness"
    ASPIRATION = "aspiration"
    MOBILITY = "mobility"
    TENURE = "tenure"


DEFAULT_WEIGHTS: dict[str, float] = {Factor.COMPETENCY_FIT.value: 30, Factor.PERFORMANCE.value: 20,
                                     Factor.POTENTIAL.value: 15, Factor.READINESS.value: 15,
                                     Factor.ASPIRATION.value: 10, Factor.MOBILITY.value: 5, Factor.TENURE.value: 5}
MAX_WEIGHT = 100


@dataclass(frozen=True)
class Contribution:
    factor: Factor
    value: float  # 0..1
    weight: float
    contribution: float  # its share of the score
    explanation: str


@dataclass(frozen=True)
class Candidate:
    employee_id: str
    score: float
    contributions: list[Contribution]


def check_weights(weights: Mapping[str, float]) -> list[FieldError]:
    if any(not 0 <= w <= MAX_WEIGHT for w in weights.values()):
        return [FieldError("candidateWeights", ErrorCode.INVALID, f"each weight lies between 0 and {MAX_WEIGHT}")]
    if not any(weights.values()):
        return [FieldError("candidateWeights", ErrorCode.INVALID, "at least one weight is above 0")]
    return []


def competency_fit(expected: Mapping[str, int], assessed: Mapping[str, int] | None) -> tuple[float, str]:
    if not expected:
        return 0.0, "the position expects no competencies"
    if assessed is None:
        return 0.0, "no shared review assessed this person"
    met = [min(assessed.get(c, 0), level) / level for c, level in sorted(expected.items())]
    value = sum(met) / len(met)
    full = sum(1 for c, level in expected.items() if assessed.get(c, 0) >= level)
    return value, f"{full} of {len(expected)} expected levels met"


@dataclass(frozen=True)
class Weights:
    """The ranking's weights in factor order, and their sum (what each contribution is divided by)."""

    of_factor: tuple[float, ...]
    total: float

    @classmethod
    def of(cls, weights: Mapping[str, float]) -> Weights:
        values = tuple(float(weights.get(f.value, 0)) for f in FACTORS)
        return cls(values, sum(values) or 1.0)


FACTORS = tuple(Factor)
Values = tuple[tuple[float, str], ...]  # (value 0..1, explanation) per factor, in FACTORS order


def factor_values(employee: Mapping[str, Any], position: Mapping[str, Any], *, expected: Mapping[str, int],
                  assessed: Mapping[str, int] | None, rating: int | None, potential: int | None,
                  readiness: str | None, targets: Sequence[Mapping[str, Any]], track_positions: set[str],
                  today: date) -> Values:
    """One candidate's value and explanation for each factor. ``track_positions``: the positions of the
    career tracks holding ``position``."""
    aimed = {t["positionId"] for t in targets}
    if position["_id"] in aimed:
        aspiration = (1.0, "their growth plan targets this position")
    elif aimed & track_positions:
        aspiration = (0.5, "their growth plan targets another rung of this position's track")
    else:
        aspiration = (0.0, "no stated aspiration toward it")
    if employee.get("departmentId") == position.get("departmentId"):
        mobility = (1.0, "already in the position's department")
    elif any(t.get("willingToChangeDepartment") for t in targets):
        mobility = (1.0, "willing to change department")
    else:
        mobility = (0.0, "in another department, no stated willingness to move")
    history = employee.get("positionHistory") or []
    since = day_of(history[-1]["until"]) if history else day_of(employee.get("hireDate"))
    days = (today - since).days if since else 0
    return (competency_fit(expected, assessed),
            ((rating or 0) / 5, f"final rating {rating} of 5" if rating else "no rating"),
            ((potential or 0) / 3, f"potential {potential} of 3" if potential else "no potential rating"),
            (READINESS_VALUE.get(readiness or "", 0.0),
             f"assessed {readiness}" if readiness else "readiness not assessed"),
            aspiration, mobility, (min(max(days, 0) / TENURE_FULL_DAYS, 1.0), f"{days} days in role"))


@dataclass(frozen=True)
class Scoring:
    """What a ranking for one position computes once, then each candidate's score from numbers alone: the
    same values (and so the same score) as :func:`weighted` of :func:`factor_values`, without the
    explanations, which only the candidates shown need. Factors weighted 0 are skipped (their part is 0)."""

    position_id: str
    department_id: str | None
    expected: tuple[tuple[str, int], ...]  # by competency id, as competency_fit sums them
    track_positions: frozenset[str]
    weights: Weights
    today: date

    @classmethod
    def of(cls, position: Mapping[str, Any], *, expected: Mapping[str, int], track_positions: set[str],
           weights: Weights, today: date) -> Scoring:
        return cls(position["_id"], position.get("departmentId"), tuple(sorted(expected.items())),
                   frozenset(track_positions), weights, today)

    def score(self, employee: Mapping[str, Any], *, assessed: Mapping[str, int] | None, rating: int | None,
              potential: int | None, readiness: str | None, targets: Sequence[Mapping[str, Any]]) -> float:
        """The candidate's score, equal to ``weighted(factor_values(...), weights)``."""
        fit_w, performance_w, potential_w, readiness_w, aspiration_w, mobility_w, tenure_w = self.weights.of_factor
        total = self.weights.total
        score = 0.0
        if fit_w and assessed is not None and self.expected:
            met = [min(assessed.get(c, 0), level) / level for c, level in self.expected]
            score += round(sum(met) / len(met) * fit_w / total, 4)
        if performance_w and rating:
            score += round(rating / 5 * performance_w / total, 4)
        if potential_w and potential:
            score += round(potential / 3 * potential_w / total, 4)
        if readiness_w and readiness:
            score += round(READINESS_VALUE.get(readiness, 0.0) * readiness_w / total, 4)
        if aspiration_w and targets:
            aimed = {t["positionId"] for t in targets}
            value = 1.0 if self.position_id in aimed else 0.5 if aimed & self.track_positions else 0.0
            score += round(value * aspiration_w / total, 4)
        if mobility_w and (employee.get("departmentId") == self.department_id
                           or any(t.get("willingToChangeDepartment") for t in targets)):
            score += round(mobility_w / total, 4)
        if tenure_w:
            history = employee.get("positionHistory") or []
            since = day_of(history[-1]["until"]) if history else day_of(employee.get("hireDate"))
            days = (self.today - since).days if since else 0
            score += round(min(max(days, 0) / TENURE_FULL_DAYS, 1.0) * tenure_w / total, 4)
        return round(score, 4)


def weighted(values: Values, weights: Weights) -> float:
    """The score: the sum of each factor's contribution (value × weight ÷ the sum of the weights, each
    rounded to 4 places as shown)."""
    total = weights.total
    return round(sum(round(v * w / total, 4) for (v, _), w in zip(values, weights.of_factor, strict=True)), 4)


def explained(employee_id: str, values: Values, weights: Weights) -> Candidate:
    """The candidate with each factor's part in their score."""
    contributions = [Contribution(f, round(v, 4), w, round(v * w / weights.total, 4), text)
                     for f, (v, text), w in zip(FACTORS, values, weights.of_factor, strict=True)]
    return Candidate(employee_id, weighted(values, weights), contributions)


def best(scored: Iterable[tuple[str, float]], first: int) -> list[tuple[str, float]]:
    """The ``first`` highest (employee id, score) pairs, highest first; ties by employee id, so the order
    is stable."""
    return heapq.nsmallest(first, scored, key=lambda pair: (-pair[1], pair[0]))


def check_potential(potential: int) -> list[FieldError]:
    if not 1 <= potential <= 3:
        return [FieldError("potential", ErrorCode.INVALID, "potential is 1 (low), 2 (moderate) or 3 (high)")]
    return []
