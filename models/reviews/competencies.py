"""The competency framework: competencies with five behavioural levels, expected levels per
position, and a person's profile (expected vs. latest assessed level). Pure rules, no I/O.

Documents::

    competencies:          {_id, organizationId, name, description, category, archived,
                            levels: [{level: 1..5, description}], createdAt, updatedAt}
    position_competencies: {_id: stable_id(position + competency), organizationId, positionId,
                            competencyId, expectedLevel}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models.core.documents import Document, stable_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name, check_text
from models.reviews.rules import QuestionKind, ReviewerKind, answer_of, has_value, questions_for

LEVELS = range(1, 6)
LEVEL_TEXT_MAX = 1000


def expectation_id(position_id: str, competency_id: str) -> str:
    return stable_id(f"position-competency:{position_id}:{competency_id}")


def check_competency(data: Mapping[str, Any], *, creating: bool) -> list[FieldError]:
    """``data``: the fields sent (doc-shaped keys); on an update only those are checked."""
    errors: list[FieldError] = []
    if creating or "name" in data:
        errors += check_name(data.get("name"), "name")
    if creating or "category" in data:
        errors += check_name(data.get("category"), "category")
    if "description" in data:
        errors += check_text(data.get("description"), "description")
    if creating or "levels" in data:
        levels = data.get("levels") or []
        numbers = sorted(level.get("level") for level in levels if isinstance(level.get("level"), int))
        if numbers != list(LEVELS) or len(levels) != len(LEVELS):
            errors.append(FieldError("levels", ErrorCode.INVALID,
                                     "describe each of the levels 1 to 5 exactly once"))
        elif any(not (level.get("description") or "").strip() or len(level["description"]) > LEVEL_TEXT_MAX
                 for level in levels):
            errors.append(FieldError("levels", ErrorCode.INVALID,
                                     f"each level needs a description of 1 to {LEVEL_TEXT_MAX} characters"))
    return errors


def competency_fields(data: Mapping[str, Any]) -> Document:
    fields: Document = {}
    for key in ("name", "category"):
        if key in data:
            fields[key] = data[key].strip()
    if "description" in data:
        fields["description"] = data["description"] or ""
    if "levels" in data:
        fields["levels"] = sorted(({"level": lv["level"], "description": lv["description"].strip()}
                                   for lv in data["levels"]), key=lambda lv: lv["level"])
    if "archived" in data:
        fields["archived"] = bool(data["archived"])
    return fields


def check_expectations(expectations: list[Mapping[str, Any]], known: set[str]) -> list[FieldError]:
    errors: list[FieldError] = []
    ids = [e["competencyId"] for e in expectations]
    if len(set(ids)) != len(ids):
        errors.append(FieldError("expectations", ErrorCode.DUPLICATE, "each competency may appear once"))
    for item in expectations:
        if item["competencyId"] not in known:
            errors.append(FieldError("expectations.competencyId", ErrorCode.NOT_FOUND,
                                     f"no competency {item['competencyId']!r} in your organisation"))
        if item.get("expectedLevel") not in LEVELS:
            errors.append(FieldError("expectations.expectedLevel", ErrorCode.INVALID,
                                     "expected levels run from 1 to 5"))
    return errors


@dataclass(frozen=True)
class ProfileEntry:
    competency_id: str
    expected_level: int | None
    assessed_level: int | None
    review_id: str | None
    evidence: tuple[Mapping[str, Any], ...] = ()  # learning evidence of it (source, level, activity, date)

    @property
    def gap(self) -> int | None:
        """Assessed minus expected: negative below expectations, positive above."""
        if self.expected_level is None or self.assessed_level is None:
            return None
        return self.assessed_level - self.expected_level


def assessed_levels(template: Mapping[str, Any], manager_form: Mapping[str, Any] | None) -> dict[str, int]:
    """Competency id → level the manager assessed (the first answered question of each competency)."""
    levels: dict[str, int] = {}
    if manager_form is None:
        return levels
    for _, question in questions_for(template, ReviewerKind.MANAGER):
        if question["kind"] != QuestionKind.COMPETENCY:
            continue
        answer = answer_of(manager_form, question["id"])
        if answer and has_value(answer["value"]):
            levels.setdefault(question["competencyId"], int(answer["value"]))
    return levels


def profile(expectations: Iterable[Mapping[str, Any]], assessed: Mapping[str, int], review_id: str | None,
            competencies: Mapping[str, Mapping[str, Any]],
            evidence: Iterable[Mapping[str, Any]] = ()) -> list[ProfileEntry]:
    """Each competency expected for the position, assessed in the last shared review or evidenced by learning
    passed, by name."""
    expected = {e["competencyId"]: e["expectedLevel"] for e in expectations}
    evidenced: dict[str, list[Mapping[str, Any]]] = {}
    for item in evidence:
        evidenced.setdefault(item["competencyId"], []).append(item)
    ids = [c for c in dict.fromkeys([*expected, *assessed, *evidenced]) if c in competencies]
    ids.sort(key=lambda c: (competencies[c].get("category", ""), competencies[c]["name"], c))
    return [ProfileEntry(c, expected.get(c), assessed.get(c), review_id if c in assessed else None,
                         tuple(evidenced.get(c, ()))) for c in ids]
