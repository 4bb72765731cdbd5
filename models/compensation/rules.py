"""Pay records (effective-dated, history kept) and pay bands per position or position level, optionally per
location zone (the lookup precedence in :func:`band_for`; compa-ratio, position in range): pure rules."""

from __future__ import annotations

import re
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
MAX_LEVEL = 20


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


ZONE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


class BandMatch(StrEnum):
    """How a person's band was found, most specific first (the lookup precedence)."""

    POSITION_ZONE = "position_zone"
    LEVEL_ZONE = "level_zone"
    POSITION = "position"
    LEVEL = "level"


def check_zone(zone: str | None, field: str = "zone") -> list[FieldError]:
    """A location zone: an upper-case code (letters, digits, ``-`` or ``_``, up to 32), e.g. ``DE-MUC``."""
    if zone is None or ZONE.match(zone):
        return []
    return [FieldError(field, ErrorCode.INVALID, f"{field} must be an upper-case code of up to 32 letters, digits, "
                                                 "- or _")]


def check_band(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """A band's stored fields (minimum ≤ midpoint ≤ maximum, one currency) for a position or a position level
    (exactly one of them), optionally in a location zone; or why it is refused."""
    currency = data.get("currency") or ""
    errors = check_currency(currency, "currency")
    position_id, level, zone = data.get("positionId") or None, data.get("level"), data.get("zone") or None
    if (position_id is None) == (level is None):
        errors.append(FieldError("positionId", ErrorCode.REQUIRED, "a band is for a position or a level (one of them)"))
    elif level is not None and not 1 <= level <= MAX_LEVEL:
        errors.append(FieldError("level", ErrorCode.INVALID, f"level must be between 1 and {MAX_LEVEL}"))
    errors += check_zone(zone)
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
    return {"positionId": position_id, "level": level, "zone": zone, "currency": currency, **values}, []


def band_for(bands: Iterable[Mapping[str, Any]], position_id: str | None, level: int | None,
             zone: str | None) -> tuple[Mapping[str, Any] | None, BandMatch | None]:
    """A person's band and how it was found. Precedence: their position's band in their zone, their position
    level's band in their zone, their position's band without a zone, their level's band without a zone.
    A band in another zone never applies; without a zone only zone-less bands do."""
    found: dict[BandMatch, Mapping[str, Any]] = {}
    for band in bands:
        band_zone = band.get("zone")
        if band_zone is not None and band_zone != zone:
            continue
        if position_id is not None and band.get("positionId") == position_id:
            found[BandMatch.POSITION_ZONE if band_zone else BandMatch.POSITION] = band
        elif level is not None and band.get("positionId") is None and band.get("level") == level:
            found[BandMatch.LEVEL_ZONE if band_zone else BandMatch.LEVEL] = band
    match = next((m for m in BandMatch if m in found), None)
    return (found[match], match) if match else (None, None)


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
