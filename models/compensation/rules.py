"""Pay records (effective-dated, history kept) and pay bands (compa-ratio, position in range): pure rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from models.compensation.money import Money, check_currency, to_minor
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name

RATIO_PLACES = Decimal("0.001")
HOURS_PER_YEAR = 2080


class PayFrequency(StrEnum):
    ANNUAL = "annual"
    MONTHLY = "monthly"
    HOURLY = "hourly"


PER_YEAR = {PayFrequency.ANNUAL: 1, PayFrequency.MONTHLY: 12, PayFrequency.HOURLY: HOURS_PER_YEAR}


def annual(record: Mapping[str, Any]) -> Money:
    """A pay record's base amount per year (monthly × 12, hourly × 2,080)."""
    base = Money.of(record["base"])
    return Money(base.minor * PER_YEAR[PayFrequency(record.get("frequency", "annual"))], base.currency)


def check_pay_record(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """The stored fields of a pay record (``base`` in minor units), or why it is refused."""
    errors: list[FieldError] = []
    if not data.get("employeeId"):
        errors.append(FieldError("employeeId", ErrorCode.REQUIRED, "employeeId is required"))
    if not isinstance(data.get("effectiveDate"), date):
        errors.append(FieldError("effectiveDate", ErrorCode.REQUIRED, "effectiveDate is required"))
    minor, money_errors = to_minor(data["amount"], data.get("currency") or "", "amount")
    errors += money_errors
    errors += check_name(data.get("reason"), "reason")
    if errors:
        return None, errors
    return {"employeeId": data["employeeId"], "effectiveDate": data["effectiveDate"].isoformat(),
            "base": {"minor": minor, "currency": data["currency"]},
            "frequency": PayFrequency(data.get("frequency") or PayFrequency.ANNUAL).value,
            "reason": data["reason"].strip()}, []


def current_record(records: Iterable[Mapping[str, Any]], on: date) -> Mapping[str, Any] | None:
    """The record in effect on ``on``: the latest effective date on or before it (the latest recorded wins
    a tie)."""
    day = on.isoformat()
    best: Mapping[str, Any] | None = None
    for record in records:
        if record["effectiveDate"] <= day and (
                best is None or (record["effectiveDate"], record["recordedAt"]) > (best["effectiveDate"],
                                                                                   best["recordedAt"])):
            best = record
    return best


def check_band(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """A band's stored fields (minimum ≤ midpoint ≤ maximum, one currency), or why it is refused."""
    currency = data.get("currency") or ""
    errors = check_currency(currency, "currency")
    if not data.get("positionId"):
        errors.append(FieldError("positionId", ErrorCode.REQUIRED, "positionId is required"))
    if errors:
        return None, errors
    values: dict[str, int] = {}
    for name in ("minimum", "midpoint", "maximum"):
        minor, problems = to_minor(data[name], currency, name)
        errors += problems
        if minor is not None:
            values[name] = minor
    if not errors and not values["minimum"] <= values["midpoint"] <= values["maximum"]:
        errors.append(FieldError("midpoint", ErrorCode.INVALID, "a band needs minimum ≤ midpoint ≤ maximum"))
    if errors:
        return None, errors
    return {"positionId": data["positionId"], "currency": currency, **values}, []


def ratio(value: Decimal) -> Decimal:
    return value.quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def compa_ratio(pay: Money, band: Mapping[str, Any]) -> Decimal | None:
    """Annual pay ÷ the band's midpoint (``None`` in another currency or without a midpoint)."""
    if pay.currency != band["currency"] or band["midpoint"] <= 0:
        return None
    return ratio(Decimal(pay.minor) / Decimal(band["midpoint"]))


def range_position(pay: Money, band: Mapping[str, Any]) -> Decimal | None:
    """Where pay sits in the band: 0 at the minimum, 1 at the maximum (below 0 or above 1 outside it)."""
    spread = band["maximum"] - band["minimum"]
    if pay.currency != band["currency"] or spread <= 0:
        return None
    return ratio(Decimal(pay.minor - band["minimum"]) / Decimal(spread))
