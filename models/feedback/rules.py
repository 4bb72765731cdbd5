"""The feedback domain: document shapes, enums and the pure rules on them (no I/O).

Collections (all scoped by ``organizationId``):

- ``feedback``: attributed feedback ``{authorId, recipientId, text, tags, direction, visibility, requestId,
  createdAt, editedAt, retractedAt}``; a retracted item is a tombstone (text ``None``, tags ``[]``).
- ``feedback_requests``: ``{requesterId, subjectId, respondentIds, question, dueDate, anonymous, period,
  answers: {respondentId: {feedbackId, at}}, createdAt}``; anonymous requests never get ``answers``.
- ``anonymous_feedback``: upward feedback without any author data ``{managerId, period, day, text, tags,
  direction, release, rank}``; see :mod:`store.feedback.anonymous` for the design.
- ``anonymous_contributors``: one document per (manager, period) ``{contributors: [keyed hashes], releases}``.
- ``feedback_settings``: one per organisation ``{anonymityThreshold, values, competencies}``.
- ``follow_ups``: ``{feedbackId, anonymous, employeeId, ownerId, createdById, text, dueDate, done, doneAt,
  createdAt}`` (``employeeId``: the recipient of the feedback, whom the action item concerns).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name

TEXT_MAX = 5000
QUESTION_MAX = 1000
FOLLOW_UP_MAX = 1000
MAX_TAGS = 10
MAX_RESPONDENTS = 20
MAX_LIST_ITEMS = 30
EDIT_WINDOW = timedelta(minutes=15)
MIN_ANONYMITY_THRESHOLD = 3
MAX_ANONYMITY_THRESHOLD = 50
DUE_HORIZON = timedelta(days=366)

DEFAULT_VALUES = ["Customer obsession", "Ownership", "Teamwork", "Candor", "Craft"]
DEFAULT_COMPETENCIES = ["Communication", "Collaboration", "Delivery", "Technical depth", "Leadership",
                        "Mentoring", "Problem solving"]


class Direction(StrEnum):
    DOWNWARD = "downward"
    UPWARD = "upward"
    PEER = "peer"


class Visibility(StrEnum):
    PRIVATE = "private"  # the recipient only (and the author)
    RECIPIENT_AND_MANAGER = "recipient_and_manager"
    MANAGER_ONLY = "manager_only"  # a note to the recipient's managers (and the author)


class FeedbackEventKind(StrEnum):
    FEEDBACK = "feedback"
    REQUEST = "request"
    ANONYMOUS_RELEASED = "anonymous_released"


def stored_instant(moment: datetime) -> datetime:
    """``moment`` at MongoDB's precision (milliseconds): a payload built from a document before it was
    written shows the times a later read gives back, and cursors round-trip exactly."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class FeedbackFilterSpec:
    """A feedback connection's filter; every given condition must hold."""

    since: date | None = None  # first day, inclusive (UTC)
    until: date | None = None  # last day, inclusive (UTC)
    direction: str | None = None
    tag: str | None = None


def period_of(day: date) -> str:
    """The anonymity period (a calendar quarter) a day belongs to, e.g. ``2026-Q4``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def is_period(value: str) -> bool:
    """Whether ``value`` names a quarter, e.g. ``2026-Q4``."""
    year, _, quarter = value.partition("-Q")
    return len(year) == 4 and year.isdigit() and quarter in {"1", "2", "3", "4"}


def direction_of(author: Mapping[str, Any], recipient: Mapping[str, Any]) -> Direction:
    """From the org chart at the time of giving: up the author's chain, down it, or across."""
    if recipient["_id"] in author.get("managerChain", []):
        return Direction.UPWARD
    if author["_id"] in recipient.get("managerChain", []):
        return Direction.DOWNWARD
    return Direction.PEER


def is_retracted(feedback: Mapping[str, Any]) -> bool:
    """Retracted by its author: a tombstone."""
    return feedback.get("retractedAt") is not None


def editable_until(feedback: Mapping[str, Any]) -> datetime:
    """When the author's edit window closes (EDIT_WINDOW after giving)."""
    return feedback["createdAt"] + EDIT_WINDOW


