"""The pure rules: exact money and its one rounding, currency conversion, proration, eligibility, the matrix
lookup, deviations and pay-equity flags."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from models.compensation import cycles as rules
from models.compensation.money import Money, convert, percent_of, scale, to_minor
from models.compensation.rules import compa_ratio, current_record, range_position
from resolvers.compensation.queries import equity_flags

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_amounts_are_exact_minor_units_in_their_currency() -> None:
    # given decimals as clients send them, when turned into minor units, then exact or refused
    assert to_minor(Decimal("1234.56"), "EUR", "x") == (123456, [])
    assert to_minor(Decimal("1234"), "JPY", "x") == (1234, [])
    assert to_minor(Decimal("1.234"), "KWD", "x") == (1234, [])
    assert to_minor(Decimal("0.1") + Decimal("0.2"), "EUR", "x") == (30, [])
    assert to_minor(Decimal("1.005"), "EUR", "x")[0] is None
    assert to_minor(Decimal("1.5"), "JPY", "x")[0] is None
    assert Money(123456, "EUR").amount == Decimal("1234.56")
    assert Money(1234, "JPY").amount == Decimal("1234")


def test_one_rounding_half_up_to_the_minor_unit() -> None:
    # 2.5 % of 1,234.50 = 30.8625 → 30.86; 3.5 % of 10.30 = 0.3605 → 0.36; 0.5 of a cent rounds up
    assert percent_of(123450, Decimal("2.5")) == 3086
    assert percent_of(1030, Decimal("3.5")) == 36
    assert scale(1, Decimal("0.5")) == 1
    assert scale(3, Decimal("0.5")) == 2


def test_currency_conversion_with_the_cycle_rates() -> None:
    rates = {"USD": Decimal("0.92"), "JPY": Decimal("0.0061")}
    # given 1,000.00 USD at 0.92 EUR per USD: 920.00 EUR
    assert convert(Money(100000, "USD"), "EUR", rates) == Money(92000, "EUR")
    # 1,000,000 JPY (no minor unit) at 0.0061: 6,100.00 EUR
    assert convert(Money(1_000_000, "JPY"), "EUR", rates) == Money(610000, "EUR")
    # the same currency converts to itself; an unknown one has no rate
    assert convert(Money(5, "EUR"), "EUR", rates) == Money(5, "EUR")
    assert convert(Money(5, "GBP"), "EUR", rates) is None


def test_compa_ratio_and_position_in_range() -> None:
    band = {"currency": "EUR", "minimum": 4_000_000, "midpoint": 5_000_000, "maximum": 6_000_000}
    assert compa_ratio(Money(4_500_000, "EUR"), band) == Decimal("0.900")
    assert range_position(Money(4_500_000, "EUR"), band) == Decimal("0.250")
    assert range_position(Money(6_500_000, "EUR"), band) == Decimal("1.250")
    assert compa_ratio(Money(4_500_000, "USD"), band) is None


def test_proration_by_whole_months_worked_in_the_period() -> None:
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert rules.proration(date(2020, 5, 5), *year) == Decimal(1)
    assert rules.proration(date(2026, 3, 15), *year) == Decimal("0.75")  # April-December
    assert rules.proration(date(2026, 3, 1), *year) == Decimal("0.8333")  # March-December
    assert rules.proration(date(2026, 12, 2), *year) == Decimal(0)
    assert rules.proration(date(2026, 2, 1), date(2026, 1, 1), date(2026, 6, 30)) == Decimal("0.8333")


def record(employee: str, day: str, minor: int = 5_000_000) -> dict[str, Any]:
    return {"_id": f"{employee}:{day}", "employeeId": employee, "effectiveDate": day,
            "base": {"minor": minor, "currency": "EUR"}, "frequency": "annual", "recordedAt": AT}


def test_eligibility_rules() -> None:
    # given a cutoff of 2026-10-01, 6 months' tenure, no pay change in the 3 months before it
    cycle = {"eligibility": {"hiredBefore": "2026-10-01", "minTenureMonths": 6, "noPayChangeMonths": 3,
                             "excludedEmployeeIds": ["excluded"]}}
    people = [{"_id": "ok", "status": "active", "hireDate": "2020-01-01"},
              {"_id": "leave", "status": "on_leave", "hireDate": "2020-01-01"},
              {"_id": "excluded", "status": "active", "hireDate": "2020-01-01"},
              {"_id": "on-cutoff", "status": "active", "hireDate": "2026-10-01"},
              {"_id": "short", "status": "active", "hireDate": "2026-04-02"},
              {"_id": "six", "status": "active", "hireDate": "2026-04-01"},
              {"_id": "changed", "status": "active", "hireDate": "2020-01-01"},
              {"_id": "unpaid", "status": "active", "hireDate": "2020-01-01"}]
    records = {p["_id"]: [record(p["_id"], p["hireDate"])] for p in people if p["_id"] != "unpaid"}
    records["changed"].append(record("changed", "2026-08-01"))
    # when eligibility is worked out on the launch day
    result = rules.eligibility(cycle, people, records, date(2026, 11, 1))
    # then each rule skips its person with its reason
    assert [e["_id"] for e in result.eligible] == ["ok", "six"]
    assert dict(result.skipped) == {"leave": "not_active", "excluded": "excluded", "on-cutoff": "hired_after_cutoff",
                                    "short": "short_tenure", "changed": "recent_pay_change", "unpaid": "no_pay"}


def test_current_record_is_the_latest_effective_on_or_before_the_day() -> None:
    records = [record("a", "2025-01-01", 1), record("a", "2026-06-01", 2), record("a", "2027-01-01", 3)]
    assert current_record(records, date(2026, 6, 1))["base"]["minor"] == 2  # type: ignore[index]
    assert current_record(records, date(2024, 1, 1)) is None


def test_matrix_lookup_by_rating_and_compa_ratio_band() -> None:
    matrix = rules.default_matrix()  # bounds 0.9 and 1.1
    assert rules.band_of(matrix, "0.899") == 0
    assert rules.band_of(matrix, "0.900") == 1
    assert rules.band_of(matrix, "1.100") == 2
    assert rules.cell_for(matrix, 5, "0.850") == {"rating": 5, "band": 0, "min": "5", "target": "6", "max": "7"}
    assert rules.cell_for(matrix, None, "1.0") is None
    assert rules.cell_for(matrix, 3, None) is None


def test_a_deviation_needs_a_justification() -> None:
    person = {"rating": 3, "compaRatio": "1.000", "payInCycle": {"minor": 5_000_000, "currency": "EUR"},
              "proration": "1"}
    matrix = rules.default_matrix()  # rating 3, middle band: 1.5 .. 3.5
    assert rules.check_proposal(person, matrix, Decimal("3.5"), None) == []
    assert [e.field for e in rules.check_proposal(person, matrix, Decimal("3.51"), None)] == ["justification"]
    assert rules.check_proposal(person, matrix, Decimal("6"), "retention risk") == []
    assert [e.field for e in rules.check_proposal({**person, "rating": None}, matrix, Decimal("2"), " ")] == [
        "justification"]
    assert [e.field for e in rules.check_proposal(person, matrix, Decimal("2.125"), None)] == ["percent"]


def test_a_prorated_increase_is_rounded_once() -> None:
    # 3 % of 45,678.91 × 0.75 = 1,027.775475 → 1,027.78
    person = {"payInCycle": {"minor": 4_567_891, "currency": "EUR"}, "proration": "0.75",
              "pay": {"minor": 4_567_891, "currency": "EUR"}, "proposal": {"percent": "3"}}
    assert rules.increase(person, Decimal(3)) == Money(102778, "EUR")
    assert rules.new_pay(person) == Money(4_567_891 + 102778, "EUR")


def participant(employee: str, minor: int, rating: int | None = 3) -> dict[str, Any]:
    return {"employeeId": employee, "positionId": "p", "payInCycle": {"minor": minor, "currency": "EUR"},
            "proration": "1", "rating": rating, "proposal": None}


def test_equity_flags_gaps_of_five_percent_that_nothing_explains() -> None:
    # given four people in one position: b is 5 % above a, c 4.9 % above a, d above all but better rated
    people = [participant("a", 1_000_000), participant("b", 1_050_000), participant("c", 1_049_000),
              participant("d", 1_300_000, rating=5), participant("x", 2_000_000) | {"positionId": "other"}]
    hired = {"a": "2020-01-01", "b": "2020-06-01", "c": "2020-01-01", "d": "2020-01-01", "x": "2020-01-01"}
    # when flagged
    flags = equity_flags(people, {"p": 3, "other": 3}, hired)
    # then a-b is flagged (5 %), a-c and c-b are not (under 5 %), d is explained by its rating
    assert [(f.lower["employeeId"], f.higher["employeeId"], f.gap) for f in flags] == [("a", "b", Decimal("0.0500"))]
    # and two years' more tenure explains a gap
    assert equity_flags(people[:2], {"p": 3}, {"a": "2022-06-01", "b": "2020-06-01"}) == []
