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


@strawberry.input(description="What one level of a competency means.")
class CompetencyLevelInput:
    level: int = strawberry.field(description="The level, 1 to 5.")
    description: str = strawberry.field(description="What someone at this level does, 1 to 5,000 characters.")


@strawberry.input(description="Only the fields sent are changed; creating needs name, category and levels 1-5.")
class CompetencyInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "The name, 1 to 200 characters (required when creating)."))
    description: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "What it covers, at most 5,000 characters."))
    category: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "Its category, 1 to 200 characters."))
    levels: list[CompetencyLevelInput] | None = strawberry.field(default=strawberry.UNSET, description=(
        "What each level from 1 to 5 means (replacing the old list)."))
    archived: bool | None = strawberry.field(default=strawberry.UNSET, description=(
        "Archive it (true) or bring it back (false)."))


@strawberry.input(description="The level a position expects of one competency.")
class CompetencyExpectationInput:
    competency_id: strawberry.ID = strawberry.field(description="The competency expected.")
    expected_level: int = strawberry.field(description="The level expected, 1 to 5.")


def competency_data(input: CompetencyInput) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("name", "description", "category", "archived"):
        if _sent(getattr(input, key)):
            data[key] = getattr(input, key)
    if _sent(input.levels):
        data["levels"] = [{"level": lv.level, "description": lv.description} for lv in input.levels or []]
    return data


@strawberry.input(description="One point of a RATING question's scale and its label.")
class RatingLabelInput:
    label: str = strawberry.field(description=(
        "What the point is called (\"Exceeds expectations\"), 1 to 100 characters."))
    value: float = strawberry.field(description="Its value, the number an answer gives.")


@strawberry.input(description="A question; reviewerKinds default to the section's, readers to reviewee and manager.")
class QuestionInput:
    kind: QuestionKindEnum = strawberry.field(description="How it is answered.")
    text: str = strawberry.field(description="The question, 1 to 1,000 characters.")
    id: str | None = strawberry.field(default=None, description="Stable id (letters, digits, - or _); generated "
                                                                "when omitted. Answers are keyed by it.")
    weight: float = strawberry.field(default=1.0, description=(
        "Its share in its section's score (relative to the other questions')."))
    required: bool = strawberry.field(default=True, description=(
        "Whether it must be answered before the form can be submitted (in a required section)."))
    reviewer_kinds: list[ReviewerKindEnum] | None = strawberry.field(default=None, description=(
        "Who answers it; omitted, the section's kinds."))
    readers: list[AnswerReaderEnum] | None = strawberry.field(
        default=None, description="Who besides the reviewer and HR admins reads the answers.")
    labels: list[RatingLabelInput] | None = strawberry.field(
        default=None, description="Rating and goal questions: the scale's labels (default: the template scale).")
    options: list[str] | None = strawberry.field(default=None, description="Multiple choice: the options.")
    competency_id: strawberry.ID | None = strawberry.field(default=None, description=(
        "For a COMPETENCY question: the competency assessed."))
    expected_level: int | None = strawberry.field(default=None, description=(
        "For a COMPETENCY question: the level expected, 1 to 5."))


@strawberry.input(description="One section of a review template.")
class SectionInput:
    title: str = strawberry.field(description="Its title, 1 to 200 characters.")
    questions: list[QuestionInput] = strawberry.field(description=(
        "Its questions, in order (at most 50 in the whole template)."))
    id: str | None = strawberry.field(default=None, description=(
        "A stable key, 1 to 40 letters, digits, - or _; omitted, one is made from the title."))
    weight: float = strawberry.field(default=1.0, description=(
        "Its share in a form's score (relative to the other sections')."))
    required: bool = strawberry.field(default=True, description="False makes every question of the section optional.")
    reviewer_kinds: list[ReviewerKindEnum] | None = strawberry.field(default=None, description=(
        "Who answers it; omitted, every kind."))


@strawberry.input(description="Weights of the reviewer kinds in the overall score (e.g. manager 60, self 20, peer 20).")
class KindWeightsInput:
    self_kind: float | None = strawberry.field(default=None, name="self", description=(
        "The self form's weight (0 or more)."))
    manager: float | None = strawberry.field(default=None, description="The manager's form's weight (0 or more).")
    peer: float | None = strawberry.field(default=None, description="The peer forms' weight (0 or more).")
    upward: float | None = strawberry.field(default=None, description="The upward forms' weight (0 or more).")


