"""Compensation inputs: amounts are decimals with a currency (never floats); percentages are decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry

from schema.compensation.enums import PayFrequencyEnum


@strawberry.input(description="A band: minimum ≤ midpoint ≤ maximum of annual pay in one currency, for a position or "
                              "a position level (one of them), in a location zone or for every zone. Saving the "
                              "band of the same position or level and zone replaces it.")
class PayBandInput:
    position_id: strawberry.ID | None = strawberry.field(default=None, description="The position (or level).")
    currency: str = strawberry.field(description="ISO 4217 code of the amounts.")
    minimum: Decimal = strawberry.field(description="The lowest annual pay.")
    midpoint: Decimal = strawberry.field(description="The midpoint (compa-ratio 1).")
    maximum: Decimal = strawberry.field(description="The highest annual pay.")
    level: int | None = strawberry.field(default=None, description="A position level, 1-20 (or positionId).")
    zone: str | None = strawberry.field(default=None, description="A location zone code (upper case, up to 32 "
                                                                  "letters, digits, - or _); null: every zone.")


def band_data(input: PayBandInput) -> dict[str, Any]:
    return {"positionId": str(input.position_id) if input.position_id else None, "level": input.level,
            "zone": input.zone, "currency": input.currency, "minimum": input.minimum, "midpoint": input.midpoint,
            "maximum": input.maximum}


@strawberry.input(description="A pay record: a base amount in a currency, how often it is paid, from when, and why.")
class RecordPayInput:
    employee_id: strawberry.ID = strawberry.field(description="The person.")
    effective_date: date = strawberry.field(description="From when it applies.")
    amount: Decimal = strawberry.field(description="The base amount, exact to the currency's minor unit.")
    currency: str = strawberry.field(description="ISO 4217 code.")
    reason: str = strawberry.field(description="Why (at most 200 characters).")
    frequency: PayFrequencyEnum = strawberry.field(  # type: ignore[attr-defined]
        default=PayFrequencyEnum.ANNUAL, description="How often the base amount is paid.")


def pay_data(input: RecordPayInput) -> dict[str, Any]:
    return {"employeeId": str(input.employee_id), "effectiveDate": input.effective_date, "amount": input.amount,
            "currency": input.currency, "reason": input.reason, "frequency": input.frequency.value}


@strawberry.input(description="Units of the cycle currency per unit of another currency.")
class ExchangeRateInput:
    currency: str = strawberry.field(description="The other currency (ISO 4217).")
    rate: Decimal = strawberry.field(description="Cycle-currency units per unit of it (at most six decimals).")


@strawberry.input(description="A merit cycle: linked to a review cycle, its period and eligibility, its currency "
                              "and rates, and the merit budget as a % of eligible payroll.")
class MeritCycleInput:
    name: str = strawberry.field(description="The cycle's name.")
    currency: str = strawberry.field(description="The cycle currency (ISO 4217).")
    period_start: date = strawberry.field(description="First day of the period worked (for proration).")
    period_end: date = strawberry.field(description="Last day of the period worked.")
    effective_date: date = strawberry.field(description="When the new pay takes effect.")
    hired_before: date = strawberry.field(description="Eligible: hired strictly before this date.")
    merit_budget_percent: Decimal = strawberry.field(description="The merit pool as a % of eligible payroll.")
    review_cycle_id: strawberry.ID | None = strawberry.field(
        default=None, description="The review cycle whose calibrated ratings it uses.")
    min_tenure_months: int = strawberry.field(
        default=0, description="Eligible: at least this many months of tenure at the cutoff (0-600).")
    no_pay_change_months: int = strawberry.field(
        default=0, description="Eligible: no pay change in this many months before the cutoff (0-600).")
    promotion_budget_percent: Decimal = strawberry.field(
        default=Decimal(0), description="The promotion pool as a % of eligible payroll.")
    block_over_budget: bool = strawberry.field(
        default=False, description="Refuse proposals that would take a budget over its allocation (else a warning).")
    excluded_employee_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="People left out by name.")
    rates: list[ExchangeRateInput] = strawberry.field(
        default_factory=list, description="Exchange rates into the cycle currency.")


def rates_data(rates: list[ExchangeRateInput]) -> dict[str, Decimal]:
    return {r.currency: r.rate for r in rates}


def cycle_data(input: MeritCycleInput) -> dict[str, Any]:
    return {"name": input.name, "currency": input.currency, "periodStart": input.period_start,
            "periodEnd": input.period_end, "effectiveDate": input.effective_date, "hiredBefore": input.hired_before,
            "meritBudgetPercent": input.merit_budget_percent,
            "reviewCycleId": str(input.review_cycle_id) if input.review_cycle_id else None,
            "minTenureMonths": input.min_tenure_months, "noPayChangeMonths": input.no_pay_change_months,
            "promotionBudgetPercent": input.promotion_budget_percent, "blockOverBudget": input.block_over_budget,
            "excludedEmployeeIds": [str(i) for i in input.excluded_employee_ids], "rates": rates_data(input.rates)}


@strawberry.input(description="One matrix cell: rating × compa-ratio band → min ≤ target ≤ max percent.")
class MatrixCellInput:
    rating: int = strawberry.field(description="The calibrated rating, 1-5.")
    band: int = strawberry.field(description="The compa-ratio band: 0 below the first bound, and so on.")
    min: Decimal = strawberry.field(description="The lowest recommended increase, in percent.")
    target: Decimal = strawberry.field(description="The recommended increase, in percent.")
    max: Decimal = strawberry.field(description="The highest recommended increase, in percent.")


def cells_data(cells: list[MatrixCellInput]) -> list[dict[str, Any]]:
    return [{"rating": c.rating, "band": c.band, "min": c.min, "target": c.target, "max": c.max} for c in cells]
