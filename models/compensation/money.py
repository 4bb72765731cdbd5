"""Exact money: integer minor units with an ISO 4217 currency on every amount, never binary floats.

An amount is stored as ``{"minor": int, "currency": "EUR"}``; the API speaks decimals (``Decimal``) and
:func:`to_minor` refuses more decimal places than the currency has. Percentages and exchange rates are
``Decimal``; every multiplication rounds once, half up, to the currency's minor unit (:func:`scale`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from models.core.errors import ErrorCode, FieldError

CURRENCY = re.compile(r"^[A-Z]{3}$")
# Currencies whose minor unit is not the cent (ISO 4217 exponents); every other code has two decimals.
EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3, "JOD": 3}
MAX_MINOR = 10**13  # 100 billion in a two-decimal currency: far above any salary, far below int64
MAX_PERCENT = Decimal(100)
RATE_PLACES = Decimal("0.000001")


def exponent(currency: str) -> int:
    return EXPONENTS.get(currency, 2)


@dataclass(frozen=True)
class Money:
    """An exact amount: ``minor`` units of ``currency`` (cents for EUR, yen for JPY)."""

    minor: int
    currency: str

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def document(self) -> dict[str, Any]:
        return {"minor": self.minor, "currency": self.currency}

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> Money:
        return cls(int(document["minor"]), str(document["currency"]))

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError("amounts in different currencies")
        return Money(self.minor + other.minor, self.currency)


def check_currency(currency: str | None, field: str) -> list[FieldError]:
    if not currency:
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} is required")]
    if not CURRENCY.match(currency):
        return [FieldError(field, ErrorCode.INVALID, f"{field} must be a three-letter ISO 4217 code")]
    return []


def to_minor(amount: Decimal, currency: str, field: str, *, positive: bool = True,
             currency_field: str = "currency") -> tuple[int | None, list[FieldError]]:
    """``amount`` in minor units, or the reason it is not an exact positive amount of ``currency``
    (errors on ``field`` and ``currency_field``)."""
    errors = check_currency(currency, currency_field)
    if errors:
        return None, errors
    try:
        minor = amount.scaleb(exponent(currency))
        exact = minor == minor.to_integral_value()
    except (InvalidOperation, ValueError):
        exact = False
    if not amount.is_finite() or not exact:
        return None, [FieldError(field, ErrorCode.INVALID, f"{field} has more decimals than {currency} has")]
    value = int(minor)
    if (positive and value <= 0) or value < 0 or value > MAX_MINOR:
        return None, [FieldError(field, ErrorCode.INVALID, f"{field} is out of range")]
    return value, []


def scale(minor: int, factor: Decimal) -> int:
    """``minor × factor``, rounded half up to a whole minor unit (the one rounding of every computation)."""
    return int((Decimal(minor) * factor).to_integral_value(rounding=ROUND_HALF_UP))


def percent_of(minor: int, percent: Decimal) -> int:
    """``percent`` % of ``minor`` minor units, rounded half up."""
    return scale(minor, percent / Decimal(100))


def convert(money: Money, currency: str, rates: Mapping[str, Decimal]) -> Money | None:
    """``money`` in ``currency`` with ``rates`` (units of ``currency`` per unit of each other currency),
    minor-unit exponents taken into account; ``None`` when no rate is known."""
    if money.currency == currency:
        return money
    rate = rates.get(money.currency)
    if rate is None:
        return None
    factor = rate * Decimal(10) ** (exponent(currency) - exponent(money.currency))
    return Money(scale(money.minor, factor), currency)


def check_percent(value: Decimal | None, field: str, *, allow_negative: bool = False) -> list[FieldError]:
    if value is None:
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} is required")]
    if not value.is_finite() or value > MAX_PERCENT or (value < 0 and not allow_negative) or value < -MAX_PERCENT:
        return [FieldError(field, ErrorCode.INVALID, f"{field} must be a percentage between 0 and 100")]
    if value != value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        return [FieldError(field, ErrorCode.INVALID, f"{field} has more than two decimals")]
    return []


def check_rate(value: Decimal, field: str) -> list[FieldError]:
    if not value.is_finite() or value <= 0 or value != value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP):
        return [FieldError(field, ErrorCode.INVALID, f"{field} must be positive with at most six decimals")]
    return []


def decimal_of(text: str | int | Decimal) -> Decimal:
    """A stored percentage or rate (kept as a decimal string) back as ``Decimal``."""
    return Decimal(str(text))
