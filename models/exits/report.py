"""The attrition report's arithmetic and its anonymity rule (pure; the resolver reads what it needs).

Figures of one group (a row) over a period:

* headcount at the start (hired on or before the first day and not gone before it) and at the end (hired on or
  before the last day and not gone on or before it); leavers: exit records whose last day falls in the period;
* attrition rate: leavers ÷ the average of the two headcounts; voluntary and regretted shares of the leavers;
  top reasons: the primary reasons' categories, most frequent first;
* from the candid survey (pooled over the rolling window that ends with the period, except by month): how many
  answered, the recommend score (% of 9-10 minus % of 0-6) and the average rating;
* what Perfgraph knew before each exit: the average last calibrated rating, how many had no check-in held in their
  last three months (lapsed), the average feedback received in their last six months, the average number of whole
  months since their last promotion or position change (else since they were hired) and how many had none for at
  least two years (stalled), and the preventable regretted leavers: voluntary, regretted, last rating at least 4,
  and lapsed check-ins, no growth plan or stalled in their role.

Anonymity: a group with fewer than k leavers shows nothing; nor may it be computable by subtraction from the
total and the groups shown: while the suppressed groups are a single one, or hold fewer than k leavers together,
the next-smallest group shown is suppressed too. The survey's figures follow the same rule on their own counts.
The total shows only with at least k leavers (its survey figures with at least k answers).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from models.core.anonymity import suppressed_keys as suppressed_keys
from models.exits.rules import ExitKind, tenure_band

GOOD_RATING = 4
STALLED_MONTHS = 24  # no promotion or position change for this long: stalled in the role
LAPSED_DAYS = 90
FEEDBACK_DAYS = 182
TOP_REASONS = 3


class GroupBy(StrEnum):
    DEPARTMENT = "department"
    MANAGER = "manager"
    POSITION_LEVEL = "position_level"
    TENURE_BAND = "tenure_band"
    MONTH = "month"


@dataclass(frozen=True)
class Leaver:
    """One exit in the period with what the viewer may know before it (``None``: unknown or not visible)."""

    last_day: date
    department_id: str | None
    manager_id: str | None
    position_level: int | None
    hire_date: str | None
    kind: str | None
    regretted: bool | None
    primary_category: str | None
    last_rating: int | None = None
    held_check_ins: int | None = None
    feedback_received: int | None = None
    growth_plan: bool | None = None
    last_role_change: date | None = None  # their last promotion or position change, if any was visible

    @property
    def lapsed(self) -> bool | None:
        return None if self.held_check_ins is None else self.held_check_ins == 0

    @property
    def months_since_change(self) -> int | None:
        """Whole months from their last promotion or position change (else their hire date) to their last day."""
        since = self.last_role_change or (date.fromisoformat(self.hire_date) if self.hire_date else None)
        return whole_months(since, self.last_day) if since is not None else None

    @property
    def stalled(self) -> bool | None:
        months = self.months_since_change
        return None if months is None else months >= STALLED_MONTHS

    @property
    def preventable(self) -> bool:
        return (self.kind == ExitKind.VOLUNTARY.value and bool(self.regretted) and self.last_rating is not None
                and self.last_rating >= GOOD_RATING
                and (self.lapsed is True or self.growth_plan is False or self.stalled is True))


def whole_months(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (2024-03-31 → 2024-04-30: 0; → 2024-05-01: 1); 0 if negative."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


@dataclass(frozen=True)
class Person:
    """Someone counted in a headcount: when they joined and (if gone) their last day, and what groups them."""

    hire_date: str
    left_on: date | None
    department_id: str | None
    manager_id: str | None
    position_level: int | None

    def present(self, day: date, *, gone_on_day: bool) -> bool:
        if date.fromisoformat(self.hire_date) > day:
            return False
        if self.left_on is None:
            return True
        return self.left_on > day if gone_on_day else self.left_on >= day


@dataclass(frozen=True)
class Response:
    month: str
    department_id: str | None
    manager_id: str | None
    position_level: int | None
    tenure_band: str
    recommend: int | None
    ratings: tuple[int, ...]


@dataclass
class Row:
    key: str
    suppressed: bool = False
    survey_suppressed: bool = False
    headcount_start: int | None = None
    headcount_end: int | None = None
    leavers: int | None = None
    attrition_rate: float | None = None
    voluntary_share: float | None = None
    regretted_share: float | None = None
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    survey_responses: int | None = None
    recommend_score: float | None = None
    average_rating: float | None = None
    average_last_rating: float | None = None
    lapsed_check_ins: int | None = None
    average_feedback_received: float | None = None
    average_months_since_change: float | None = None
    stalled_in_role: int | None = None
    preventable_regretted: int | None = None


@dataclass
class Report:
    group_by: GroupBy
    start: date
    end: date
    k: int
    window_months: int
    rows: list[Row]
    total: Row


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else None


def months_between(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_bounds(month: str, start: date, end: date) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:])
    first = date(year, number, 1)
    last = (date(year + (number == 12), number % 12 + 1, 1)) - timedelta(days=1)
    return max(first, start), min(last, end)


def window_months(end: date, months: int) -> set[str]:
    """The ``months`` calendar months that end with ``end``'s month."""
    year, month, out = end.year, end.month, set()
    for _ in range(months):
        out.add(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def _leaver_figures(row: Row, leavers: Sequence[Leaver], categories: Mapping[str, str] | None = None) -> None:
    count = len(leavers)
    row.leavers = count
    average = ((row.headcount_start or 0) + (row.headcount_end or 0)) / 2
    row.attrition_rate = _ratio(count, average)
    row.voluntary_share = _ratio(sum(1 for x in leavers if x.kind == ExitKind.VOLUNTARY.value), count)
    row.regretted_share = _ratio(sum(1 for x in leavers if x.regretted), count)
    reasons = Counter(x.primary_category for x in leavers if x.primary_category)
    row.top_reasons = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
    row.average_last_rating = _mean(x.last_rating for x in leavers if x.last_rating is not None)
    row.lapsed_check_ins = sum(1 for x in leavers if x.lapsed)
    row.average_feedback_received = _mean(x.feedback_received for x in leavers if x.feedback_received is not None)
    months = [x.months_since_change for x in leavers]
    row.average_months_since_change = _mean(m for m in months if m is not None)
    row.stalled_in_role = sum(1 for x in leavers if x.stalled)
    row.preventable_regretted = sum(1 for x in leavers if x.preventable)


def _survey_figures(row: Row, responses: Sequence[Response]) -> None:
    row.survey_responses = len(responses)
    scored = [r.recommend for r in responses if r.recommend is not None]
    if scored:
        promoters = sum(1 for s in scored if s >= 9)
        detractors = sum(1 for s in scored if s <= 6)
        row.recommend_score = round(100 * (promoters - detractors) / len(scored), 2)
    row.average_rating = _mean(r for response in responses for r in response.ratings)


def _hide(row: Row) -> None:
    key = row.key
    row.__dict__.update(Row(key).__dict__)
    row.suppressed = True
    row.survey_suppressed = True


def _hide_survey(row: Row) -> None:
    row.survey_suppressed = True
    row.survey_responses = row.recommend_score = row.average_rating = None


def build_report(group_by: GroupBy, start: date, end: date, k: int, window: int, leavers: Sequence[Leaver],
                 people: Sequence[Person], responses: Sequence[Response], *, survey: bool = True) -> Report:
    """The report's rows (one per group that has people or leavers, by key) and its total, anonymity applied.
    ``survey``: whether the survey's figures may be shown at all (not when leavers were filtered by their
    classification, which the anonymous answers do not carry)."""
    leaver_key, person_key, response_key = _keys(group_by, start, end)
    by_month = group_by == GroupBy.MONTH
    pooled = set(months_between(start, end)) if by_month else window_months(end, window)
    responses = [r for r in responses if r.month in pooled]

    keys: set[str] = {leaver_key(x) for x in leavers}
    if by_month:
        keys |= set(months_between(start, end))
    else:
        keys |= {person_key(p, start) for p in people if p.present(start, gone_on_day=False)}
        keys |= {person_key(p, end) for p in people if p.present(end, gone_on_day=True)}
    rows = {key: Row(key) for key in sorted(keys)}
    for key, row in rows.items():
        if by_month:
            first, last = month_bounds(key, start, end)
            row.headcount_start = sum(1 for p in people if p.present(first, gone_on_day=False))
            row.headcount_end = sum(1 for p in people if p.present(last, gone_on_day=True))
        else:
            row.headcount_start = sum(1 for p in people if p.present(start, gone_on_day=False)
                                      and person_key(p, start) == key)
            row.headcount_end = sum(1 for p in people if p.present(end, gone_on_day=True) and person_key(p, end) == key)
        _leaver_figures(row, [x for x in leavers if leaver_key(x) == key])
        _survey_figures(row, [r for r in responses if response_key(r) == key])

    total = Row("total", headcount_start=sum(1 for p in people if p.present(start, gone_on_day=False)),
                headcount_end=sum(1 for p in people if p.present(end, gone_on_day=True)))
    _leaver_figures(total, leavers)
    _survey_figures(total, responses)

    for key in suppressed_keys({key: row.leavers or 0 for key, row in rows.items()}, k):
        _hide(rows[key])
    survey_counts = {key: row.survey_responses or 0 for key, row in rows.items() if not row.suppressed}
    hidden_survey = suppressed_keys(survey_counts, k)
    # answers of groups hidden for their leavers count as hidden answers: make sure the hidden ones together
    # are not a single group's below k when subtracted from the total
    hidden_answers = sum(r.survey_responses or 0 for r in rows.values() if r.suppressed)
    for key in hidden_survey:
        hidden_answers += survey_counts[key]
    while 0 < hidden_answers < k:
        shown = sorted((c, key) for key, c in survey_counts.items() if key not in hidden_survey and c > 0)
        if not shown:
            break
        hidden_survey.add(shown[0][1])
        hidden_answers += shown[0][0]
    for key in hidden_survey:
        _hide_survey(rows[key])
    if (total.leavers or 0) < k:
        _hide(total)
        for row in rows.values():
            _hide(row)
    if not survey or (total.survey_responses or 0) < k:
        _hide_survey(total)
        for row in rows.values():
            _hide_survey(row)
    return Report(group_by, start, end, k, window, list(rows.values()), total)


def _keys(group_by: GroupBy, start: date, end: date) -> tuple[Callable[[Leaver], str], Callable[[Person, date], str],
                                                               Callable[[Response], str]]:
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    if group_by == GroupBy.DEPARTMENT:
        return (lambda x: text(x.department_id)), (lambda p, _: text(p.department_id)), (
            lambda r: text(r.department_id))
    if group_by == GroupBy.MANAGER:
        return (lambda x: text(x.manager_id)), (lambda p, _: text(p.manager_id)), (lambda r: text(r.manager_id))
    if group_by == GroupBy.POSITION_LEVEL:
        return (lambda x: text(x.position_level)), (lambda p, _: text(p.position_level)), (
            lambda r: text(r.position_level))
    if group_by == GroupBy.TENURE_BAND:
        return ((lambda x: tenure_band(x.hire_date, x.last_day)), (lambda p, day: tenure_band(p.hire_date, day)),
                (lambda r: r.tenure_band))
    return (lambda x: x.last_day.isoformat()[:7]), (lambda p, day: day.isoformat()[:7]), (lambda r: r.month)


CSV_COLUMNS = ("group", "label", "suppressed", "headcount_start", "headcount_end", "leavers", "attrition_rate",
               "voluntary_share", "regretted_share", "top_reasons", "survey_responses", "recommend_score",
               "average_rating", "average_last_rating", "lapsed_check_ins", "average_feedback_received",
               "average_months_since_change", "stalled_in_role", "preventable_regretted")


def to_csv(report: Report, labels: Mapping[str, str]) -> str:
    """The report as CSV (RFC 4180, ``\\r\\n`` line ends): one line per row, then the total; suppressed figures
    are empty cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in [*report.rows, report.total]:
        def cell(value: Any) -> Any:
            return "" if value is None else value
        writer.writerow([row.key, labels.get(row.key, row.key), str(row.suppressed).lower(),
                         cell(row.headcount_start), cell(row.headcount_end), cell(row.leavers),
                         cell(row.attrition_rate), cell(row.voluntary_share), cell(row.regretted_share),
                         ";".join(f"{name}:{count}" for name, count in row.top_reasons),
                         cell(row.survey_responses), cell(row.recommend_score), cell(row.average_rating),
                         cell(row.average_last_rating), cell(row.lapsed_check_ins),
                         cell(row.average_feedback_received), cell(row.average_months_since_change),
                         cell(row.stalled_in_role), cell(row.preventable_regretted)])
    return out.getvalue()


TENURE_LABELS = {"under_1y": "Under a year", "1_2y": "1-2 years", "2_5y": "2-5 years", "5y_plus": "5 years or more",
                 "unknown": "Unknown"}
