"""Exits: exit records, the reason taxonomy, the checklist, interview templates and survey answers (pure rules).

An exit record (``exitRecords``), one per leaver::

    {_id, organizationId, employeeId, lastDay ("2026-12-01"), status, kind, regretted, reasons: {primary,
     secondary, tertiary} (reason ids), rehireEligible, notes, interviewerId, interviewOn, interview: {templateId,
     answers: [{questionId, value}], recordedAt, recordedById}, cohort: {departmentId, managerId, managerChain,
     positionLevel, hireDate} (the leaver as they were when the record opened), checklist: [item], surveyTemplateId,
     surveyDone, openedAt, openedById, updatedAt, version}

``surveyDone`` says only that the candid survey was answered; the answers (``exitSurveyResponses``) carry no
author, no exit id and no time finer than the month of the last day, only the cohort a report cuts by.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from models.core.documents import Document, new_id, stable_id
from models.core.errors import ErrorCode, FieldError
from models.core.ids import key_in
from models.core.validation import check_name, check_text

K_DEFAULT = 5
K_MINIMUM = 3
WINDOW_MONTHS = 12
SURVEY_OPENS_DAYS_BEFORE = 7
SURVEY_CLOSES_DAYS_AFTER = 14
QUESTION_TEXT_MAX = 1000
OPTION_MAX = 100
MAX_QUESTIONS = 40
MAX_OPTIONS = 20
MAX_REASONS = 100
MAX_CHECKLIST = 500  # the most items a checklist keeps (the schema declares it)
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CODE_PATTERN = re.compile(r"^[a-z0-9_]{1,40}$")


class ExitStatus(StrEnum):
    PENDING = "pending"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ExitKind(StrEnum):
    VOLUNTARY = "voluntary"
    INVOLUNTARY = "involuntary"


class ReasonCategory(StrEnum):
    COMPENSATION = "compensation"
    MANAGER = "manager"
    GROWTH = "growth"
    WORKLOAD = "workload"
    RELOCATION = "relocation"
    PERSONAL = "personal"
    CULTURE = "culture"
    OTHER = "other"


class ExitQuestionKind(StrEnum):
    RATING = "rating"  # 1 to 5
    TEXT = "text"
    CHOICE = "choice"
    REASON = "reason"  # one reason id of the organisation's taxonomy
    RECOMMEND = "recommend"  # 0 to 10: would you recommend working here


class ChecklistKind(StrEnum):
    GOAL = "goal"
    CHECK_IN_SERIES = "check_in_series"
    REVIEW_FORM_OWED = "review_form_owed"
    REVIEW_ABOUT = "review_about"
    FEEDBACK_REQUEST = "feedback_request"
    MENTORSHIP = "mentorship"
    SUCCESSION_SLOT = "succession_slot"


class ExitChange(StrEnum):
    """What an exit event reports."""

    OPENED = "opened"
    WITHDRAWN = "withdrawn"
    SCHEDULED = "scheduled"
    CLASSIFIED = "classified"
    INTERVIEW_RECORDED = "interview_recorded"
    CHECKLIST_ITEM_COMPLETED = "checklist_item_completed"
    CHECKLIST_ITEM_REASSIGNED = "checklist_item_reassigned"


OPEN_STATUSES = (ExitStatus.PENDING.value, ExitStatus.SCHEDULED.value)


def exit_record(employee: Mapping[str, Any], last_day: date, position_level: int | None, by: str, now: Any
                ) -> Document:
    """A new exit record for ``employee`` leaving on ``last_day``: pending, unclassified, its cohort (department,
    manager, position level, hire date) as they are now, and an empty checklist."""
    return {
        "_id": new_id(), "employeeId": employee["_id"], "lastDay": last_day.isoformat(),
        "status": ExitStatus.PENDING.value, "kind": None, "regretted": None,
        "reasons": {"primary": None, "secondary": None, "tertiary": None}, "rehireEligible": None, "notes": None,
        "interviewerId": None, "interviewOn": None, "interview": None,
        "cohort": cohort_of(employee, position_level), "checklist": [], "surveyTemplateId": None, "surveyDone": False,
        "openedAt": now, "openedById": by, "updatedAt": now, "version": 1,
    }


def cohort_of(employee: Mapping[str, Any], position_level: int | None) -> Document:
    return {"departmentId": employee.get("departmentId"), "managerId": employee.get("managerId"),
            "managerChain": list(employee.get("managerChain", [])), "positionLevel": position_level,
            "hireDate": employee.get("hireDate")}


def checklist_item(exit_id: str, kind: ChecklistKind, ref_id: str, title: str, suggested_owner_id: str | None
                   ) -> Document:
    """One piece of the leaver's open work; its id is derived from the exit and the work, so building the
    checklist again (a retried transaction, a second termination) finds the same items."""
    return {"id": stable_id(f"exit:{exit_id}:{kind.value}:{ref_id}")[:16], "kind": kind.value, "refId": ref_id,
            "title": title[:200], "suggestedOwnerId": suggested_owner_id, "ownerId": suggested_owner_id,
            "done": False, "doneAt": None, "doneById": None}


def merged_checklist(current: Sequence[Mapping[str, Any]], fresh: Sequence[Document]) -> list[Document]:
    """The checklist after building it again: items already there keep their state, new ones are added."""
    known = {item["id"] for item in current}
    merged = [dict(item) for item in current] + [item for item in fresh if item["id"] not in known]
    return merged[:MAX_CHECKLIST]


def survey_window(last_day: str, settings: Mapping[str, Any]) -> tuple[date, date]:
    """The days the candid survey is open: from some days before the last day until some days after."""
    day = date.fromisoformat(last_day)
    return (day - timedelta(days=int(settings.get("surveyOpensDaysBefore", SURVEY_OPENS_DAYS_BEFORE))),
            day + timedelta(days=int(settings.get("surveyClosesDaysAfter", SURVEY_CLOSES_DAYS_AFTER))))


def tenure_band(hire_date: str | None, on: date) -> str:
    """The tenure band of someone hired on ``hire_date`` as of ``on``."""
    if not hire_date:
        return "unknown"
    years = (on - date.fromisoformat(hire_date)).days / 365.25
    if years < 1:
        return "under_1y"
    if years < 2:
        return "1_2y"
    if years < 5:
        return "2_5y"
    return "5y_plus"


TENURE_BANDS = ("under_1y", "1_2y", "2_5y", "5y_plus", "unknown")


# --- settings ------------------------------------------------------------------------------------------------

def default_settings() -> Document:
    return {"k": K_DEFAULT, "windowMonths": WINDOW_MONTHS, "surveyOpensDaysBefore": SURVEY_OPENS_DAYS_BEFORE,
            "surveyClosesDaysAfter": SURVEY_CLOSES_DAYS_AFTER}


def check_settings(data: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    if "k" in data and (not isinstance(data["k"], int) or not K_MINIMUM <= data["k"] <= 50):
        errors.append(FieldError("k", ErrorCode.INVALID, f"k must be between {K_MINIMUM} and 50"))
    if "windowMonths" in data and (not isinstance(data["windowMonths"], int) or not 1 <= data["windowMonths"] <= 36):
        errors.append(FieldError("windowMonths", ErrorCode.INVALID, "windowMonths must be between 1 and 36"))
    for key in ("surveyOpensDaysBefore", "surveyClosesDaysAfter"):
        if key in data and (not isinstance(data[key], int) or not 0 <= data[key] <= 90):
            errors.append(FieldError(key, ErrorCode.INVALID, f"{key} must be between 0 and 90"))
    return errors


# --- the reason taxonomy --------------------------------------------------------------------------------------

def check_reason(data: Mapping[str, Any], creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if creating or "label" in data:
        errors += check_name(data.get("label"), "label")
    if creating or "category" in data:
        if data.get("category") not in {c.value for c in ReasonCategory}:
            errors.append(FieldError("category", ErrorCode.REQUIRED, "category is required"))
    if creating and (not isinstance(data.get("code"), str) or not CODE_PATTERN.match(data["code"])):
        errors.append(FieldError("code", ErrorCode.INVALID, "code must be 1-40 lower-case letters, digits or '_'"))
    if not creating and "code" in data:
        errors.append(FieldError("code", ErrorCode.READ_ONLY, "a reason's code never changes"))
    return errors


# --- classification --------------------------------------------------------------------------------------------

def check_classification(data: Mapping[str, Any], reason_ids: Collection[str]) -> list[FieldError]:
    """``reason_ids``: the organisation's reasons that are not archived."""
    errors = check_text(data.get("notes"), "notes")
    chosen = []
    for rank in ("primary", "secondary", "tertiary"):
        reason = data.get(f"{rank}_reason_id")
        if reason is None:
            continue
        if reason not in reason_ids:
            errors.append(FieldError(f"{rank}ReasonId", ErrorCode.NOT_FOUND,
                                     f"no exit reason {reason!r} in your organisation"))
        elif reason in chosen:
            errors.append(FieldError(f"{rank}ReasonId", ErrorCode.DUPLICATE, "a reason is given once"))
        chosen.append(reason)
    if data.get("secondary_reason_id") and not data.get("primary_reason_id"):
        errors.append(FieldError("primaryReasonId", ErrorCode.REQUIRED, "a secondary reason needs a primary one"))
    if data.get("tertiary_reason_id") and not data.get("secondary_reason_id"):
        errors.append(FieldError("secondaryReasonId", ErrorCode.REQUIRED, "a tertiary reason needs a secondary one"))
    return errors


