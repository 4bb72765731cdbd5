"""Review scores: pure arithmetic over a template and the answers of a review's forms.

- A rated answer (rating scale, competency level, goal achievement) is normalised to the
  template's scale: ``min + (value - low) / (high - low) * (max - min)`` where ``low``/``high``
  are the question's own range (its label values; levels 1-5 for competencies). A goal
  achievement answer rates each goal of the period; its value is the mean of those ratings.
- A section's score is the weighted mean (question weights) of its answered rated questions;
  a form's score is the weighted mean (section weights) of the sections that have one.
  Unanswered optional questions (skipped) do not count; an unanswered required question (of any
  kind) makes the form's score provisional.
- A review's overall score combines the reviewer kinds with the template's kind weights: each
  kind's score is the mean of its forms' scores; kinds without a scored form drop out and the
  remaining weights are renormalised. It is provisional while any form of a weighted kind is.
- The rating is the overall score rounded half up to an integer of the scale.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from models.reviews.rules import QuestionKind, answer_of, has_value, is_required, label_values, questions_for

PRECISION = 4


@dataclass(frozen=True)
class FormScore:
    value: float | None
    provisional: bool
    rated_answers: int
    missing_required: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class KindScore:
    kind: str
    value: float | None
    weight: float
    forms: int
    scored_forms: int


@dataclass(frozen=True)
class OverallScore:
    value: float | None
    provisional: bool
    rating: int | None
    by_kind: list[KindScore]

    def document(self) -> dict[str, Any]:
        return {"value": self.value, "provisional": self.provisional, "rating": self.rating,
                "byKind": [{"kind": k.kind, "value": k.value, "weight": k.weight, "forms": k.forms,
                            "scoredForms": k.scored_forms} for k in self.by_kind]}


def normalise(value: float, low: float, high: float, scale: Mapping[str, int]) -> float:
    if high == low:
        return float(scale["max"])
    return scale["min"] + (value - low) / (high - low) * (scale["max"] - scale["min"])


def question_value(question: Mapping[str, Any], value: Any, scale: Mapping[str, int]) -> float | None:
    """The normalised value of one rated answer; ``None`` for an unrated kind or no answer."""
    if not has_value(value):
        return None
    kind = question["kind"]
    if kind == QuestionKind.COMPETENCY:
        return normalise(float(value), 1, 5, scale)
    if kind in (QuestionKind.RATING, QuestionKind.GOALS):
        values = label_values(question)
        low, high = min(values), max(values)
        if kind == QuestionKind.RATING:
            return normalise(float(value), low, high, scale)
        ratings = [float(v) for v in value.values()]
        return normalise(sum(ratings) / len(ratings), low, high, scale)
    return None


def _weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    total = weights = 0.0
    for value, weight in pairs:
        total += value * weight
        weights += weight
    return total / weights if weights > 0 else None


def form_score(template: Mapping[str, Any], form: Mapping[str, Any]) -> FormScore:
    scale = template["scale"]
    sections: dict[str, list[tuple[float, float]]] = {}
    section_weights: dict[str, float] = {}
    missing: list[str] = []
    rated = 0
    for section, question in questions_for(template, form["kind"]):
        answer = answer_of(form, question["id"])
        value = answer["value"] if answer else None
        if is_required(section, question) and not has_value(value):
            missing.append(question["id"])
        normalised = question_value(question, value, scale)
        if normalised is None:
            continue
        rated += 1
        sections.setdefault(section["id"], []).append((normalised, question["weight"]))
        section_weights[section["id"]] = section["weight"]
    section_scores = [(mean, section_weights[sid]) for sid, pairs in sections.items()
                      if (mean := _weighted_mean(pairs)) is not None]
    value = _weighted_mean(section_scores)
    return FormScore(_round(value), bool(missing), rated, missing)


def overall_score(template: Mapping[str, Any], forms: Iterable[Mapping[str, Any]]) -> OverallScore:
    weights = template["kindWeights"]
    per_kind: dict[str, list[FormScore]] = {}
    for form in forms:
        per_kind.setdefault(form["kind"], []).append(form_score(template, form))
    by_kind: list[KindScore] = []
    provisional = False
    for kind in ("self", "manager", "peer", "upward"):
        scores = per_kind.get(kind, [])
        if not scores:
            continue
        values = [s.value for s in scores if s.value is not None]
        mean = sum(values) / len(values) if values else None
        by_kind.append(KindScore(kind, _round(mean), float(weights.get(kind, 0)), len(scores), len(values)))
        if weights.get(kind, 0) > 0 and any(s.provisional or s.value is None for s in scores):
            provisional = True
    value = _weighted_mean((k.value, k.weight) for k in by_kind if k.value is not None and k.weight > 0)
    rating = rating_of(value, template["scale"])
    return OverallScore(_round(value), provisional or value is None, rating, by_kind)


def rating_of(value: float | None, scale: Mapping[str, int]) -> int | None:
    if value is None:
        return None
    return max(scale["min"], min(scale["max"], math.floor(value + 0.5)))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, PRECISION)


def final_rating(review: Mapping[str, Any]) -> int | None:
    """The calibrated rating when there is one, else the rating from the scores."""
    calibration = review.get("calibration") or {}
    if calibration.get("rating") is not None:
        return int(calibration["rating"])
    return (review.get("score") or {}).get("rating")


def distribution(reviews: Iterable[Mapping[str, Any]], *, calibrated: bool) -> Counter[int | None]:
    """Reviews per rating (``None``: not rated yet), before (scores) or after calibration."""
    return Counter(final_rating(r) if calibrated else (r.get("score") or {}).get("rating") for r in reviews)
