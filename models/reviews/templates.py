"""Review templates: validating a template's sections and questions and building its document.

A template document::

    {_id, organizationId, familyId, version, name, description, scale: {min, max},
     kindWeights: {self, manager, peer, upward}, peerVisibility, upwardVisibility, locked,
     supersededById, sections: [{id, title, weight, required, reviewerKinds,
         questions: [{id, kind, text, weight, required, reviewerKinds, readers,
                      labels: [{label, value}], options, competencyId, expectedLevel}]}]}

``locked`` is set when a cycle using the template is launched; a locked template is never
changed again: editing it creates the next version (same ``familyId``) and forms already issued
keep pointing at the version they were issued with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from typing import Any

from models.core.documents import Document, new_id, stable_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name, check_text
from models.reviews.rules import AnswerReader, FeedbackVisibility, QuestionKind, ReviewerKind

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
QUESTION_TEXT_MAX = 1000
LABEL_MAX = 100
MAX_SECTIONS = 20
MAX_QUESTIONS = 50
MAX_LABELS = 11
MAX_OPTIONS = 20
DEFAULT_WEIGHTS = {"self": 20.0, "manager": 60.0, "peer": 20.0, "upward": 0.0}
ALL_KINDS = [k.value for k in ReviewerKind]
ALL_READERS = [r.value for r in AnswerReader]


def next_version_id(family_id: str, version: int) -> str:
    """Deterministic, so two concurrent edits of one locked version cannot both create a successor."""
    return stable_id(f"template:{family_id}:v{version}")


def default_labels(scale: Mapping[str, int]) -> list[Document]:
    return [{"label": str(v), "value": v} for v in range(scale["min"], scale["max"] + 1)]


class _Check:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, code: ErrorCode, message: str) -> None:
        self.errors.append(FieldError(field, code, message))

    def weight(self, value: Any, field: str) -> float:
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) \
                or not 0 <= value <= 1000:
            self.add(field, ErrorCode.INVALID, f"{field} must be a number from 0 to 1000")
            return 0.0
        return float(value)

    def ident(self, value: Any, field: str, seen: set[str]) -> str:
        if value is None:
            value = new_id()[:12]
        elif not isinstance(value, str) or not ID_PATTERN.match(value):
            self.add(field, ErrorCode.INVALID, f"{field} must be 1-40 letters, digits, '-' or '_'")
        elif value in seen:
            self.add(field, ErrorCode.DUPLICATE, f"{field} {value!r} is used twice in the template")
        seen.add(value)
        return value

    def kinds(self, value: Any, field: str, allowed: list[str]) -> list[str]:
        kinds = list(dict.fromkeys(value or []))
        if not kinds:
            self.add(field, ErrorCode.REQUIRED, f"{field} needs at least one reviewer kind")
        elif any(k not in allowed for k in kinds):
            self.add(field, ErrorCode.INVALID, f"{field} must be among {allowed}")
        return kinds


def _labels(check: _Check, raw: Any, field: str, scale: Mapping[str, int]) -> list[Document]:
    if raw is None:
        return default_labels(scale)
    labels = [{"label": str(item.get("label", "")).strip(), "value": item.get("value")} for item in raw]
    values = [label["value"] for label in labels]
    if not 2 <= len(labels) <= MAX_LABELS:
        check.add(field, ErrorCode.INVALID, f"{field} needs 2 to {MAX_LABELS} labels")
    elif any(not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) for v in values):
        check.add(field, ErrorCode.INVALID, f"{field} values must be numbers")
    elif len(set(values)) != len(values):
        check.add(field, ErrorCode.DUPLICATE, f"{field} values must be distinct")
    elif any(not label["label"] or len(label["label"]) > LABEL_MAX for label in labels):
        check.add(field, ErrorCode.INVALID, f"each label needs 1 to {LABEL_MAX} characters")
    return sorted(labels, key=lambda label: label["value"]) if not check.errors else labels


def _question(check: _Check, raw: Mapping[str, Any], field: str, section_kinds: list[str], seen: set[str],
              scale: Mapping[str, int], competencies: Collection[str]) -> Document:
    kind = raw.get("kind")
    question: Document = {
        "id": check.ident(raw.get("id"), f"{field}.id", seen), "kind": kind,
        "text": (raw.get("text") or "").strip(), "weight": check.weight(raw.get("weight", 1), f"{field}.weight"),
        "required": bool(raw.get("required", True)),
    }
    if kind not in {k.value for k in QuestionKind}:
        check.add(f"{field}.kind", ErrorCode.INVALID, f"{field}.kind must be one of {[k.value for k in QuestionKind]}")
    if not question["text"]:
        check.add(f"{field}.text", ErrorCode.REQUIRED, f"{field}.text is required")
    elif len(question["text"]) > QUESTION_TEXT_MAX:
        check.add(f"{field}.text", ErrorCode.TOO_LONG, f"{field}.text is longer than {QUESTION_TEXT_MAX} characters")
    kinds = raw.get("reviewerKinds")
    question["reviewerKinds"] = section_kinds if kinds is None else check.kinds(kinds, f"{field}.reviewerKinds",
                                                                                 section_kinds)
    readers = raw.get("readers")
    question["readers"] = ALL_READERS if readers is None else list(dict.fromkeys(readers))
    if any(r not in ALL_READERS for r in question["readers"]):
        check.add(f"{field}.readers", ErrorCode.INVALID, f"{field}.readers must be among {ALL_READERS}")
    if kind in (QuestionKind.RATING, QuestionKind.GOALS):
        question["labels"] = _labels(check, raw.get("labels"), f"{field}.labels", scale)
    if kind == QuestionKind.CHOICE:
        options = [str(o).strip() for o in raw.get("options") or []]
        if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options) \
                or any(not o or len(o) > LABEL_MAX for o in options):
            check.add(f"{field}.options", ErrorCode.INVALID,
                      f"{field}.options needs 2 to {MAX_OPTIONS} distinct options of 1 to {LABEL_MAX} characters")
        question["options"] = options
    if kind == QuestionKind.COMPETENCY:
        question["competencyId"] = raw.get("competencyId")
        question["expectedLevel"] = raw.get("expectedLevel")
        if question["competencyId"] is None:
            check.add(f"{field}.competencyId", ErrorCode.REQUIRED, "a competency question names its competency")
        elif question["competencyId"] not in competencies:
            check.add(f"{field}.competencyId", ErrorCode.NOT_FOUND,
                      f"no competency {question['competencyId']!r} in your organisation")
        level = question["expectedLevel"]
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            check.add(f"{field}.expectedLevel", ErrorCode.INVALID, "the expected level must be an integer from 1 to 5")
    return question


def _section(check: _Check, raw: Mapping[str, Any], field: str, seen: set[str], scale: Mapping[str, int],
             competencies: Collection[str]) -> Document:
    for error in check_name(raw.get("title"), f"{field}.title"):
        check.errors.append(error)
    kinds = raw.get("reviewerKinds")
    section_kinds = ALL_KINDS if kinds is None else check.kinds(kinds, f"{field}.reviewerKinds", ALL_KINDS)
    raw_questions = raw.get("questions") or []
    if not 1 <= len(raw_questions) <= MAX_QUESTIONS:
        check.add(f"{field}.questions", ErrorCode.REQUIRED, f"a section needs 1 to {MAX_QUESTIONS} questions")
    return {
        "id": check.ident(raw.get("id"), f"{field}.id", seen), "title": (raw.get("title") or "").strip(),
        "weight": check.weight(raw.get("weight", 1), f"{field}.weight"), "required": bool(raw.get("required", True)),
        "reviewerKinds": section_kinds,
        "questions": [_question(check, q, f"{field}.questions[{i}]", section_kinds, seen, scale, competencies)
                      for i, q in enumerate(raw_questions)],
    }


def build_template(data: Mapping[str, Any], competencies: Collection[str],
                   current: Mapping[str, Any] | None = None) -> tuple[Document, list[FieldError]]:
    """The template fields from ``data`` (doc-shaped keys; on an edit only those sent), merged over
    ``current``; and every problem found. ``competencies``: the organisation's competency ids."""
    check = _Check()
    base: Document = dict(current or {})
    if current is None or "name" in data:
        check.errors += check_name(data.get("name"), "name")
        base["name"] = (data.get("name") or "").strip()
    if "description" in data:
        check.errors += check_text(data.get("description"), "description")
        base["description"] = data.get("description") or ""
    base.setdefault("description", "")
    scale = {**(base.get("scale") or {"min": 1, "max": 5}), **(data.get("scale") or {})}
    if not all(isinstance(scale.get(k), int) for k in ("min", "max")) or not scale["min"] < scale["max"] \
            or scale["max"] - scale["min"] > 100:
        check.add("scale", ErrorCode.INVALID, "the scale needs integers min < max, at most 100 apart")
        scale = {"min": 1, "max": 5}
    base["scale"] = scale
    weights = {**DEFAULT_WEIGHTS, **(base.get("kindWeights") or {}), **(data.get("kindWeights") or {})}
    base["kindWeights"] = {k: check.weight(weights[k], f"weights.{k}") for k in ALL_KINDS}
    for key in ("peerVisibility", "upwardVisibility"):
        value = data.get(key) or base.get(key) or FeedbackVisibility.ANONYMOUS.value
        if value not in {v.value for v in FeedbackVisibility}:
            check.add(key, ErrorCode.INVALID, f"{key} must be named, anonymous or hidden")
        base[key] = value
    if current is None or "sections" in data:
        raw_sections = data.get("sections") or []
        if not 1 <= len(raw_sections) <= MAX_SECTIONS:
            check.add("sections", ErrorCode.REQUIRED, f"a template needs 1 to {MAX_SECTIONS} sections")
        seen: set[str] = set()
        base["sections"] = [_section(check, s, f"sections[{i}]", seen, scale, competencies)
                            for i, s in enumerate(raw_sections)]
    elif "scale" in data:  # default labels follow the scale
        check.add("scale", ErrorCode.INVALID, "changing the scale needs the sections sent again")
    if not check.errors and not any(base["kindWeights"][k] > 0 for k in _answering_kinds(base)):
        check.add("weights", ErrorCode.INVALID, "at least one reviewer kind with questions needs a weight above 0")
    return base, check.errors


def _answering_kinds(template: Mapping[str, Any]) -> set[str]:
    return {k for s in template.get("sections", []) for q in s["questions"] for k in q["reviewerKinds"]
            if k in s["reviewerKinds"]}
