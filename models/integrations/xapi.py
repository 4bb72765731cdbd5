"""xAPI statements from a learning system, and the learning evidence a passed activity becomes (pure).

Accepted: statements whose verb is ADL's ``completed``, ``passed`` or ``failed`` on an activity, about a
learner identified by ``mbox`` (``mailto:`` + their work email). A statement without an ``id`` gets one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from models.core.errors import ErrorCode, FieldError
from models.org.rules import EMAIL_PATTERN, normalize_email

VERB_PREFIX = "http://adlnet.gov/expapi/verbs/"
MAX_STATEMENTS = 100  # per request
IRI_MAX = 500
LEVELS = range(1, 6)  # a competency's levels


class Verb(StrEnum):
    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"


class BadStatement(Exception):
    """A statement Perfgraph does not take; the message says which and why."""


@dataclass(frozen=True)
class Statement:
    id: str
    email: str
    verb: Verb
    activity_id: str
    activity_name: str | None
    timestamp: datetime


def _timestamp(value: Any, now: datetime) -> datetime:
    if value is None:
        return now
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadStatement(f"timestamp {str(value)[:40]!r} is not an ISO 8601 date and time") from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_statement(raw: Any, position: int, now: datetime) -> Statement:
    where = f"statement {position + 1}"
    if not isinstance(raw, Mapping):
        raise BadStatement(f"{where}: not a JSON object")
    id = raw.get("id") or str(uuid.uuid4())
    try:
        id = str(uuid.UUID(str(id)))
    except ValueError:
        raise BadStatement(f"{where}: id must be a UUID") from None
    actor = raw.get("actor") if isinstance(raw.get("actor"), Mapping) else {}
    mbox = str(actor.get("mbox") or "")
    email = mbox[len("mailto:"):] if mbox.lower().startswith("mailto:") else ""
    if not EMAIL_PATTERN.match(email):
        raise BadStatement(f"{where}: actor.mbox must be mailto: and the learner's work email")
    verb_id = str((raw.get("verb") or {}).get("id") or "") if isinstance(raw.get("verb"), Mapping) else ""
    try:
        verb = Verb(verb_id[len(VERB_PREFIX):]) if verb_id.startswith(VERB_PREFIX) else None
    except ValueError:
        verb = None
    if verb is None:
        raise BadStatement(f"{where}: verb must be {', '.join(VERB_PREFIX + v.value for v in Verb)}")
    target = raw.get("object") if isinstance(raw.get("object"), Mapping) else {}
    activity_id = str(target.get("id") or "")
    if not activity_id or len(activity_id) > IRI_MAX or target.get("objectType", "Activity") != "Activity":
        raise BadStatement(f"{where}: object must be an Activity with an id (an IRI of at most {IRI_MAX} characters)")
    names = ((target.get("definition") or {}).get("name") or {}) if isinstance(target.get("definition"), Mapping) \
        else {}
    name = next(iter(names.values()), None) if isinstance(names, Mapping) and names else None
    return Statement(id, normalize_email(email), verb, activity_id, str(name)[:200] if name else None,
                     _timestamp(raw.get("timestamp"), now))


def parse_statements(body: Any, now: datetime) -> list[Statement]:
    """One statement or a list of them; :class:`BadStatement` for the first that is not taken."""
    items = body if isinstance(body, list) else [body]
    if not items:
        raise BadStatement("no statements")
    if len(items) > MAX_STATEMENTS:
        raise BadStatement(f"at most {MAX_STATEMENTS} statements per request")
    statements = [parse_statement(item, i, now) for i, item in enumerate(items)]
    ids = [s.id for s in statements]
    if len(set(ids)) != len(ids):
        raise BadStatement("two statements of the request have one id")
    return statements


def check_mapping(activity_id: str | None, level: int) -> list[FieldError]:
    errors = []
    if not activity_id or not activity_id.strip():
        errors.append(FieldError("activityId", ErrorCode.REQUIRED, "activityId is required"))
    elif len(activity_id) > IRI_MAX:
        errors.append(FieldError("activityId", ErrorCode.TOO_LONG, f"activityId is longer than {IRI_MAX} characters"))
    if level not in LEVELS:
        errors.append(FieldError("level", ErrorCode.INVALID, f"level must be {LEVELS.start}–{LEVELS.stop - 1}"))
    return errors
