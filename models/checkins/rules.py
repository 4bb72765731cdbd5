"""Check-ins: cadences, scheduling, carry-over, overdue and participation arithmetic (pure rules, no I/O).

A *series* links an employee and their manager; its *occurrences* (``checkIns`` documents) are
numbered by ``sequence``. Exactly one occurrence of a series is ``scheduled`` at a time: completing
or skipping it schedules the next one, whose date is computed from the cadence in force at that
moment (the series' override, else the employee's department's cadence). Changing a department's
cadence therefore needs no write to any series: each follows from its next scheduling on.

Dates are ISO strings (``"2026-11-01"``) in documents, so they sort and compare as text.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from models.core.documents import Document, stable_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name, check_text


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class CheckInStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"  # the series ended (e.g. a new manager) before it was held


class CheckInChange(StrEnum):
    """What a ``checkInUpdated`` event reports."""

    TALKING_POINT_ADDED = "talking_point_added"
    TALKING_POINT_UPDATED = "talking_point_updated"
    TALKING_POINT_REMOVED = "talking_point_removed"
    ANSWERED = "answered"
    RATED = "rated"
    ACTION_ITEM_SAVED = "action_item_saved"
    GOAL_LINKED = "goal_linked"
    GOAL_UNLINKED = "goal_unlinked"
    PROGRESS_RECORDED = "progress_recorded"
    COMPLETED = "completed"
    SKIPPED = "skipped"


DEFAULT_CADENCE = Cadence.WEEKLY
RATINGS = range(1, 6)
QUESTIONS_MAX = 20
RATE_PLACES = 4  # a completion rate (0 to 1) as the API shows it: four decimal places
QUESTION_MAX = 500
# Used only when an organisation has no check-in template at all.
FALLBACK_QUESTIONS = ("What went well since we last met?", "What is getting in your way?",
                      "What should we focus on next?")


def series_id_for(organization_id: str, employee_id: str, manager_id: str) -> str:
    """One series per employee and manager pair, ever: starting it again finds the same document."""
    return stable_id(f"check-in-series:{organization_id}:{employee_id}:{manager_id}")


def check_in_id_for(series_id: str, sequence: int) -> str:
    """Deterministic, so scheduling the same occurrence again (a retry) cannot create a second one."""
    return stable_id(f"check-in:{series_id}:{sequence}")


def note_id_for(check_in_id: str, author_id: str) -> str:
    """One private note per author and occurrence."""
    return stable_id(f"check-in-note:{check_in_id}:{author_id}")


def questions_of(template: Mapping[str, Any] | None) -> list[Document]:
    """The questions an occurrence keeps (a copy: later template edits do not rewrite past check-ins)."""
    if template is None:
        return [{"_id": stable_id(f"check-in-question:fallback:{i}"), "text": text}
                for i, text in enumerate(FALLBACK_QUESTIONS)]
    return [dict(question) for question in template["questions"]]


def new_occurrence(series: Mapping[str, Any], sequence: int, scheduled_on: date, cadence: Cadence | str,
                   department_id: str | None, template: Mapping[str, Any] | None, at: Any) -> Document:
    """A scheduled occurrence; it records the cadence and department in force when it was scheduled."""
    return {
        "_id": check_in_id_for(series["_id"], sequence), "organizationId": series["organizationId"],
        "seriesId": series["_id"], "employeeId": series["employeeId"], "managerId": series["managerId"],
        "sequence": sequence, "scheduledOn": scheduled_on.isoformat(), "status": CheckInStatus.SCHEDULED.value,
        "heldOn": None, "closedById": None, "cadence": Cadence(cadence).value, "departmentId": department_id,
        "templateId": template["_id"] if template else None, "questions": questions_of(template), "answers": {},
        "talkingPoints": [], "rating": None, "ratedById": None, "linkedGoalIds": [], "progressUpdates": [],
        "createdAt": at, "updatedAt": at,
    }


def day(value: str | date) -> date:
    """A date from a document's ISO text (or a date already)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month (31 Jan → 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def advance(start: date, cadence: Cadence | str) -> date:
    """One cadence period after ``start``."""
    cadence = Cadence(cadence)
    if cadence is Cadence.MONTHLY:
        return add_months(start, 1)
    return start + timedelta(days=14 if cadence is Cadence.BIWEEKLY else 7)