# --- interview templates ---------------------------------------------------------------------------------------

def next_template_version_id(family_id: str, version: int) -> str:
    """Deterministic, so two concurrent edits of one version cannot both create its successor."""
    return stable_id(f"exit-template:{family_id}:v{version}")


def build_questions(raw: Sequence[Mapping[str, Any]]) -> tuple[list[Document], list[FieldError]]:
    errors: list[FieldError] = []
    if not 1 <= len(raw) <= MAX_QUESTIONS:
        errors.append(FieldError("questions", ErrorCode.REQUIRED, f"a template needs 1 to {MAX_QUESTIONS} questions"))
    seen: set[str] = set()
    questions = []
    for i, item in enumerate(raw):
        field = f"questions[{i}]"
        qid = item.get("id") or new_id()[:12]
        if not isinstance(qid, str) or not ID_PATTERN.match(qid):
            errors.append(FieldError(f"{field}.id", ErrorCode.INVALID, "an id is 1-40 letters, digits, '-' or '_'"))
        elif qid in seen:
            errors.append(FieldError(f"{field}.id", ErrorCode.DUPLICATE, f"question id {qid!r} is used twice"))
        seen.add(qid)
        kind = item.get("kind")
        if kind not in {k.value for k in ExitQuestionKind}:
            errors.append(FieldError(f"{field}.kind", ErrorCode.INVALID, "unknown question kind"))
        text = (item.get("text") or "").strip()
        if not text:
            errors.append(FieldError(f"{field}.text", ErrorCode.REQUIRED, f"{field}.text is required"))
        elif len(text) > QUESTION_TEXT_MAX:
            errors.append(FieldError(f"{field}.text", ErrorCode.TOO_LONG,
                                     f"{field}.text is longer than {QUESTION_TEXT_MAX} characters"))
        options = [str(o).strip() for o in item.get("options") or []]
        bad_options = (not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options)
                       or any(not o or len(o) > OPTION_MAX for o in options))
        if kind == ExitQuestionKind.CHOICE and bad_options:
            errors.append(FieldError(f"{field}.options", ErrorCode.INVALID,
                                     f"a choice needs 2 to {MAX_OPTIONS} distinct options of 1 to {OPTION_MAX} "
                                     "characters"))
        questions.append({"id": qid, "kind": kind, "text": text,
                          "options": options if kind == ExitQuestionKind.CHOICE else [],
                          "required": bool(item.get("required", False))})
    return questions, errors


