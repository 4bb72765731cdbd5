"""``mentorshipSuggestions(employeeId)``: mentors for the competencies the person's target positions need
(``models/growth/suggestions.py``), in a fixed number of store calls whatever the organisation's size: the
person, their plan and mentorships, their own assessment, the targets' expected levels, who meets those
levels (the reviews accessor, one read of the organisation's last shared reviews), everyone's reporting
line, every mentor's count of active mentees and the settings; then the suggested mentors in one batch."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from models.core.documents import Document
from models.growth.permissions import can_see_mentor_suggestions
from models.growth.rules import DEFAULT_MAX_MENTEES
from models.growth.suggestions import MAX_SUGGESTIONS, Suggestion, explanation, needs, suggest
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.growth.visibility import plan_view
from resolvers.org.access import active_people, employees, positions
from resolvers.reviews.access import assessments, competencies, expected_levels, meeting_levels
from store.growth import repository as growth_store

REFUSAL = "mentor suggestions are for the person, their managers and HR admins"
LINE_FIELDS = {"organizationId": 1, "status": 1, "managerChain": 1}  # what the rules read of each person


@dataclass(frozen=True)
class SuggestionView:
    suggestion: Suggestion
    mentor: Document
    explanation: str


async def mentorship_suggestions(context: Context, employee_id: str, first: int) -> list[SuggestionView]:
    """The ``first`` (at most 20) best mentors for the person; :class:`Forbidden` unless the viewer is the
    person, one of their managers or an HR admin."""
    if not 1 <= first <= MAX_SUGGESTIONS:
        raise BadUserInput(f"first lies between 1 and {MAX_SUGGESTIONS}")
    signed_in = await require(context)
    view = await plan_view(context, employee_id)
    mentee = view.employee
    if not can_see_mentor_suggestions(signed_in.viewer, mentee):
        raise Forbidden(REFUSAL)
    target_ids = [t["positionId"] for t in (view.plan or {}).get("targets", [])]
    if not target_ids:
        return []
    [own], expected = await asyncio.gather(assessments(context, [mentee]), expected_levels(context, target_ids))
    wanted = needs(target_ids, expected, own.assessed if own else {})
    if not wanted:
        return []
    meets, people, loads, settings = await asyncio.gather(
        meeting_levels(context, {n.competency_id: n.expected for n in wanted}),
        active_people(context, LINE_FIELDS, ordered=False), growth_store.mentor_loads(signed_in.store),
        growth_store.settings(signed_in.store))
    max_mentees = int(settings.get("maxMenteesPerMentor", DEFAULT_MAX_MENTEES))
    found = suggest(mentee, wanted, people, meets, loads, max_mentees, view.mentor_ids, first)
    mentors = {e["_id"]: e for e in await employees(context, [s.mentor_id for s in found])}
    names = {c["_id"]: c["name"] for c in await competencies(context, [n.competency_id for n in wanted])}
    titles = {p["_id"]: p["title"] for p in await positions(context) if p["_id"] in target_ids}
    return [SuggestionView(s, mentors[s.mentor_id], explanation(s, names, titles)) for s in found
            if s.mentor_id in mentors]

