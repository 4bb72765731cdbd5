"""The growth domain's documents and pure rules: career tracks, growth plans (targets and development
actions) and mentorships. No I/O: the resolvers read what a rule needs and hand it in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import Any

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name, check_text

MAX_TRACK_STEPS = 12
MAX_TARGETS = 5
MAX_ACTIONS = 50
MAX_SESSIONS_SHOWN = 50
DEFAULT_MAX_MENTEES = 3


class TrackKind(StrEnum):
    """Which ladder a career track climbs."""

    INDIVIDUAL_CONTRIBUTOR = "individual_contributor"
    MANAGER = "manager"


class Horizon(StrEnum):
    """When the person hopes to reach a target position."""

    WITHIN_A_YEAR = "within_a_year"
    ONE_TO_TWO_YEARS = "one_to_two_years"
    THREE_PLUS_YEARS = "three_plus_years"


class ActionKind(StrEnum):
    LEARNING = "learning"
    STRETCH_ASSIGNMENT = "stretch_assignment"
    MENTORING = "mentoring"
    PROJECT = "project"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class MentorshipStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class GrowthPlanChange(StrEnum):
    """What a ``growthPlanChanged`` event reports."""

    TARGETS_SET = "targets_set"
    ACTION_SAVED = "action_saved"
    MENTORSHIP_CHANGED = "mentorship_changed"


# career tracks

def check_track(name: str | None, position_ids: Sequence[str],
                positions: Mapping[str, Document | None]) -> list[FieldError]:
    """A track's name, and its steps: 2 to 12 distinct positions of the organisation (``positions``: the
    ones found, by id), in rising level order."""
    errors = check_name(name, "name")
    if not 2 <= len(position_ids) <= MAX_TRACK_STEPS:
        return [*errors, FieldError("positionIds", ErrorCode.INVALID,
                                    f"a career track has between 2 and {MAX_TRACK_STEPS} steps")]
    if len(set(position_ids)) != len(position_ids):
        return [*errors, FieldError("positionIds", ErrorCode.DUPLICATE, "a position appears twice in the track")]
    missing = [id for id in position_ids if positions.get(id) is None]
    if missing:
        return [*errors, FieldError("positionIds", ErrorCode.NOT_FOUND,
                                    f"no position {missing[0]!r} in your organisation")]
    levels = [positions[id]["level"] for id in position_ids]  # type: ignore[index]
    if any(low >= high for low, high in pairwise(levels)):
        return [*errors, FieldError("positionIds", ErrorCode.INVALID,
                                    "the steps of a track rise in level: each above the one before")]
    return errors


def track_document(id: str, name: str, kind: TrackKind, department_id: str | None, position_ids: Sequence[str],
                   at: Any) -> Document:
    return {"_id": id, "name": name.strip(), "kind": kind.value, "departmentId": department_id,
            "steps": [{"positionId": p, "order": i + 1} for i, p in enumerate(position_ids)], "updatedAt": at}


# growth plans

def check_targets(targets: Sequence[Mapping[str, Any]], positions: Mapping[str, Document | None],
                  current_position_id: str | None) -> list[FieldError]:
    """At most 5 distinct target positions of the organisation, none the person's current one, each
    aspiration a bounded text."""
    if len(targets) > MAX_TARGETS:
        return [FieldError("targets", ErrorCode.INVALID, f"a growth plan has at most {MAX_TARGETS} targets")]
    ids = [t["positionId"] for t in targets]
    if len(set(ids)) != len(ids):
        return [FieldError("targets", ErrorCode.DUPLICATE, "a position is targeted twice")]
    errors: list[FieldError] = []
    for i, target in enumerate(targets):
        field = f"targets.{i}.positionId"
        if positions.get(target["positionId"]) is None:
            errors.append(FieldError(field, ErrorCode.NOT_FOUND,
                                     f"no position {target['positionId']!r} in your organisation"))
        elif target["positionId"] == current_position_id:
            errors.append(FieldError(field, ErrorCode.INVALID, "this is the person's current position"))
        errors += check_text(target.get("aspiration"), f"targets.{i}.aspiration")
    return errors


def target_documents(targets: Sequence[Mapping[str, Any]]) -> list[Document]:
    return [{"positionId": t["positionId"], "aspiration": (t.get("aspiration") or "").strip(),
             "horizon": Horizon(t["horizon"]).value, "willingToRelocate": bool(t.get("willingToRelocate")),
             "willingToChangeDepartment": bool(t.get("willingToChangeDepartment"))} for t in targets]


def check_action(title: str | None, notes: str | None, due_on: date | None, owner_ok: bool,
                 existing_count: int, is_new: bool) -> list[FieldError]:
    errors = check_name(title, "title") + check_text(notes, "notes")
    if due_on is not None and due_on.year < 2000:
        errors.append(FieldError("dueOn", ErrorCode.INVALID, "dueOn must be a date after 2000"))
    if not owner_ok:
        errors.append(FieldError("ownerId", ErrorCode.INVALID,
                                 "an action is owned by the person, one of their managers or their mentor"))
    if is_new and existing_count >= MAX_ACTIONS:
        errors.append(FieldError("actionId", ErrorCode.INVALID, f"a growth plan holds at most {MAX_ACTIONS} actions"))
    return errors


def progress(actions: Sequence[Mapping[str, Any]]) -> float:
    """Done actions over the actions not dropped (0 when there are none)."""
    counted = [a for a in actions if a["status"] != ActionStatus.DROPPED.value]
    if not counted:
        return 0.0
    return round(sum(a["status"] == ActionStatus.DONE.value for a in counted) / len(counted), 4)


def plan_id(employee_id: str) -> str:
    """One growth plan per person: its id is derived from theirs."""
    return f"plan-{employee_id}"


# mentorships

def in_reporting_line(mentor: Mapping[str, Any], mentee: Mapping[str, Any]) -> bool:
    """The mentor manages the mentee (directly or not), or the mentee manages the mentor."""
    return mentor["_id"] in mentee.get("managerChain", []) or mentee["_id"] in mentor.get("managerChain", [])


def check_mentorship(mentor: Mapping[str, Any], mentee: Mapping[str, Any], goals: str | None,
                     starts_on: date, ends_on: date | None) -> list[FieldError]:
    errors = check_text(goals, "goals")
    if mentor["_id"] == mentee["_id"]:
        errors.append(FieldError("mentorId", ErrorCode.INVALID, "nobody mentors themselves"))
    elif in_reporting_line(mentor, mentee):
        errors.append(FieldError("mentorId", ErrorCode.INVALID,
                                 "a mentor comes from outside the mentee's reporting line"))
    if ends_on is not None and ends_on < starts_on:
        errors.append(FieldError("endsOn", ErrorCode.INVALID, "a mentorship ends after it starts"))
    return errors