def effective_cadence(series: Mapping[str, Any], department: Mapping[str, Any] | None) -> Cadence:
    """The series' own cadence if it overrides, else its department's, else weekly."""
    if series.get("cadence"):
        return Cadence(series["cadence"])
    if department is not None and department.get("cadence") in Cadence._value2member_map_:
        return Cadence(department["cadence"])
    return DEFAULT_CADENCE


def next_scheduled_on(previous: date, closed_on: date, cadence: Cadence | str) -> date:
    """The date of the occurrence after one scheduled on ``previous`` and closed on ``closed_on``.

    One ``cadence`` period after ``previous``, keeping that rhythm but moving on by whole periods
    while it would fall on or before the day the previous one was held or skipped.
    """
    following = advance(previous, cadence)
    while following <= closed_on:
        following = advance(following, cadence)
    return following


def overdue_days(series: Mapping[str, Any], cadence: Cadence | str, as_of: date) -> int:
    """How many days past due ``series`` is on ``as_of`` (0: not overdue).

    A series is overdue when its last held occurrence (or, if none was ever held, its start) is
    older than one period of its cadence.
    """
    reference = series.get("lastHeldOn") or series["startedOn"]
    due = advance(day(reference), cadence)
    return max(0, (as_of - due).days)


def action_item_shown_in(item: Mapping[str, Any], sequence: int) -> bool:
    """An action item appears from the occurrence it was created in until the one it was done in.

    Open items therefore carry over to every later occurrence of the series until done.
    """
    done_in = item.get("doneSequence")
    return item["fromSequence"] <= sequence and (done_in is None or done_in >= sequence)


@dataclass(frozen=True)
class ParticipationRow:
    department_id: str | None
    cadence: str
    due: int
    completed: int
    skipped: int

    @property
    def missed(self) -> int:
        return self.due - self.completed - self.skipped

    @property
    def completion_rate(self) -> float | None:
        return None if self.due == 0 else round(self.completed / self.due, RATE_PLACES)


def participation_rows(groups: Iterable[Mapping[str, Any]]) -> list[ParticipationRow]:
    """Rows from counts grouped by (departmentId, cadence, status), sorted by department and cadence.

    ``due`` is every occurrence counted but cancelled ones (their series ended); ``completed`` and
    ``skipped`` those so closed; the rest (still scheduled although their date has passed) were missed.
    """
    counts: dict[tuple[str | None, str], dict[str, int]] = {}
    for group in groups:
        if group["status"] == CheckInStatus.CANCELLED.value:
            continue
        key = (group["departmentId"], group["cadence"])
        counts.setdefault(key, {}).setdefault(group["status"], 0)
        counts[key][group["status"]] += group["count"]
    rows = [ParticipationRow(department, cadence, sum(by_status.values()),
                             by_status.get(CheckInStatus.COMPLETED.value, 0),
                             by_status.get(CheckInStatus.SKIPPED.value, 0))
            for (department, cadence), by_status in counts.items()]
    return sorted(rows, key=lambda r: (r.department_id or "", list(Cadence).index(Cadence(r.cadence))))


def check_required_text(value: str | None, field: str) -> list[FieldError]:
    """REQUIRED when empty or blank, else the length rule of ``check_text``."""
    if value is None or not value.strip():
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} must not be empty")]
    return check_text(value, field)


def check_rating(value: int | None) -> list[FieldError]:
    """INVALID unless the rating is 1–5."""
    if value is None or value not in RATINGS:
        return [FieldError("rating", ErrorCode.INVALID, f"rating must be {RATINGS.start}–{RATINGS.stop - 1}")]
    return []


def check_template(name: str | None, questions: list[str] | None, *, creating: bool) -> list[FieldError]:
    """A template's name and 1 to QUESTIONS_MAX questions; on a change only what is sent is checked."""
    errors = check_name(name, "name") if creating or name is not None else []
    if questions is None:
        if creating:
            errors.append(FieldError("questions", ErrorCode.REQUIRED, "questions are required"))
        return errors
    if not 1 <= len(questions) <= QUESTIONS_MAX:
        errors.append(FieldError("questions", ErrorCode.INVALID, f"a template has 1 to {QUESTIONS_MAX} questions"))
    elif any(not q.strip() or len(q) > QUESTION_MAX for q in questions):
        errors.append(FieldError("questions", ErrorCode.INVALID,
                                 f"each question must have 1 to {QUESTION_MAX} characters"))
    return errors

