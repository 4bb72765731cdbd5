"""Reminders, no I/O: what HR configures per organisation, when an item is due a reminder, and the key that
makes one reminder per item, recipient and interval (the unique key two schedulers race for)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from models.core.errors import ErrorCode, FieldError

DAYS_MAX = 90
STALE_WEEKS_MAX = 52


class ReminderKind(StrEnum):
    """What a reminder is about."""

    CHECK_IN_DUE = "checkin_due"
    FEEDBACK_REQUEST_UNANSWERED = "feedback_request_unanswered"
    REVIEW_FORM_DUE = "review_form_due"
    GOAL_STALE = "goal_stale"
    EXIT_INTERVIEW_DUE = "exit_interview_due"
    EXIT_CHECKLIST_ITEM = "exit_checklist_item"
    PROMOTION_APPROVAL_WAITING = "promotion_approval_waiting"
    COMPENSATION_APPROVAL_WAITING = "compensation_approval_waiting"


DEFAULTS: dict[str, Any] = {
    "enabled": sorted(k.value for k in ReminderKind),
    "daysBefore": 1,  # remind this many days before the due date
    "repeatEveryDays": 3,  # and again every N days while it is overdue
    "quietOnWeekends": True,  # nothing is sent on Saturdays and Sundays (UTC)
    "staleGoalWeeks": 4,  # a goal without an update for this long is stale
}


@dataclass(frozen=True)
class DueItem:
    """Something a person should act on: its kind, what it is, who is reminded and when it is (or was) due."""

    kind: ReminderKind
    subject_type: str
    subject_id: str
    recipient_id: str
    due: date
    text: str


def settings_with_defaults(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULTS, **{k: v for k, v in (stored or {}).items() if k in DEFAULTS}}


def check_settings(data: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    bounds = (("days_before", "daysBefore", 0, DAYS_MAX), ("repeat_every_days", "repeatEveryDays", 1, DAYS_MAX),
              ("stale_goal_weeks", "staleGoalWeeks", 1, STALE_WEEKS_MAX))
    for key, field, low, most in bounds:
        if key in data:
            value = data[key]
            if value is None:
                errors.append(FieldError(field, ErrorCode.REQUIRED, f"{field} must not be null"))
            elif not low <= value <= most:
                errors.append(FieldError(field, ErrorCode.INVALID, f"{field} must be {low} to {most}"))
    if "quiet_on_weekends" in data and data["quiet_on_weekends"] is None:
        errors.append(FieldError("quietOnWeekends", ErrorCode.REQUIRED, "quietOnWeekends must not be null"))
    return errors


DEPARTMENT, EMPLOYEE = "department", "employee"  # what a reminder override is set for


def check_stale_goal_weeks(value: int | None, field: str = "staleGoalWeeks") -> list[FieldError]:
    """A goal-update reminder cadence: 1 to 52 weeks."""
    if value is None:
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} must not be null")]
    if not 1 <= value <= STALE_WEEKS_MAX:
        return [FieldError(field, ErrorCode.INVALID, f"{field} must be 1 to {STALE_WEEKS_MAX}")]
    return []


def stale_goal_weeks_of(owner_id: str, department_id: str | None, overrides: Mapping[tuple[str, str], int],
                        organisation_weeks: int) -> int:
    """How long a goal of ``owner_id`` may go without an update before its reminder: the person's own override,
    else their department's (not a parent's), else the organisation's ``staleGoalWeeks``."""
    own = overrides.get((EMPLOYEE, owner_id))
    if own is not None:
        return own
    found = overrides.get((DEPARTMENT, department_id)) if department_id is not None else None
    return found if found is not None else organisation_weeks


def interval(item: DueItem, today: date, settings: Mapping[str, Any]) -> str | None:
    """Which reminder interval ``today`` falls in for ``item`` ("before", or "overdue-N"), or None when no
    reminder is due today (too early, a quiet weekend, or the kind is off)."""
    if item.kind.value not in settings["enabled"]:
        return None
    if settings["quietOnWeekends"] and today.weekday() >= 5:
        return None
    if today < item.due - timedelta(days=settings["daysBefore"]):
        return None
    if today <= item.due:
        return "before"
    # overdue: windows of N days from the day after the due date (days 1..N, N+1..2N, …), one reminder each
    return f"overdue-{((today - item.due).days - 1) // max(1, settings['repeatEveryDays'])}"


def reminder_key(item: DueItem, period: str) -> str:
    return f"{item.kind.value}:{item.subject_id}:{item.recipient_id}:{period}"