def check_body(value: str | None, field: str, maximum: int = TEXT_MAX) -> list[FieldError]:
    """Required text of 1 to ``maximum`` characters (blank counts as empty)."""
    if value is None or not value.strip():
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} must not be empty")]
    if len(value) > maximum:
        return [FieldError(field, ErrorCode.TOO_LONG, f"{field} is longer than {maximum} characters")]
    return []


def clean_tags(tags: Iterable[str] | None) -> list[str]:
    """Tags without surrounding spaces or repeats, in the order given."""
    seen: list[str] = []
    for tag in tags or []:
        if tag.strip() not in seen:
            seen.append(tag.strip())
    return seen


def check_tags(tags: list[str], allowed: Iterable[str], field: str = "tags") -> list[FieldError]:
    """At most MAX_TAGS tags, each one of ``allowed``."""
    if len(tags) > MAX_TAGS:
        return [FieldError(field, ErrorCode.INVALID, f"at most {MAX_TAGS} tags")]
    unknown = [t for t in tags if t not in set(allowed)]
    if unknown:
        return [FieldError(field, ErrorCode.INVALID,
                           f"not one of the organisation's values or competencies: {', '.join(unknown)}")]
    return []


def check_due_date(value: date | None, field: str, current: date) -> list[FieldError]:
    """Required, between ``current`` and DUE_HORIZON after it."""
    if value is None:
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} is required")]
    if value < current or value > current + DUE_HORIZON:
        return [FieldError(field, ErrorCode.INVALID, f"{field} must lie between today and a year from now")]
    return []


def check_threshold(value: int | None) -> list[FieldError]:
    """The anonymity threshold: required, MIN_ANONYMITY_THRESHOLD to MAX_ANONYMITY_THRESHOLD."""
    if value is None:
        return [FieldError("anonymityThreshold", ErrorCode.REQUIRED, "anonymityThreshold must not be null")]
    if not MIN_ANONYMITY_THRESHOLD <= value <= MAX_ANONYMITY_THRESHOLD:
        return [FieldError("anonymityThreshold", ErrorCode.INVALID,
                           f"anonymityThreshold must be {MIN_ANONYMITY_THRESHOLD}–{MAX_ANONYMITY_THRESHOLD}")]
    return []


def check_label_list(values: list[str] | None, field: str) -> list[FieldError]:
    """An organisation's values or competencies: 1–30 distinct (ignoring case) non-empty labels."""
    if values is None:
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} must not be null")]
    if not 1 <= len(values) <= MAX_LIST_ITEMS:
        return [FieldError(field, ErrorCode.INVALID, f"{field} needs 1 to {MAX_LIST_ITEMS} entries")]
    for value in values:
        errors = check_name(value, field)
        if errors:
            return errors
    if len({v.strip().lower() for v in values}) != len(values):
        return [FieldError(field, ErrorCode.DUPLICATE, f"{field} must be distinct")]
    return []


def settings_with_defaults(doc: Mapping[str, Any] | None) -> dict[str, Any]:
    """An organisation's feedback settings, defaults for what it has not set."""
    doc = doc or {}
    return {
        "anonymityThreshold": max(MIN_ANONYMITY_THRESHOLD, int(doc.get("anonymityThreshold", MIN_ANONYMITY_THRESHOLD))),
        "values": list(doc.get("values") or DEFAULT_VALUES),
        "competencies": list(doc.get("competencies") or DEFAULT_COMPETENCIES),
    }


def allowed_tags(settings: Mapping[str, Any]) -> list[str]:
    """The tags feedback may carry: the organisation's values and competencies."""
    return [*settings["values"], *settings["competencies"]]


def contributor_hash(key: bytes, organization_id: str, manager_id: str, period: str, author_id: str) -> str:
    """A one-way keyed hash of an author for one (manager, period): proves "already contributed" and
    counts distinct authors, but the same author's hashes for other managers or periods differ, and
    nothing without the server's key can turn it back into (or test it against) an employee."""
    message = f"{organization_id}|{manager_id}|{period}|{author_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def is_overdue(follow_up: Mapping[str, Any], current: date) -> bool:
    """Not done and due before ``current``."""
    return not follow_up.get("done") and date.fromisoformat(follow_up["dueDate"]) < current