@strawberry.input(description="Only the fields sent are changed; sections are replaced as a whole.")
class ReviewTemplateInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "The name, 1 to 200 characters (required when creating)."))
    description: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "What the template is for, at most 5,000 characters."))
    scale_min: int | None = strawberry.field(default=strawberry.UNSET, description=(
        "The lowest rating of the scale (default 1)."))
    scale_max: int | None = strawberry.field(default=strawberry.UNSET, description=(
        "The highest rating, above scaleMin and at most 100 above it (default 5)."))
    weights: KindWeightsInput | None = strawberry.field(default=strawberry.UNSET, description=(
        "Each reviewer kind's share of the overall score."))
    peer_visibility: FeedbackVisibilityEnum | None = strawberry.field(default=strawberry.UNSET, description=(
        "How peer answers reach the reviewee once shared."))
    upward_visibility: FeedbackVisibilityEnum | None = strawberry.field(default=strawberry.UNSET, description=(
        "How upward answers reach the reviewee once shared."))
    sections: list[SectionInput] | None = strawberry.field(default=strawberry.UNSET, description=(
        "The whole list of sections, in order (at most 20)."))


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


@strawberry.input(description="One phase of a cycle and its deadline.")
class CyclePhaseInput:
    phase: PhaseEnum = strawberry.field(description="Which phase of the cycle.")
    deadline: date = strawberry.field(description="Its last day (each phase's no earlier than the one before).")


@strawberry.input(description="Active employees hired strictly before hiredBefore (someone hired on that date is "
                              "not eligible), in the departments listed or below them (none: everyone), "
                              "minus the exclusions.")
class EligibilityInput:
    hired_before: date = strawberry.field(description="Only people hired strictly before this day are reviewed.")
    department_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description=(
        "Only people of these departments; empty: every department."))
    excluded_employee_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description=(
        "People to leave out by name."))


@strawberry.input(description="A new review cycle.")
class ReviewCycleInput:
    name: str = strawberry.field(description="The name, 1 to 200 characters.")
    period_start: date = strawberry.field(description="The first day of the period under review.")
    period_end: date = strawberry.field(description="The last day of the period under review, not before its start.")
    template_id: strawberry.ID = strawberry.field(description="The template its forms are issued from.")
    eligibility: EligibilityInput = strawberry.field(description="Who is reviewed.")
    phases: list[CyclePhaseInput] = strawberry.field(default_factory=list, description=(
        "Its phases with their deadlines, in order."))
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


@strawberry.input(description="One goal's rating in a GOALS answer.")
class GoalRatingInput:
    goal_id: strawberry.ID = strawberry.field(description="One of the reviewee's goals of the review period that "
                                                          "you may see (ReviewForm.goals).")
    rating: float = strawberry.field(description="Its rating: one of the question's label values.")


@strawberry.input(one_of=True, description=(
    "A review answer typed by the question's kind: exactly one member, the one of the question's kind (another "
    "is refused with KIND_MISMATCH, naming the right one). `clear` removes an answer of any kind."))
class ReviewAnswerValue:
    rating: float | None = strawberry.field(default=strawberry.UNSET, description=(
        "For a RATING question: one of its labels' values (ReviewQuestion.labels)."))
    level: int | None = strawberry.field(default=strawberry.UNSET, description=(
        "For a COMPETENCY question: the level assessed, 1 to 5."))
    text: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "For a TEXT question: the answer, at most 5,000 characters."))
    choice: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "For a CHOICE question: one of its options (ReviewQuestion.options)."))
    goals: list[GoalRatingInput] | None = strawberry.field(default=strawberry.UNSET, description=(
        "For a GOALS question: a rating for each goal rated (each goal at most once)."))
    clear: bool | None = strawberry.field(default=strawberry.UNSET, description=(
        "true: remove the answer, whatever the question's kind (false is refused)."))

    def member_and_value(self) -> tuple[str, Any]:
        """The member sent and the answer's stored value (what the deprecated ``value: JSON`` carried)."""
        (member, given), = [(name, v) for name, v in vars(self).items() if v is not strawberry.UNSET and v is not None]
        if member == "goals":
            return member, {str(g.goal_id): whole(g.rating) for g in given}
        if member == "clear":
            return member, None if given else False
        return member, whole(given) if member == "rating" else given


def whole(number: float) -> float | int:
    """A rating as the untyped answers stored it: ``4`` rather than ``4.0``."""
    return int(number) if float(number).is_integer() else number