def check_answers(template: Mapping[str, Any], answers: Sequence[Mapping[str, Any]],
                  reason_ids: Collection[str]) -> tuple[dict[str, Any], list[FieldError]]:
    """The answers by question key, each checked against its question of ``template``; every problem found. A
    question is named by its key or by its id (``<template id>:<key>``, as ExitQuestion.id shows it)."""
    errors: list[FieldError] = []
    if len(answers) > MAX_QUESTIONS:
        return {}, [FieldError("answers", ErrorCode.INVALID, f"at most {MAX_QUESTIONS} answers")]
    by_id = {q["id"]: q for q in template.get("questions", [])}
    values: dict[str, Any] = {}
    for i, answer in enumerate(answers):
        field = f"answers[{i}]"
        question = by_id.get(key_in(template["_id"], str(answer.get("question_id"))))
        value = answer.get("value")
        if question is None:
            errors.append(FieldError(f"{field}.questionId", ErrorCode.NOT_FOUND, "no such question in the template"))
            continue
        if question["id"] in values:
            errors.append(FieldError(f"{field}.questionId", ErrorCode.DUPLICATE, "a question is answered once"))
            continue
        if value is None:
            continue
        kind = question["kind"]
        ok = True
        if kind == ExitQuestionKind.RATING:
            ok = _integer(value) and 1 <= value <= 5
        elif kind == ExitQuestionKind.RECOMMEND:
            ok = _integer(value) and 0 <= value <= 10
        elif kind == ExitQuestionKind.CHOICE:
            ok = value in question.get("options", [])
        elif kind == ExitQuestionKind.REASON:
            ok = isinstance(value, str) and value in reason_ids
        elif kind == ExitQuestionKind.TEXT:
            ok = isinstance(value, str)
            if ok:
                errors += check_text(value, f"{field}.value")
        if not ok:
            errors.append(FieldError(f"{field}.value", ErrorCode.INVALID, f"not an answer to a {kind} question"))
        values[question["id"]] = value
    for question in template.get("questions", []):
        if question.get("required") and values.get(question["id"]) is None:
            errors.append(FieldError("answers", ErrorCode.REQUIRED, f"question {question['id']!r} must be answered"))
    return values, errors


