"""Inputs of the competency, template and cycle mutations, and their conversion to the document-shaped
dicts the models validate (only the fields a client sent, for partial updates)."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from schema.reviews.enums import (
    AnswerReaderEnum,
    FeedbackVisibilityEnum,
    PhaseEnum,
    QuestionKindEnum,
    ReviewerKindEnum,
)


def _sent(value: Any) -> bool:
    return value is not strawberry.UNSET


@strawberry.input
class CompetencyLevelInput:
    level: int
    description: str


@strawberry.input(description="Only the fields sent are changed; creating needs name, category and levels 1-5.")
class CompetencyInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    levels: list[CompetencyLevelInput] | None = strawberry.UNSET
    archived: bool | None = strawberry.UNSET


@strawberry.input
class CompetencyExpectationInput:
    competency_id: strawberry.ID
    expected_level: int


def competency_data(input: CompetencyInput) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("name", "description", "category", "archived"):
        if _sent(getattr(input, key)):
            data[key] = getattr(input, key)
    if _sent(input.levels):
        data["levels"] = [{"level": lv.level, "description": lv.description} for lv in input.levels or []]
    return data


@strawberry.input
class RatingLabelInput:
    label: str
    value: float


@strawberry.input(description="A question; reviewerKinds default to the section's, readers to reviewee and manager.")
class QuestionInput:
    kind: QuestionKindEnum
    text: str
    id: str | None = strawberry.field(default=None, description="Stable id (letters, digits, - or _); generated "
                                                                "when omitted. Answers are keyed by it.")
    weight: float = 1.0
    required: bool = True
    reviewer_kinds: list[ReviewerKindEnum] | None = None
    readers: list[AnswerReaderEnum] | None = strawberry.field(
        default=None, description="Who besides the reviewer and HR admins reads the answers.")
    labels: list[RatingLabelInput] | None = strawberry.field(
        default=None, description="Rating and goal questions: the scale's labels (default: the template scale).")
    options: list[str] | None = strawberry.field(default=None, description="Multiple choice: the options.")
    competency_id: strawberry.ID | None = None
    expected_level: int | None = None


@strawberry.input
class SectionInput:
    title: str
    questions: list[QuestionInput]
    id: str | None = None
    weight: float = 1.0
    required: bool = strawberry.field(default=True, description="False makes every question of the section optional.")
    reviewer_kinds: list[ReviewerKindEnum] | None = None


@strawberry.input(description="Weights of the reviewer kinds in the overall score (e.g. manager 60, self 20, peer 20).")
class KindWeightsInput:
    self_kind: float | None = strawberry.field(default=None, name="self")
    manager: float | None = None
    peer: float | None = None
    upward: float | None = None


@strawberry.input(description="Only the fields sent are changed; sections are replaced as a whole.")
class ReviewTemplateInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    scale_min: int | None = strawberry.UNSET
    scale_max: int | None = strawberry.UNSET
    weights: KindWeightsInput | None = strawberry.UNSET
    peer_visibility: FeedbackVisibilityEnum | None = strawberry.UNSET
    upward_visibility: FeedbackVisibilityEnum | None = strawberry.UNSET
    sections: list[SectionInput] | None = strawberry.UNSET


def _question(q: QuestionInput) -> dict[str, Any]:
    data: dict[str, Any] = {"id": q.id, "kind": q.kind.value, "text": q.text, "weight": q.weight,
                            "required": q.required, "competencyId": q.competency_id, "expectedLevel": q.expected_level}
    if q.reviewer_kinds is not None:
        data["reviewerKinds"] = [k.value for k in q.reviewer_kinds]
    if q.readers is not None:
        data["readers"] = [r.value for r in q.readers]
    if q.labels is not None:
        data["labels"] = [{"label": lb.label, "value": int(lb.value) if float(lb.value).is_integer() else lb.value}
                          for lb in q.labels]
    if q.options is not None:
        data["options"] = list(q.options)
    return data


def template_data(input: ReviewTemplateInput) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, doc_key in (("name", "name"), ("description", "description")):
        if _sent(getattr(input, key)):
            data[doc_key] = getattr(input, key)
    scale = {k: v for k, v in (("min", input.scale_min), ("max", input.scale_max)) if _sent(v) and v is not None}
    if scale:
        data["scale"] = scale  # merged over the current scale by the model
    if _sent(input.weights) and input.weights is not None:
        weights = {"self": input.weights.self_kind, "manager": input.weights.manager, "peer": input.weights.peer,
                   "upward": input.weights.upward}
        data["kindWeights"] = {k: v for k, v in weights.items() if v is not None}
    for key, doc_key in (("peer_visibility", "peerVisibility"), ("upward_visibility", "upwardVisibility")):
        value = getattr(input, key)
        if _sent(value) and value is not None:
            data[doc_key] = value.value
    if _sent(input.sections):
        data["sections"] = [{"id": s.id, "title": s.title, "weight": s.weight, "required": s.required,
                             "reviewerKinds": [k.value for k in s.reviewer_kinds] if s.reviewer_kinds else None,
                             "questions": [_question(q) for q in s.questions]}
                            for s in input.sections or []]
    return data


@strawberry.input
class CyclePhaseInput:
    phase: PhaseEnum
    deadline: date


@strawberry.input(description="Active employees hired strictly before hiredBefore (someone hired on that date is "
                              "not eligible), in the departments listed or below them (none: everyone), "
                              "minus the exclusions.")
class EligibilityInput:
    hired_before: date
    department_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    excluded_employee_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class ReviewCycleInput:
    name: str
    period_start: date
    period_end: date
    template_id: strawberry.ID
    eligibility: EligibilityInput
    phases: list[CyclePhaseInput] = strawberry.field(default_factory=list)
    peers_per_reviewee: int = strawberry.field(default=3, description="Peers chosen at launch among teammates.")


def cycle_data(input: ReviewCycleInput) -> dict[str, Any]:
    return {
        "name": input.name, "periodStart": input.period_start, "periodEnd": input.period_end,
        "templateId": input.template_id, "peersPerReviewee": input.peers_per_reviewee,
        "phases": [{"phase": p.phase.value, "deadline": p.deadline} for p in input.phases],
        "eligibility": {"hiredBefore": input.eligibility.hired_before,
                        "departmentIds": list(input.eligibility.department_ids),
                        "excludedEmployeeIds": list(input.eligibility.excluded_employee_ids)},
    }
