"""A pilot's comparison: the cohort and its comparison group side by side, and the arithmetic of differences.

Figures of one group over the pilot's period (its start to its end or today, whichever is first):

* check-ins of the group's people: due (scheduled in the period, not after today, not cancelled), held, skipped,
  missed (due, still scheduled: their date passed) and the completion rate held ÷ due, in total and per month;
* time to feedback: the mean number of days from a feedback request the group's people made to each answer;
* goal-update frequency: key-result progress updates the group's people recorded, per person and 30 days;
* process-survey scores of each closed round: respondents, mean and sample standard deviation per question.

Anonymity (``models/core/anonymity.py``, the rule the attrition report uses): a group of fewer than k people
shows no figure, a survey group of fewer than k respondents no score; when one of the two is hidden the other
is hidden too (with a total known, one group could be computed from the other).

Differences (cohort − comparison) with a 95 % confidence interval, only where both groups show and the counts
allow: the completion rates' difference by the normal (Wald) approximation for two proportions,
``d ± 1.96·√(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂)``, with at least :data:`MIN_OCCURRENCES` due check-ins on each side;
a survey question's mean difference by Welch's normal approximation, ``d ± 1.96·√(s₁²/n₁ + s₂²/n₂)``, with at
least k (and 2) respondents on each side.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from models.core.anonymity import suppressed_keys

Z95 = 1.96
MIN_OCCURRENCES = 10
COHORT, COMPARISON = "cohort", "comparison"


@dataclass(frozen=True)
class Counts:
    due: int = 0
    held: int = 0
    skipped: int = 0

    @property
    def missed(self) -> int:
        return self.due - self.held - self.skipped

    @property
    def completion_rate(self) -> float | None:
        return round(self.held / self.due, 4) if self.due else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.due + other.due, self.held + other.held, self.skipped + other.skipped)


@dataclass(frozen=True)
class Interval:
    """A difference (cohort − comparison) and its 95 % confidence interval."""

    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class Score:
    respondents: int
    mean: float
    spread: float | None  # the sample standard deviation (None with one respondent)


@dataclass
class GroupFigures:
    group: str
    people: int
    shown: bool = False
    check_ins: Counts | None = None
    feedback_answers: int | None = None
    mean_days_to_feedback: float | None = None
    goal_updates: int | None = None
    goal_updates_per_person_month: float | None = None


@dataclass(frozen=True)
class Month:
    month: str
    cohort: Counts | None
    comparison: Counts | None


@dataclass(frozen=True)
class QuestionResult:
    round_number: int
    question_id: str
    cohort: Score | None
    comparison: Score | None
    difference: Interval | None


@dataclass
class Comparison:
    k: int
    start: date
    end: date
    cohort: GroupFigures
    comparison: GroupFigures
    completion_difference: Interval | None
    months: list[Month] = field(default_factory=list)
    questions: list[QuestionResult] = field(default_factory=list)


@dataclass(frozen=True)
class GroupInput:
    """What was read for one group: its people, their check-ins by month, feedback delays (days), updates."""

    people: int
    check_ins_by_month: Mapping[str, Counts]
    feedback_days: Sequence[float]
    goal_updates: int


def score(values: Sequence[int]) -> Score:
    spread = round(statistics.stdev(values), 4) if len(values) > 1 else None
    return Score(len(values), round(statistics.fmean(values), 4), spread)


def proportion_difference(a: Counts, b: Counts) -> Interval | None:
    if a.due < MIN_OCCURRENCES or b.due < MIN_OCCURRENCES:
        return None
    p1, p2 = a.held / a.due, b.held / b.due
    se = math.sqrt(p1 * (1 - p1) / a.due + p2 * (1 - p2) / b.due)
    d = p1 - p2
    return Interval(round(d, 4), round(d - Z95 * se, 4), round(d + Z95 * se, 4))


def mean_difference(a: Sequence[int], b: Sequence[int], k: int) -> Interval | None:
    if min(len(a), len(b)) < max(k, 2):
        return None
    d = statistics.fmean(a) - statistics.fmean(b)
    se = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    return Interval(round(d, 4), round(d - Z95 * se, 4), round(d + Z95 * se, 4))


def _figures(group: str, data: GroupInput, shown: bool, days: int) -> GroupFigures:
    figures = GroupFigures(group, data.people, shown)
    if not shown:
        return figures
    figures.check_ins = sum(data.check_ins_by_month.values(), Counts())
    figures.feedback_answers = len(data.feedback_days)
    figures.mean_days_to_feedback = round(statistics.fmean(data.feedback_days), 4) if data.feedback_days else None
    figures.goal_updates = data.goal_updates
    months = max(days, 1) / 30
    figures.goal_updates_per_person_month = round(data.goal_updates / data.people / months, 4) if data.people else None
    return figures


def build_comparison(k: int, start: date, end: date, months: Sequence[str], cohort: GroupInput,
                     comparison: GroupInput,
                     rounds: Sequence[tuple[int, Sequence[str], Mapping[str, Mapping[str, Sequence[int]]]]]
                     ) -> Comparison:
    """``rounds``: each closed round's number, question ids and scores by group and question."""
    hidden = suppressed_keys({COHORT: cohort.people, COMPARISON: comparison.people}, k)
    days = (end - start).days + 1
    one = _figures(COHORT, cohort, COHORT not in hidden and cohort.people > 0, days)
    other = _figures(COMPARISON, comparison, COMPARISON not in hidden and comparison.people > 0, days)
    both = one.shown and other.shown
    result = Comparison(k, start, end, one, other,
                        proportion_difference(one.check_ins, other.check_ins) if both and one.check_ins
                        and other.check_ins else None)
    for month in months:
        result.months.append(Month(month, cohort.check_ins_by_month.get(month, Counts()) if one.shown else None,
                                   comparison.check_ins_by_month.get(month, Counts()) if other.shown else None))
    for number, question_ids, by_group in rounds:
        scores = round_scores(question_ids, by_group, k, (COHORT, COMPARISON))
        for qid in question_ids:
            one_score, other_score = scores[qid][COHORT], scores[qid][COMPARISON]
            values = {g: list(by_group.get(g, {}).get(qid, [])) for g in (COHORT, COMPARISON)}
            result.questions.append(QuestionResult(
                number, qid, one_score, other_score,
                mean_difference(values[COHORT], values[COMPARISON], k) if one_score and other_score else None))
    return result


def round_scores(question_ids: Sequence[str], by_group: Mapping[str, Mapping[str, Sequence[int]]], k: int,
                 groups: Sequence[str]) -> dict[str, dict[str, Score | None]]:
    """Each question's score per group of one round: ``None`` for a group of fewer than k respondents, or one
    that the other groups' hiding would make computable from the round's total (``suppressed_keys``)."""
    counts = {g: max((len(v) for v in by_group.get(g, {}).values()), default=0) for g in groups}
    hidden = suppressed_keys(counts, k)
    return {qid: {g: score(list(by_group.get(g, {}).get(qid, [])))
                  if g not in hidden and len(by_group.get(g, {}).get(qid, [])) >= k else None for g in groups}
            for qid in question_ids}


def months_of(start: date, end: date) -> list[str]:
    """The calendar months from ``start``'s to ``end``'s, as ``YYYY-MM``."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
