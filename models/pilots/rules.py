"""Pilots and process surveys: the documents, their validation and workflow (pure; nothing here reads the store).

- ``pilots``: ``{_id, name, practice, value, cohort: {departmentIds, employeeIds}, affectedIds (the people the
  setting changes for, fixed at the start), comparison: {departmentIds} (empty: the rest of the organisation),
  startsOn, endsOn, status, earlier: {departments: {id: value}, series: {id: value}}, decisions: [{action, byId,
  at, reason, ...}], createdAt}``;
- ``pilotLocks``: one per (organisation, practice), bumped by every start of a pilot on that practice inside its
  transaction, so two concurrent starts conflict and the one retried sees the other;
- ``processSurveys``: ``{_id, title, pilotId, questions: [{id, text}], groups, departmentIds, rounds: [{number,
  opensOn, closesOn}], createdAt}``;
- ``processSurveyRounds``: ``{_id, surveyId, number, opensOn, closesOn, recipients: {cohort: [ids], comparison:
  [ids], everyone: [ids]}}``;
- ``processSurveyMarkers``: ``{_id: keyed hash of (organisation, round, person)}`` and nothing else: "has
  answered", which nobody can turn back into a person without the server's key;
- ``processSurveyAnswers``: ``{_id (random, no time), roundId, surveyId, group, scores: {questionId: 1..5},
  comments: {questionId: text}}``: no author, no time at all.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from models.core.errors import ErrorCode, FieldError

MAX_NAME = 200
MAX_REASON = 2000
MAX_COMMENT = 2000
MAX_QUESTION = 300
MAX_QUESTIONS = 10
MAX_UNITS = 200
MAX_ROUNDS = 12
SCALE = (1, 5)


class Practice(StrEnum):
    """The setting a pilot changes (owned by the check-ins, reviews or notifications domain)."""

    CHECK_IN_CADENCE = "check_in_cadence"
    CHECK_IN_TEMPLATE = "check_in_template"
    REVIEW_TEMPLATE = "review_template"
    GOAL_UPDATE_REMINDER = "goal_update_reminder"


class PilotStatus(StrEnum):
    RUNNING = "running"
    REVERTED = "reverted"
    ADOPTED = "adopted"


class PilotAction(StrEnum):
    """What HR decided when a pilot's period ended (or earlier)."""

    START = "start"
    EXTEND = "extend"
    REVERT = "revert"
    ADOPT = "adopt"


class SurveyGroup(StrEnum):
    """Whom a round of a process survey is sent to, and how its answers are grouped."""

    COHORT = "cohort"
    COMPARISON = "comparison"
    EVERYONE = "everyone"


class PilotChange(StrEnum):
    """Events on the pilots channel (ids only)."""

    STARTED = "started"
    EXTENDED = "extended"
    REVERTED = "reverted"
    ADOPTED = "adopted"
    ROUND_SENT = "round_sent"


def check_name(value: str | None, field: str = "name", limit: int = MAX_NAME) -> list[FieldError]:
    """REQUIRED when missing or blank, TOO_LONG beyond ``limit`` characters."""
    if value is None or not value.strip():
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} is required")]
    return check_length(value, field, limit)


def check_length(value: str, field: str, limit: int) -> list[FieldError]:
    if len(value) > limit:
        return [FieldError(field, ErrorCode.TOO_LONG, f"{field} is longer than {limit} characters")]
    return []


def check_pilot(name: str | None, department_ids: Sequence[str], employee_ids: Sequence[str],
                comparison_ids: Sequence[str], ends_on: date | None, today: date) -> list[FieldError]:
    """The shape of a new pilot (references are checked by the resolver)."""
    errors = check_name(name)
    if bool(department_ids) == bool(employee_ids):
        errors.append(FieldError("cohort", ErrorCode.INVALID, "a cohort is departments or people, one of the two"))
    if len(department_ids) > MAX_UNITS or len(employee_ids) > MAX_UNITS or len(comparison_ids) > MAX_UNITS:
        errors.append(FieldError("cohort", ErrorCode.INVALID, f"at most {MAX_UNITS} departments or people"))
    if set(department_ids) & set(comparison_ids):
        errors.append(FieldError("comparisonDepartmentIds", ErrorCode.INVALID,
                                 "a department cannot be in the cohort and in the comparison group"))
    if ends_on is None or ends_on <= today:
        errors.append(FieldError("endsOn", ErrorCode.INVALID, "a pilot ends after today"))
    return errors


