"""Public praise: a message to one or several colleagues, tagged with a company value, and reactions.

``praise`` documents: ``{authorId, recipientIds, message, value, createdAt, reactions: {employeeId: kind}}``.
Reactions are a map keyed by the person, so one person holds at most one kind per praise by construction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from models.core.errors import ErrorCode, FieldError

MESSAGE_MAX = 2000
MAX_RECIPIENTS = 10


class ReactionKind(StrEnum):
    LIKE = "like"
    CELEBRATE = "celebrate"
    HEART = "heart"
    INSIGHTFUL = "insightful"
    THANKS = "thanks"


def toggled(current: str | None, kind: ReactionKind) -> str | None:
    """The person's reaction after choosing ``kind``: the same kind again removes it, another replaces it."""
    return None if current == kind.value else kind.value


def reaction_counts(praise: Mapping[str, Any]) -> list[tuple[ReactionKind, int]]:
    """(kind, count) for every kind someone chose, in the enum's order."""
    counts = Counter((praise.get("reactions") or {}).values())
    return [(kind, counts[kind.value]) for kind in ReactionKind if counts[kind.value]]


def check_recipients(recipient_ids: list[str], author_id: str) -> list[FieldError]:
    """One to MAX_RECIPIENTS distinct colleagues, the author not among them."""
    if not recipient_ids:
        return [FieldError("recipientIds", ErrorCode.REQUIRED, "praise needs at least one recipient")]
    if len(recipient_ids) > MAX_RECIPIENTS:
        return [FieldError("recipientIds", ErrorCode.INVALID, f"at most {MAX_RECIPIENTS} recipients")]
    if len(set(recipient_ids)) != len(recipient_ids):
        return [FieldError("recipientIds", ErrorCode.DUPLICATE, "each recipient once")]
    if author_id in recipient_ids:
        return [FieldError("recipientIds", ErrorCode.INVALID, "you cannot praise yourself")]
    return []


def check_value(value: str | None, values: list[str]) -> list[FieldError]:
    """One of the organisation's values."""
    if value is None or not value.strip():
        return [FieldError("value", ErrorCode.REQUIRED, "praise is tagged with one of the company's values")]
    if value.strip() not in values:
        return [FieldError("value", ErrorCode.INVALID, f"{value!r} is not one of the company's values")]
    return []
