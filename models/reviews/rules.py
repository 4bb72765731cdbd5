"""Performance reviews: states, reviewer kinds, the workflow rules and answer validation (no I/O).

A cycle's review of one employee (``reviews``) has one form (``review_forms``) per reviewer:
the employee (``self``), their manager, chosen peers and their direct reports (``upward``).
A form's answers are a map keyed by question id, each answer versioned on its own::

    answers: {"<questionId>": {"value": <JSON>, "version": 3, "byId": "<employee>", "at": <datetime>}}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from models.core.documents import Document, stable_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import TEXT_MAX, check_text


class ReviewerKind(StrEnum):
    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    UPWARD = "upward"


class QuestionKind(StrEnum):
    RATING = "rating"
    TEXT = "text"
    CHOICE = "choice"
    COMPETENCY = "competency"
    GOALS = "goals"


RATED_KINDS = frozenset({QuestionKind.RATING, QuestionKind.COMPETENCY, QuestionKind.GOALS})


class AnswerReader(StrEnum):
    """Who, besides the reviewer and HR admins, may read a question's answers."""

    REVIEWEE = "reviewee"
    MANAGER = "manager"


class FeedbackVisibility(StrEnum):
    """How peer (or upward) answers are shown to the reviewee once the review is shared."""

    NAMED = "named"
    ANONYMOUS = "anonymous"  # only as an aggregate, and only with at least ANONYMITY_THRESHOLD answers
    HIDDEN = "hidden"


ANONYMITY_THRESHOLD = 3


class FormState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class ReviewState(StrEnum):
    SELF_REVIEW = "self_review"
    MANAGER_REVIEW = "manager_review"
    CALIBRATION = "calibration"
    SHARED = "shared"
    ACKNOWLEDGED = "acknowledged"


SHARED_STATES = frozenset({ReviewState.SHARED.value, ReviewState.ACKNOWLEDGED.value})


class Phase(StrEnum):
    SELF_REVIEW = "self_review"
    PEER_NOMINATION = "peer_nomination"
    PEER_REVIEW = "peer_review"
    MANAGER_REVIEW = "manager_review"
    CALIBRATION = "calibration"
    SHARING = "sharing"


PHASE_ORDER = list(Phase)
# The phase whose deadline a form of each reviewer kind is due by.
PHASE_OF_KIND: dict[str, Phase] = {
    ReviewerKind.SELF: Phase.SELF_REVIEW, ReviewerKind.PEER: Phase.PEER_REVIEW,
    ReviewerKind.UPWARD: Phase.PEER_REVIEW, ReviewerKind.MANAGER: Phase.MANAGER_REVIEW,
}


class CycleStatus(StrEnum):
    DRAFT = "draft"
    LAUNCHING = "launching"  # a launch started; launching again completes it
    ACTIVE = "active"
    CLOSED = "closed"


class Actor(StrEnum):
    """How someone relates to a review, for the workflow table."""

    REVIEWEE = "reviewee"
    MANAGER = "manager"  # anyone above the reviewee in the management chain
    HR_ADMIN = "hr_admin"


# (from, to) → who may make the move, and the form (kind) that must be submitted first for
# everyone but HR admins (None: no condition).
REVIEW_TRANSITIONS: dict[tuple[str, str], tuple[frozenset[Actor], str | None]] = {
    (ReviewState.SELF_REVIEW, ReviewState.MANAGER_REVIEW):
        (frozenset({Actor.REVIEWEE, Actor.MANAGER, Actor.HR_ADMIN}), ReviewerKind.SELF),
    (ReviewState.MANAGER_REVIEW, ReviewState.CALIBRATION):
        (frozenset({Actor.MANAGER, Actor.HR_ADMIN}), ReviewerKind.MANAGER),
    (ReviewState.CALIBRATION, ReviewState.SHARED): (frozenset({Actor.MANAGER, Actor.HR_ADMIN}), ReviewerKind.MANAGER),
    (ReviewState.SHARED, ReviewState.ACKNOWLEDGED): (frozenset({Actor.REVIEWEE}), None),
}


def review_id(cycle_id: str, employee_id: str) -> str:
    return stable_id(f"review:{cycle_id}:{employee_id}")


def form_id(cycle_id: str, employee_id: str, reviewer_id: str, kind: str) -> str:
    return stable_id(f"form:{cycle_id}:{employee_id}:{reviewer_id}:{kind}")


