"""Readiness of people for positions: the evidence (``models/growth/readiness.py``) gathered through the
reviews, goals and org accessors, and managers' assessments. A fixed number of store calls for any number
of (person, position) pairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_text
from models.growth.candidates import check_weights
from models.growth.permissions import can_assess_readiness, can_read_readiness, can_save_growth_settings
from models.growth.readiness import (
    DEFAULT_STALE_AFTER_DAYS,
    Readiness,
    ReadinessLevel,
    assessment_id,
    day_of,
    readiness,
)
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.outcome import Outcome
from resolvers.goals.access import visible_goals_of
from resolvers.growth.channels import succession_readiness_changed
from resolvers.org.access import known_employee, referenced
from resolvers.reviews.access import assessments, expected_levels
from store.growth import repository as growth_store

READ_REFUSAL = "readiness is visible to the person, their managers and HR admins"
ASSESS_REFUSAL = "readiness is assessed by the person's managers and HR admins"


@dataclass(frozen=True)
class ReadinessView:
    employee: Document
    position: Document
    readiness: Readiness
    assessment: Document | None


async def stale_after_days(context: Context) -> int:
    signed_in = await require(context)
    return int((await growth_store.settings(signed_in.store)).get("staleAfterDays", DEFAULT_STALE_AFTER_DAYS))


async def readiness_of_pairs(context: Context, pairs: Sequence[tuple[Document, Document]], *,
                             with_goals: bool = False, for_succession: bool = False) -> list[ReadinessView | None]:
    """Each (person, position)'s readiness, ``None`` where the viewer may not read it. ``for_succession``:
    the viewer may see the succession plan these successors are in (the caller checked), so they read each
    successor's readiness level; the evidence from reviews is still only what the reviews domain shows
    them (``resolvers/reviews/access.py``)."""
    signed_in = await require(context)
    viewer = signed_in.viewer
    readable = [(e, p) for e, p in pairs if for_succession or can_read_readiness(viewer, e)]
    people = list({e["_id"]: e for e, _ in readable}.values())
    reviewed = {a.employee_id: a for a in await assessments(context, people) if a is not None}
    expected = await expected_levels(context, sorted({p["_id"] for _, p in readable}))
    stored = await signed_in.loaders.growth.assessment_by_id.load_many(
        [assessment_id(e["_id"], p["_id"]) for e, p in readable])
    days, today = await stale_after_days(context), clock.today()
    promoted = await growth_store.last_applied_promotions(signed_in.store, [e["_id"] for e in people])
    found: dict[tuple[str, str], ReadinessView] = {}
    for (employee, position), assessment in zip(readable, stored, strict=True):
        review = reviewed.get(employee["_id"])
        goals = await visible_goals_of(context, employee) if with_goals else None
        result = readiness(
            employee=employee, expected=expected.get(position["_id"], {}),
            assessed=review.assessed if review and review.review_id else None,
            review_id=review.review_id if review else None,
            reviewed_on=day_of(review.shared_at) if review else None, rating=review.rating if review else None,
            assessment=assessment, last_promotion=promoted.get(employee["_id"]), goals=goals, today=today,
            stale_after_days=days)
        found[(employee["_id"], position["_id"])] = ReadinessView(employee, position, result, assessment)
    return [found.get((e["_id"], p["_id"])) for e, p in pairs]


async def readiness_for(context: Context, employee_id: str, position_id: str) -> ReadinessView:
    """One person's readiness for one position with all its evidence (goals included)."""
    signed_in = await require(context)
    employee = await known_employee(context, employee_id)
    errors: list[FieldError] = []
    position = await referenced(context, "position", position_id, "positionId", errors)
    if not can_read_readiness(signed_in.viewer, employee):
        raise Forbidden(READ_REFUSAL)
    if position is None:
        raise BadUserInput(errors[0].message)
    [view] = await readiness_of_pairs(context, [(employee, position)], with_goals=True)
    if view is None:  # cannot happen: the read rule was checked above
        raise Forbidden(READ_REFUSAL)
    return view


async def assess_readiness(context: Context, employee_id: str, position_id: str, level: ReadinessLevel,
                           note: str | None) -> Outcome:
    """A manager's (or HR admin's) assessment, replacing the one before for this (person, position)."""
    signed_in = await require(context)
    errors: list[FieldError] = []
    employee = await referenced(context, "employee", employee_id, "employeeId", errors, active=True)
    if employee is not None and not can_assess_readiness(signed_in.viewer, employee):
        raise Forbidden(ASSESS_REFUSAL if can_read_readiness(signed_in.viewer, employee) else READ_REFUSAL)
    position = await referenced(context, "position", position_id, "positionId", errors)
    errors += check_text(note, "note")
    if employee is not None and position is not None and employee.get("positionId") == position_id:
        errors.append(FieldError("positionId", ErrorCode.INVALID, "this is the person's current position"))
    if errors or employee is None or position is None:
        return Outcome(errors=errors)
    document = {"_id": assessment_id(employee_id, position_id), "employeeId": employee_id, "positionId": position_id,
                "level": level.value, "note": (note or "").strip(), "assessedById": signed_in.viewer.employee_id,
                "assessedAt": clock.now()}
    await growth_store.save_assessment(signed_in.store, document)
    context.fresh_loaders()
    await succession_readiness_changed(signed_in, employee_id, position_id)
    return Outcome(extra={"view": await readiness_for(context, employee_id, position_id)})


MAX_STALE_AFTER_DAYS = 3650
MAX_MENTEES_PER_MENTOR = 20


async def save_growth_settings(context: Context, stale_after_days: int | None,
                               candidate_weights: dict[str, float] | None = None,
                               max_mentees_per_mentor: int | None = None) -> Outcome:
    """HR admins: the organisation's growth settings; ``extra["settings"]`` is what they are now."""
    signed_in = await require_role(context, can_save_growth_settings, "only HR admins change the growth settings")
    changes: dict[str, object] = {}
    if stale_after_days is not None:
        if not 1 <= stale_after_days <= MAX_STALE_AFTER_DAYS:
            return Outcome.refused("staleAfterDays", ErrorCode.INVALID,
                                   f"staleAfterDays lies between 1 and {MAX_STALE_AFTER_DAYS}")
        changes["staleAfterDays"] = stale_after_days
    if max_mentees_per_mentor is not None:
        if not 1 <= max_mentees_per_mentor <= MAX_MENTEES_PER_MENTOR:
            return Outcome.refused("maxMenteesPerMentor", ErrorCode.INVALID,
                                   f"maxMenteesPerMentor lies between 1 and {MAX_MENTEES_PER_MENTOR}")
        changes["maxMenteesPerMentor"] = max_mentees_per_mentor
    if candidate_weights is not None:
        if errors := check_weights(candidate_weights):
            return Outcome(errors=errors)
        changes["candidateWeights"] = dict(candidate_weights)
    if changes:
        await growth_store.save_settings(signed_in.store, changes)
    return Outcome(extra={"settings": await growth_store.settings(signed_in.store)})
