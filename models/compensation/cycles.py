"""Merit cycles: phases, eligibility and proration, the pay snapshot at launch, the merit matrix and the
increase a proposal means. Pure rules, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from models.compensation.money import (
    Money,
    check_currency,
    check_percent,
    check_rate,
    convert,
    decimal_of,
    percent_of,
    scale,
)
from models.compensation.rules import annual, compa_ratio, current_record, range_position
from models.core.documents import stable_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name, check_text

PRORATION_PLACES = Decimal("0.0001")
MAX_TENURE_MONTHS = 600
RATINGS = range(1, 6)


class Phase(StrEnum):
    DRAFT = "draft"
    LAUNCHING = "launching"  # a launch under way (or stopped part-way: launching again completes it)
    PROPOSALS = "proposals"
    REVIEW = "review"
    APPROVED = "approved"
    SHARED = "shared"
    EXPORTED = "exported"


ORDER = [p for p in Phase if p is not Phase.LAUNCHING]  # the phases one moves through, one step at a time
LOCKED = frozenset({Phase.APPROVED, Phase.SHARED, Phase.EXPORTED})


def next_phase(phase: str) -> Phase | None:
    if phase == Phase.LAUNCHING:
        return None  # only a launch moves it on
    index = ORDER.index(Phase(phase))
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def is_locked(cycle: Mapping[str, Any]) -> bool:
    """Approved, shared or exported: pay snapshots, rates, matrix and proposals no longer change."""
    return cycle.get("phase") in LOCKED


class SkipReason(StrEnum):
    NOT_ACTIVE = "not_active"
    HIRED_AFTER_CUTOFF = "hired_after_cutoff"
    SHORT_TENURE = "short_tenure"
    RECENT_PAY_CHANGE = "recent_pay_change"
    EXCLUDED = "excluded"
    NO_PAY = "no_pay"


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (a month is complete on the same day of the month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def minus_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(candidate, day.day))
        except ValueError:
            continue
    raise ValueError(day)


def proration(hire_date: date, period_start: date, period_end: date) -> Decimal:
    """The share of the period worked, in whole calendar months: a month counts when the person was
    employed from its first day. Hired before the period: 1; e.g. a January–December period and a hire on
    15 March: April–December, 9/12 = 0.75."""
    total = months_between(date(period_start.year, period_start.month, 1),
                           date(period_end.year, period_end.month, 1)) + 1
    if hire_date <= period_start:
        return Decimal(1)
    first = date(hire_date.year, hire_date.month, 1)
    if hire_date.day != 1:
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    worked = months_between(first, date(period_end.year, period_end.month, 1)) + 1
    worked = max(0, min(total, worked))
    return (Decimal(worked) / Decimal(total)).quantize(PRORATION_PLACES, rounding=ROUND_HALF_UP)


# ---- the cycle ------------------------------------------------------------------------------------------

def check_rates(rates: Mapping[str, Decimal], currency: str) -> list[FieldError]:
    errors: list[FieldError] = []
    for code, rate in rates.items():
        errors += check_currency(code, "rates.currency")
        errors += check_rate(rate, f"rates.{code}")
        if code == currency:
            errors.append(FieldError(f"rates.{code}", ErrorCode.INVALID, "no rate for the cycle currency itself"))
    return errors


def check_cycle(data: Mapping[str, Any], *, review_cycle: Mapping[str, Any] | None,
                employee_ids: set[str]) -> list[FieldError]:
    errors = check_name(data.get("name"), "name")
    errors += check_currency(data.get("currency"), "currency")
    if data.get("reviewCycleId") and review_cycle is None:
        errors.append(FieldError("reviewCycleId", ErrorCode.NOT_FOUND, "no such review cycle"))
    start, end, effective = data.get("periodStart"), data.get("periodEnd"), data.get("effectiveDate")
    if start is None or end is None or start > end:
        errors.append(FieldError("periodEnd", ErrorCode.INVALID, "the period needs a start on or before its end"))
    if effective is None:
        errors.append(FieldError("effectiveDate", ErrorCode.REQUIRED, "effectiveDate is required"))
    if data.get("hiredBefore") is None:
        errors.append(FieldError("hiredBefore", ErrorCode.REQUIRED, "hiredBefore (the eligibility cutoff) is required"))
    for name in ("minTenureMonths", "noPayChangeMonths"):
        value = data.get(name) or 0
        if not 0 <= value <= MAX_TENURE_MONTHS:
            errors.append(FieldError(name, ErrorCode.INVALID, f"{name} must be between 0 and {MAX_TENURE_MONTHS}"))
    errors += check_percent(data.get("meritBudgetPercent"), "meritBudgetPercent")
    errors += check_percent(data.get("promotionBudgetPercent") or Decimal(0), "promotionBudgetPercent")
    if not errors:
        errors += check_rates(data.get("rates") or {}, data["currency"])
    missing = set(data.get("excludedEmployeeIds") or []) - employee_ids
    if missing:
        errors.append(FieldError("excludedEmployeeIds", ErrorCode.NOT_FOUND, f"{len(missing)} unknown employee id(s)"))
    return errors


def cycle_document(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"].strip(), "reviewCycleId": data.get("reviewCycleId"), "currency": data["currency"],
        "rates": {code: str(rate) for code, rate in (data.get("rates") or {}).items()},
        "periodStart": data["periodStart"].isoformat(), "periodEnd": data["periodEnd"].isoformat(),
        "effectiveDate": data["effectiveDate"].isoformat(),
        "eligibility": {"hiredBefore": data["hiredBefore"].isoformat(),
                        "minTenureMonths": data.get("minTenureMonths") or 0,
                        "noPayChangeMonths": data.get("noPayChangeMonths") or 0,
                        "excludedEmployeeIds": sorted(set(data.get("excludedEmployeeIds") or []))},
        "meritBudgetPercent": str(data["meritBudgetPercent"]),
        "promotionBudgetPercent": str(data.get("promotionBudgetPercent") or Decimal(0)),
        "blockOverBudget": bool(data.get("blockOverBudget")),
        "matrix": default_matrix(),
    }


def rates_of(cycle: Mapping[str, Any]) -> dict[str, Decimal]:
    return {code: decimal_of(rate) for code, rate in (cycle.get("rates") or {}).items()}


# ---- eligibility and the snapshot at launch ----------------------------------------------------------------

@dataclass
class Eligibility:
    eligible: list[Mapping[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, SkipReason]] = field(default_factory=list)


def eligibility(cycle: Mapping[str, Any], employees: Iterable[Mapping[str, Any]],
                records: Mapping[str, Sequence[Mapping[str, Any]]], on: date) -> Eligibility:
    """Who takes part: active, not excluded, hired strictly before the cutoff, with at least
    ``minTenureMonths`` at the cutoff, no pay change (a record after a person's first) in the
    ``noPayChangeMonths`` before it, and with pay in effect on ``on`` (the snapshot day)."""
    rules = cycle["eligibility"]
    cutoff = date.fromisoformat(rules["hiredBefore"])
    excluded = set(rules.get("excludedEmployeeIds") or [])
    changes_since = minus_months(cutoff, rules.get("noPayChangeMonths") or 0).isoformat()
    result = Eligibility()
    for employee in sorted(employees, key=lambda e: e["_id"]):
        id = employee["_id"]
        hired = date.fromisoformat(employee["hireDate"]) if employee.get("hireDate") else None
        mine = sorted(records.get(id, []), key=lambda r: (r["effectiveDate"], r["recordedAt"]))
        if employee.get("status") != "active":
            reason: SkipReason | None = SkipReason.NOT_ACTIVE
        elif id in excluded:
            reason = SkipReason.EXCLUDED
        elif hired is None or hired >= cutoff:
            reason = SkipReason.HIRED_AFTER_CUTOFF
        elif months_between(hired, cutoff) < (rules.get("minTenureMonths") or 0):
            reason = SkipReason.SHORT_TENURE
        elif current_record(mine, on) is None:
            reason = SkipReason.NO_PAY
        elif rules.get("noPayChangeMonths") and any(
                changes_since < r["effectiveDate"] <= rules["hiredBefore"] for r in mine[1:]):
            reason = SkipReason.RECENT_PAY_CHANGE
        else:
            reason = None
        if reason is None:
            result.eligible.append(employee)
        else:
            result.skipped.append((id, reason))
    return result


def applied(participant: Mapping[str, Any], changes: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    """A participant as a change leaves it (``store.compensation.repository.write_proposal``): ``changes`` set
    whole, ``entry`` pushed on the trail, the version incremented."""
    return {**participant, **changes, "trail": [*participant.get("trail", []), dict(entry)],
            "version": participant["version"] + 1}


def participant_id(cycle_id: str, employee_id: str) -> str:
    return stable_id(f"merit:{cycle_id}:{employee_id}")


class CurrencyMissing(Exception):
    """A person's pay is in a currency the cycle has no exchange rate for."""

    def __init__(self, currency: str) -> None:
        super().__init__(currency)
        self.currency = currency


def snapshot(cycle: Mapping[str, Any], employee: Mapping[str, Any], record: Mapping[str, Any],
             band: Mapping[str, Any] | None, rating: int | None, *, level: int | None = None,
             zone: str | None = None) -> dict[str, Any]:
    """A participant's pay as of launch: annual pay in its own currency and in the cycle's, compa-ratio and
    position in range against the person's band (found by position or level and zone, ``rules.band_for``),
    the calibrated rating, the proration. Raises :class:`CurrencyMissing`. Fields without a value (null, an empty
    trail, the annual frequency) are left out: a launch writes thousands of these, and the store's work grows with
    every field."""
    pay = annual(record)
    in_cycle = convert(pay, cycle["currency"], rates_of(cycle))
    if in_cycle is None:
        raise CurrencyMissing(pay.currency)
    ratio = compa_ratio(pay, band) if band else None
    position = range_position(pay, band) if band else None
    hired = date.fromisoformat(employee["hireDate"])
    share = proration(hired, date.fromisoformat(cycle["periodStart"]), date.fromisoformat(cycle["periodEnd"]))
    doc = {
        "_id": participant_id(cycle["_id"], employee["_id"]), "cycleId": cycle["_id"],
        "employeeId": employee["_id"], "managerId": employee.get("managerId"),
        "managerChain": list(employee.get("managerChain") or []), "positionId": employee.get("positionId"),
        "level": level, "zone": zone, "bandId": band["_id"] if band else None,
        "departmentId": employee.get("departmentId"), "externalId": employee.get("externalId"),
        "payRecordId": record["_id"], "frequency": record.get("frequency", "annual"),
        "pay": pay.document(), "payInCycle": in_cycle.document(),
        "compaRatio": None if ratio is None else str(ratio),
        "rangePosition": None if position is None else str(position), "rating": rating, "proration": str(share),
        "proposal": None, "trail": [], "version": 0,
    }
    return {k: v for k, v in doc.items()
            if k in KEPT_NULL or not (v is None or (k, v) in (("trail", []), ("frequency", "annual")))}


KEPT_NULL = frozenset({"managerId", "positionId", "departmentId", "compaRatio", "rating", "proposal"})  # queried


# ---- the merit matrix --------------------------------------------------------------------------------------

def default_matrix() -> dict[str, Any]:
    """Rating 1-5 × compa-ratio below 0.9 / 0.9-1.1 / above 1.1: higher ratings and lower pay in the band
    get more."""
    targets = {1: (0, 0, 0), 2: (1, 0.5, 0), 3: (3, 2.5, 1.5), 4: (4.5, 4, 3), 5: (6, 5, 4)}
    cells = []
    for rating, per_band in targets.items():
        for band, target in enumerate(per_band):
            t = Decimal(str(target))
            cells.append({"rating": rating, "band": band, "min": str(max(Decimal(0), t - 1)), "target": str(t),
                          "max": str(t + 1 if t else Decimal(0))})
    return {"compaBounds": ["0.9", "1.1"], "cells": cells, "version": 0}


def check_matrix(bounds: Sequence[Decimal], cells: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(bounds) > 6 or any(b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        errors.append(FieldError("compaBounds", ErrorCode.INVALID,
                                 "compaBounds: up to six increasing positive compa-ratios"))
        return errors
    seen = set()
    for i, cell in enumerate(cells):
        key = (cell["rating"], cell["band"])
        if cell["rating"] not in RATINGS or not 0 <= cell["band"] <= len(bounds) or key in seen:
            errors.append(FieldError(f"cells.{i}", ErrorCode.INVALID, "a cell needs a rating 1-5 and a known band, "
                                                                      "once each"))
            continue
        seen.add(key)
        for name in ("min", "target", "max"):
            errors += check_percent(cell[name], f"cells.{i}.{name}")
        if not errors and not cell["min"] <= cell["target"] <= cell["max"]:
            errors.append(FieldError(f"cells.{i}", ErrorCode.INVALID, "a cell needs min ≤ target ≤ max"))
    if not errors and len(seen) != len(RATINGS) * (len(bounds) + 1):
        errors.append(FieldError("cells", ErrorCode.REQUIRED, "every rating × band needs a cell"))
    return errors


def matrix_document(bounds: Sequence[Decimal], cells: Sequence[Mapping[str, Any]], version: int) -> dict[str, Any]:
    return {"compaBounds": [str(b) for b in bounds],
            "cells": [{"rating": c["rating"], "band": c["band"], "min": str(c["min"]), "target": str(c["target"]),
                       "max": str(c["max"])} for c in sorted(cells, key=lambda c: (c["rating"], c["band"]))],
            "version": version}


def band_of(matrix: Mapping[str, Any], compa: str | None) -> int | None:
    """The compa-ratio band: the first bound the ratio is below, else the last band."""
    if compa is None:
        return None
    value = decimal_of(compa)
    bounds = [decimal_of(b) for b in matrix["compaBounds"]]
    return next((i for i, bound in enumerate(bounds) if value < bound), len(bounds))


def cell_for(matrix: Mapping[str, Any], rating: int | None, compa: str | None) -> Mapping[str, Any] | None:
    """The matrix cell of a calibrated rating and a compa-ratio (``None`` without either)."""
    band = band_of(matrix, compa)
    if rating is None or band is None:
        return None
    return next((c for c in matrix["cells"] if c["rating"] == rating and c["band"] == band), None)


# ---- proposals ---------------------------------------------------------------------------------------------

def increase(participant: Mapping[str, Any], percent: Decimal) -> Money:
    """The prorated increase of ``percent`` on the participant's pay, in the cycle currency (one rounding)."""
    pay = Money.of(participant["payInCycle"])
    return Money(scale(pay.minor, percent / Decimal(100) * decimal_of(participant["proration"])), pay.currency)


def increase_in_own_currency(participant: Mapping[str, Any], percent: Decimal) -> Money:
    """The same increase on the person's pay in its own currency (what payroll receives)."""
    pay = Money.of(participant["pay"])
    return Money(scale(pay.minor, percent / Decimal(100) * decimal_of(participant["proration"])), pay.currency)


def repriced_proposal(participant: Mapping[str, Any]) -> dict[str, Any] | None:
    """The participant's proposal with its amounts worked out again from its snapshot as it is now (after a pay or
    rate change): the merit and promotion percentages stay, their amounts in the cycle currency follow."""
    proposal = participant.get("proposal")
    if not proposal:
        return None
    repriced = {**proposal, "increaseMinor": increase(participant, decimal_of(proposal["percent"])).minor}
    promotion_percent = (proposal.get("promotion") or {}).get("percent")
    if proposal.get("promotionIncreaseMinor") and promotion_percent is not None:
        repriced["promotionIncreaseMinor"] = percent_of(participant["payInCycle"]["minor"],
                                                        decimal_of(promotion_percent))
    return repriced


def in_new_rates(participant: Mapping[str, Any], currency: str,
                 rates: Mapping[str, Decimal]) -> dict[str, Any] | None:
    """The changes that express a participant's pay (and their proposal's amounts) in ``currency`` with new
    ``rates``; ``None`` when nothing moves. Raises :class:`CurrencyMissing` when their pay's currency has no rate."""
    pay = Money.of(participant["pay"])
    in_cycle = convert(pay, currency, rates)
    if in_cycle is None:
        raise CurrencyMissing(pay.currency)
    if in_cycle.document() == participant["payInCycle"]:
        return None
    changes: dict[str, Any] = {"payInCycle": in_cycle.document()}
    if participant.get("proposal"):
        changes["proposal"] = repriced_proposal({**participant, **changes})
    return changes


def projected(participant: Mapping[str, Any], matrix: Mapping[str, Any]) -> int:
    """The increase the matrix recommends for a participant (its cell's target), in cycle minor units."""
    cell = cell_for(matrix, participant.get("rating"), participant.get("compaRatio"))
    return increase(participant, decimal_of(cell["target"])).minor if cell else 0


def check_proposal(participant: Mapping[str, Any], matrix: Mapping[str, Any], percent: Decimal,
                   justification: str | None) -> list[FieldError]:
    """A proposed percentage: within its matrix cell, or outside it with a justification (a person without
    a rating or a band has no cell: every proposal for them is a deviation)."""
    errors = check_percent(percent, "percent")
    errors += check_text(justification, "justification")
    if errors:
        return errors
    cell = cell_for(matrix, participant.get("rating"), participant.get("compaRatio"))
    inside = cell is not None and decimal_of(cell["min"]) <= percent <= decimal_of(cell["max"])
    if not inside and not (justification and justification.strip()):
        where = "outside the matrix range" if cell else "without a matrix cell (no rating or no band)"
        return [FieldError("justification", ErrorCode.REQUIRED, f"an increase {where} needs a justification")]
    return []


def next_approver(chain: Sequence[str], after: str | None) -> str | None:
    """Who approves next up the management chain (``chain``: top first) after ``after`` (the proposer, or
    the last manager who approved); ``None``: the proposal has reached HR (compensation admins)."""
    if after not in chain:
        return None
    index = list(chain).index(after)
    return chain[index - 1] if index > 0 else None


def percent_for_amount(participant: Mapping[str, Any], amount_minor: int) -> Decimal:
    """The percentage an amount (cycle currency) is of the participant's prorated pay, to two decimals."""
    base = Decimal(participant["payInCycle"]["minor"]) * decimal_of(participant["proration"])
    if base <= 0:
        return Decimal(0)
    return (Decimal(amount_minor) * 100 / base).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def new_pay(participant: Mapping[str, Any]) -> Money:
    """Annual pay after the proposal (the prorated merit increase and any promotion increase, not prorated), in
    the person's own currency."""
    pay = Money.of(participant["pay"])
    proposal = participant.get("proposal")
    if not proposal:
        return pay
    promotion = (proposal.get("promotion") or {}).get("percent")
    raised = pay + increase_in_own_currency(participant, decimal_of(proposal["percent"]))
    if promotion is None:
        return raised
    return raised + Money(scale(pay.minor, decimal_of(promotion) / Decimal(100)), pay.currency)

