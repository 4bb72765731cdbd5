"""Compensation inputs: amounts are decimals with a currency (never floats); percentages are decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry

from schema.compensation.types import PayFrequencyEnum


@strawberry.input(description="A position's band: minimum ≤ midpoint ≤ maximum of annual pay in one currency.")
class PayBandInput:
    position_id: strawberry.ID = strawberry.field(description="The position the band is for.")
    currency: str = strawberry.field(description="Its currency, an ISO 4217 code (\"EUR\").")
    minimum: Decimal = strawberry.field(description=(
        "The band's lowest annual pay, in that currency (two decimal places at most)."))
    midpoint: Decimal = strawberry.field(description="Its midpoint (compa-ratio 1), between minimum and maximum.")
    maximum: Decimal = strawberry.field(description="Its highest annual pay.")


def band_data(input: PayBandInput) -> dict[str, Any]:
    return {"positionId": str(input.position_id), "currency": input.currency, "minimum": input.minimum,
            "midpoint": input.midpoint, "maximum": input.maximum}


@strawberry.input(description="A pay record: a base amount in a currency, how often it is paid, from when, and why.")
class RecordPayInput:
    employee_id: strawberry.ID = strawberry.field(description="The person paid.")
    effective_date: date = strawberry.field(description="The day the pay takes effect.")
    amount: Decimal = strawberry.field(description=(
        "The amount per frequency, in the currency (two decimal places at most)."))
    currency: str = strawberry.field(description="An ISO 4217 code (\"EUR\").")
    reason: str = strawberry.field(description="Why, 1 to 5,000 characters (hire, promotion, market adjustment, …).")
    frequency: PayFrequencyEnum = strawberry.field(  # type: ignore[attr-defined]
        default=PayFrequencyEnum.ANNUAL, description="Per what the amount is paid.")


def pay_data(input: RecordPayInput) -> dict[str, Any]:
    return {"employeeId": str(input.employee_id), "effectiveDate": input.effective_date, "amount": input.amount,
            "currency": input.currency, "reason": input.reason, "frequency": input.frequency.value}


@strawberry.input(description="Units of the cycle currency per unit of another currency.")
class ExchangeRateInput:
    currency: str = strawberry.field(description="The other currency (ISO 4217).")
    rate: Decimal = strawberry.field(description=(
        "How much one unit of it is worth in the cycle currency (positive)."))


@strawberry.input(description="A merit cycle: linked to a review cycle, its period and eligibility, its currency "
                              "and rates, and the merit budget as a % of eligible payroll.")
class MeritCycleInput:
    name: str = strawberry.field(description="The cycle's name, 1 to 200 characters.")
    currency: str = strawberry.field(description="The currency budgets and totals are in (ISO 4217).")
    period_start: date = strawberry.field(description="The first day of the period the increase rewards.")
    period_end: date = strawberry.field(description="The last day of that period.")
    effective_date: date = strawberry.field(description="The day increases take effect.")
    hired_before: date = strawberry.field(description="Eligible: hired strictly before this date.")
    merit_budget_percent: Decimal = strawberry.field(description=(
        "The merit budget, in percent of the participants' pay."))
    review_cycle_id: strawberry.ID | None = strawberry.field(default=None, description=(
        "The review cycle whose calibrated ratings the matrix reads; none if omitted."))
    min_tenure_months: int = strawberry.field(default=0, description=(
        "Participants have been employed at least this many months (0 to 600)."))
    no_pay_change_months: int = strawberry.field(default=0, description=(
        "People whose pay changed within this many months are left out."))
    promotion_budget_percent: Decimal = strawberry.field(default=Decimal(0), description=(
        "The promotion budget, in percent of the participants' pay."))
    block_over_budget: bool = strawberry.field(default=False, description=(
        "Refuse proposals that would take a budget over its amount."))
    excluded_employee_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description=(
        "People left out by name."))
    rates: list[ExchangeRateInput] = strawberry.field(default_factory=list, description=(
        "Exchange rates into the cycle currency for pay in other currencies."))


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
    rating: int = strawberry.field(description="The calibrated rating, 1 to 5.")
    band: int = strawberry.field(description=(
        "The compa-ratio band: 0 below the first bound, 1 up to the second, and so on."))
    min: Decimal = strawberry.field(description="The lowest increase in percent.")
    target: Decimal = strawberry.field(description="The recommended increase in percent.")
    max: Decimal = strawberry.field(description="The highest increase in percent.")


def cells_data(cells: list[MatrixCellInput]) -> list[dict[str, Any]]:
    return [{"rating": c.rating, "band": c.band, "min": c.min, "target": c.target, "max": c.max} for c in cells]
