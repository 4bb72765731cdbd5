"""Potential ratings and ``positionCandidates``: the people of the organisation ranked for a position, each
factor explained, in a fixed number of store calls whatever the number of people."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from models.core import clock
from models.core.documents import Document
from models.core.errors import FieldError
from models.core.validation import check_text
from models.growth.candidates import (
    DEFAULT_WEIGHTS,
    Candidate,
    Scoring,
    Values,
    Weights,
    best,
    check_potential,
    explained,
    factor_values,
)
from models.growth.permissions import can_rank_for, can_rate_talent, can_see_succession
from models.growth.readiness import DEFAULT_STALE_AFTER_DAYS, day_of, is_stale
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.pages import check_page_size
from resolvers.org.access import employees, holders, referenced, roster
from resolvers.reviews.access import expected_levels, organisation_assessments
from store.growth import repository as growth_store

RANK_REFUSAL = "candidate rankings are visible to HR admins and the management chain above the position"
RATE_REFUSAL = "potential is rated by the person's managers and HR admins"


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    employee: Document
    rank: int


async def position_candidates(context: Context, position_id: str, department_id: str | None,
                              first: int) -> list[Ranked]:
    """The ``first`` best candidates (incumbents excluded), optionally of one department. The people, their
    last shared reviews and growth's inputs are each read once for the whole organisation (with only the
    fields the ranking needs, side by side); every person is scored in memory; only the ``first`` shown are
    explained and read whole."""
    check_page_size(first)
    signed_in = await require(context)
    viewer = signed_in.viewer
    position = await referenced(context, "position", position_id, "positionId", [])
    if position is None:
        raise BadUserInput(f"no position {position_id!r} in your organisation")
    incumbents = (await holders(context, [position_id]))[position_id]
    if not can_see_succession(viewer, incumbents):
        raise Forbidden(RANK_REFUSAL)
    everyone = asyncio.ensure_future(roster(context))
    reviewed, expected, inputs = await asyncio.gather(
        organisation_assessments(context, everyone), expected_levels(context, [position_id]),
        growth_store.ranking_inputs(signed_in.store, position_id))
    settings = inputs["settings"]
    people = [e for e in await everyone if can_rank_for(viewer, e) and e.get("positionId") != position_id
              and (department_id is None or e.get("departmentId") == department_id)]
    weights = Weights.of({**DEFAULT_WEIGHTS, **settings.get("candidateWeights", {})})
    stale_after = int(settings.get("staleAfterDays", DEFAULT_STALE_AFTER_DAYS))
    today = clock.today()
    potential, targets = inputs["potential"], inputs["targets"]
    readiness = {a["employeeId"]: a["level"] for a in inputs["assessments"]
                 if not is_stale(day_of(a["assessedAt"]), today, stale_after)}
    track_positions = {s["positionId"] for t in inputs["tracks"] for s in t["steps"]}
    wanted = expected[position_id]
    scoring = Scoring.of(position, expected=wanted, track_positions=track_positions, weights=weights, today=today)
    no_targets: list[Document] = []

    def values(person: Document) -> Values:
        review = reviewed.get(person["_id"])
        return factor_values(person, position, expected=wanted, assessed=review.assessed if review else None,
                             rating=review.rating if review else None, potential=potential.get(person["_id"]),
                             readiness=readiness.get(person["_id"]), targets=targets.get(person["_id"], no_targets),
                             track_positions=track_positions, today=today)

    scored = []
    for person in people:  # numbers only: the explanations are built for the candidates shown
        id = person["_id"]
        review = reviewed.get(id)
        scored.append((id, scoring.score(person, assessed=review.assessed if review else None,
                                         rating=review.rating if review else None, potential=potential.get(id),
                                         readiness=readiness.get(id), targets=targets.get(id, no_targets))))
    shown = best(scored, first)
    full = {e["_id"]: e for e in await employees(context, [id for id, _ in shown])}  # whole documents, one batch
    person_of = {p["_id"]: p for p in people}
    return [Ranked(explained(id, values(person_of[id]), weights), full[id], i + 1)
            for i, (id, _) in enumerate(shown) if id in full]


async def rate_talent(context: Context, employee_id: str, potential: int, note: str | None) -> Outcome:
    """A manager's (or HR admin's, calibrating) potential rating; ``extra["rating"]`` is the rating now."""
    signed_in = await require(context)
    errors: list[FieldError] = []
    employee = await referenced(context, "employee", employee_id, "employeeId", errors, active=True)
    if employee is not None and not can_rate_talent(signed_in.viewer, employee):
        raise Forbidden(RATE_REFUSAL)
    errors += check_potential(potential) + check_text(note, "note")
    if errors or employee is None:
        return Outcome(errors=errors)
    await growth_store.save_talent_rating(signed_in.store, employee_id, potential, signed_in.viewer.employee_id,
                                          clock.now(), (note or "").strip())
    return Outcome(employee, extra={"rating": await signed_in.store.talentRatings.get(f"talent-{employee_id}")})