def _integer(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and math.isfinite(value) and value.is_integer())


def survey_response(questions: Sequence[Mapping[str, Any]], values: Mapping[str, Any], record: Mapping[str, Any],
                    reason_categories: Mapping[str, str]) -> Document:
    """The stored candid answers: no author, no exit id, no time finer than the month of the last day; only the
    cohort a report cuts by, the figures a report aggregates (recommend, ratings, reason categories) and the
    free texts, each detached from its question order."""
    cohort = record.get("cohort") or {}
    kinds = {q["id"]: q["kind"] for q in questions}
    ratings = [int(v) for q, v in values.items() if kinds[q] == ExitQuestionKind.RATING and v is not None]
    recommends = [int(v) for q, v in values.items() if kinds[q] == ExitQuestionKind.RECOMMEND and v is not None]
    reasons = sorted({reason_categories[v] for q, v in values.items()
                      if kinds[q] == ExitQuestionKind.REASON and v in reason_categories})
    return {"_id": new_id(), "month": record["lastDay"][:7], "departmentId": cohort.get("departmentId"),
            "managerChain": list(cohort.get("managerChain", [])), "managerId": cohort.get("managerId"),
            "positionLevel": cohort.get("positionLevel"),
            "tenureBand": tenure_band(cohort.get("hireDate"), date.fromisoformat(record["lastDay"])),
            "recommend": recommends[0] if recommends else None, "ratings": ratings, "reasonCategories": reasons,
            "choices": sorted(str(v) for q, v in values.items() if kinds[q] == ExitQuestionKind.CHOICE),
            "texts": sorted(str(v) for q, v in values.items() if kinds[q] == ExitQuestionKind.TEXT and v)}