def transition_errors(review: Mapping[str, Any], to: str, actors: frozenset[Actor],
                      forms: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Why ``actors`` may not move ``review`` to ``to`` (empty: they may). Authorisation is separate:
    callers first check that the viewer has at least one allowed actor role (see permissions)."""
    rule = REVIEW_TRANSITIONS.get((review["state"], to))
    if rule is None:
        return [FieldError("state", ErrorCode.INVALID_TRANSITION,
                           f"a review cannot move from {review['state']} to {to}")]
    _, needs = rule
    if needs is not None and Actor.HR_ADMIN not in actors:
        pending = [f for f in forms if f["kind"] == needs and f["state"] != FormState.SUBMITTED.value]
        if pending:
            return [FieldError("state", ErrorCode.INVALID_TRANSITION,
                               f"the {needs} form must be submitted before the review moves to {to}")]
    return []


def allowed_actors(to_from: tuple[str, str]) -> frozenset[Actor]:
    rule = REVIEW_TRANSITIONS.get(to_from)
    return rule[0] if rule else frozenset()


def history_entry(kind: str, at: Any, by: str | None, **fields: Any) -> Document:
    return {"kind": kind, "at": at, "byId": by, **fields}


def check_reason(value: str | None, field: str) -> list[FieldError]:
    """A reason (reopening a form) or a justification (calibrating): required, not blank, not too long."""
    if value is None or not value.strip():
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} is required")]
    return check_text(value, field)


# -- questions ---------------------------------------------------------------------------------


def questions_for(template: Mapping[str, Any], kind: str) -> list[tuple[Document, Document]]:
    """(section, question) pairs a reviewer of ``kind`` answers, in template order."""
    pairs = []
    for section in template.get("sections", []):
        if kind not in section.get("reviewerKinds", []):
            continue
        for question in section.get("questions", []):
            if kind in question.get("reviewerKinds", []):
                pairs.append((section, question))
    return pairs


def is_required(section: Mapping[str, Any], question: Mapping[str, Any]) -> bool:
    return bool(section.get("required", True) and question.get("required", True))


def kinds_in(template: Mapping[str, Any]) -> set[str]:
    """The reviewer kinds that have at least one question to answer."""
    return {k for k in ReviewerKind if questions_for(template, k)}


def find_question(template: Mapping[str, Any], kind: str, question_id: str) -> tuple[Document, Document] | None:
    return next(((s, q) for s, q in questions_for(template, kind) if q["id"] == question_id), None)


def label_values(question: Mapping[str, Any]) -> list[float]:
    return [label["value"] for label in question.get("labels", [])]


def has_value(value: Any) -> bool:
    """An answer counts as given unless it is null, blank text or an empty goal map."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return bool(value)
    return True


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_answer(question: Mapping[str, Any], value: Any, goal_ids: Iterable[str] = ()) -> list[FieldError]:
    """Is ``value`` an acceptable answer to ``question``? ``null`` clears an answer and is always fine."""
    if value is None:
        return []
    kind = question["kind"]

    def invalid(message: str) -> list[FieldError]:
        return [FieldError("value", ErrorCode.INVALID, message)]

    if kind == QuestionKind.RATING:
        if not _number(value) or value not in label_values(question):
            return invalid(f"the rating must be one of {label_values(question)}")
    elif kind == QuestionKind.TEXT:
        if not isinstance(value, str):
            return invalid("the answer must be text")
        if len(value) > TEXT_MAX:
            return [FieldError("value", ErrorCode.TOO_LONG, f"the answer is longer than {TEXT_MAX} characters")]
    elif kind == QuestionKind.CHOICE:
        if value not in question.get("options", []):
            return invalid(f"the answer must be one of {question.get('options', [])}")
    elif kind == QuestionKind.COMPETENCY:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            return invalid("the assessed level must be an integer from 1 to 5")
    elif kind == QuestionKind.GOALS:
        known = set(goal_ids)
        if not isinstance(value, dict):
            return invalid("the answer must map goal ids to ratings")
        for goal, rating in value.items():
            if goal not in known:
                return invalid(f"{goal!r} is not one of the reviewee's goals of the period")
            if not _number(rating) or rating not in label_values(question):
                return invalid(f"each goal rating must be one of {label_values(question)}")
    return []


# The member of a typed answer (GraphQL's ``ReviewAnswerValue``) that answers each kind of question; ``clear``
# removes an answer of any kind.
ANSWER_MEMBER = {QuestionKind.RATING: "rating", QuestionKind.TEXT: "text", QuestionKind.CHOICE: "choice",
                 QuestionKind.COMPETENCY: "level", QuestionKind.GOALS: "goals"}
CLEAR = "clear"


def check_answer_kind(question: Mapping[str, Any], member: str) -> list[FieldError]:
    """Is ``member`` (of a typed answer) the one that answers ``question``'s kind?"""
    expected = ANSWER_MEMBER[QuestionKind(question["kind"])]
    if member in (expected, CLEAR):
        return []
    return [FieldError(f"answer.{member}", ErrorCode.KIND_MISMATCH,
                       f"question {question['id']!r} is a {QuestionKind(question['kind']).name} question: answer it "
                       f"with `{expected}`, not `{member}`")]


def answer_of(form: Mapping[str, Any], question_id: str) -> Document | None:
    return (form.get("answers") or {}).get(question_id)


def version_of(form: Mapping[str, Any], question_id: str) -> int:
    answer = answer_of(form, question_id)
    return int(answer["version"]) if answer else 0


def missing_required(template: Mapping[str, Any], form: Mapping[str, Any]) -> list[str]:
    """Ids of required questions of the form's kind without an answer (submitting needs none)."""
    missing = []
    for section, question in questions_for(template, form["kind"]):
        answer = answer_of(form, question["id"])
        if is_required(section, question) and not has_value(answer["value"] if answer else None):
            missing.append(question["id"])
    return missing


def goals_of_period(goals: Iterable[Mapping[str, Any]], start: str, end: str) -> list[Document]:
    """The goals (not archived) whose span overlaps the review period ``start``..``end`` (ISO dates)."""
    chosen = []
    for goal in goals:
        if goal.get("archived"):
            continue
        goal_start, goal_due = goal.get("startDate") or start, goal.get("dueDate") or end
        if str(goal_start) <= end and str(goal_due) >= start:
            chosen.append(dict(goal))
    return sorted(chosen, key=lambda g: (str(g.get("dueDate") or ""), g.get("title", ""), g["_id"]))