def overlap_keys(department_ids: Sequence[str], people_ids: Sequence[str]) -> list[str]:
    """What a pilot's setting is changed for: its departments (even one with nobody in it yet) and its people."""
    return sorted({*(f"department:{id}" for id in department_ids), *(f"person:{id}" for id in people_ids)})


def overlapping(keys: Sequence[str], practice: str, running: Sequence[Mapping[str, Any]],
                other_than: str | None = None) -> list[str]:
    """The running pilots (ids, by id) changing ``practice`` for one of the same departments or people."""
    wanted = set(keys)
    return sorted(p["_id"] for p in running
                  if p["_id"] != other_than and p["practice"] == practice and p["status"] == PilotStatus.RUNNING.value
                  and wanted & set(p.get("overlapKeys", [])))


def decision(action: PilotAction, by_id: str, at: Any, reason: str | None, **extra: Any) -> dict[str, Any]:
    return {"action": action.value, "byId": by_id, "at": at, "reason": (reason or "").strip() or None, **extra}


def check_reason(reason: str | None) -> list[FieldError]:
    return check_name(reason, "reason", MAX_REASON)


def check_questions(questions: Sequence[str] | None) -> list[FieldError]:
    if not questions:
        return [FieldError("questions", ErrorCode.REQUIRED, "a survey asks at least one question")]
    if len(questions) > MAX_QUESTIONS:
        return [FieldError("questions", ErrorCode.INVALID, f"at most {MAX_QUESTIONS} questions")]
    return [e for i, q in enumerate(questions) for e in check_name(q, f"questions.{i}", MAX_QUESTION)]


def check_round(opens_on: date, closes_on: date, today: date, rounds: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """A new round: it closes on or after it opens, not in the past, after the last round closed."""
    errors = []
    if closes_on < opens_on or closes_on < today:
        errors.append(FieldError("closesOn", ErrorCode.INVALID, "a round closes on or after it opens, not in the past"))
    if rounds and opens_on <= date.fromisoformat(rounds[-1]["closesOn"]):
        errors.append(FieldError("opensOn", ErrorCode.INVALID, "a round opens after the previous one closed"))
    if len(rounds) >= MAX_ROUNDS:
        errors.append(FieldError("surveyId", ErrorCode.INVALID, f"a survey has at most {MAX_ROUNDS} rounds"))
    return errors


def check_answers(questions: Sequence[Mapping[str, Any]], answers: Sequence[Mapping[str, Any]]
                  ) -> tuple[dict[str, int], dict[str, str], list[FieldError]]:
    """Scores (every question, 1-5) and optional comments, keyed by question id."""
    known = {q["id"] for q in questions}
    scores: dict[str, int] = {}
    comments: dict[str, str] = {}
    errors: list[FieldError] = []
    for i, answer in enumerate(answers):
        qid, score, comment = answer.get("question_id"), answer.get("score"), answer.get("comment")
        if qid not in known or qid in scores:
            errors.append(FieldError(f"answers.{i}.questionId", ErrorCode.INVALID, "an unknown or repeated question"))
            continue
        if not isinstance(score, int) or not SCALE[0] <= score <= SCALE[1]:
            errors.append(FieldError(f"answers.{i}.score", ErrorCode.INVALID, "a score is 1 to 5"))
            continue
        scores[qid] = score
        if comment is not None and comment.strip():
            errors += check_length(comment, f"answers.{i}.comment", MAX_COMMENT)
            comments[qid] = comment.strip()
    missing = sorted(known - set(scores))
    if missing and not errors:
        errors.append(FieldError("answers", ErrorCode.REQUIRED, f"every question needs a score: {', '.join(missing)}"))
    return scores, comments, errors


def marker_id(key: bytes, organization_id: str, round_id: str, person_id: str) -> str:
    """The "has answered" marker of one person for one round: a one-way keyed hash. It proves "answered once"
    but the same person's markers of other rounds differ, and nothing without the server's key can turn it
    back into (or test it against) an employee."""
    return hmac.new(key, f"{organization_id}|{round_id}|{person_id}".encode(), hashlib.sha256).hexdigest()


def group_of(recipients: Mapping[str, Sequence[str]], person_id: str) -> str | None:
    """The group a recipient answers in (``None``: not a recipient of the round)."""
    return next((group for group, ids in recipients.items() if person_id in ids), None)


def round_open(round: Mapping[str, Any], today: date) -> bool:
    return round["opensOn"] <= today.isoformat() <= round["closesOn"]


def round_closed(round: Mapping[str, Any], today: date) -> bool:
    """Results of a round show only once it closed: figures that moved while people answer would tell, by
    subtraction over time, what the latest answer was."""
    return round["closesOn"] < today.isoformat()
