"""Store round trips of the review queries grow with nesting depth, never with how many reviews, forms or
people a query returns (counted at the store boundary)."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningServer
from tests.reviews.support import RUNNING, SEED

CYCLE_REVIEWS = """
query($id: ID!, $first: Int!) {
  reviewCycle(id: $id) {
    name
    reviews(first: $first) { totalCount edges { node {
      state employee { name title } score { value rating }
      forms { kind state reviewer { name } score { value } answers { questionId value by { name } } }
    } } }
  }
}"""
PROFILES = """
query($first: Int!) {
  employees(first: $first) {
    edges { node { name competencyProfile { competency { name } expectedLevel assessedLevel gap } } }
  }
}"""
# Sign-in; the cycle; the reviews (count and page); then one batch per collection and level: reviewees (with
# the reviewers, who are people of the same level), their positions, templates, forms, the forms' reviews
# (for the permission rules), and the answers' authors.
CYCLE_REVIEWS_CALLS = {"employees": 3, "positions": 1, "reviewCycles": 1, "reviews": 3, "reviewForms": 1,
                       "reviewTemplates": 1}
# Sign-in, the page (count and documents); then one batch for all profiles: people (positions), expected
# levels, latest shared reviews, their managers' forms and templates, learning evidence; then the competencies.
PROFILE_CALLS = {"employees": 4, "positionCompetencies": 1, "reviews": 1, "reviewForms": 1, "reviewTemplates": 1,
                 "competencyEvidence": 1, "competencies": 1}


async def calls(server: RunningServer, query: str, variables: dict[str, Any]) -> dict[str, int]:
    server.database.stats.reset()
    await server.client("hr_admin").data(query, variables)
    return dict(server.database.stats.by_collection)


async def test_a_cycles_reviews_with_forms_and_answers_cost_the_same_for_2_or_22_reviews(server: RunningServer) -> None:
    total = len([r for r in SEED["reviews"] if r["cycleId"] == RUNNING["_id"]])
    assert total > 20
    few = await calls(server, CYCLE_REVIEWS, {"id": RUNNING["_id"], "first": 2})
    every = await calls(server, CYCLE_REVIEWS, {"id": RUNNING["_id"], "first": total})
    assert few == every == CYCLE_REVIEWS_CALLS


async def test_competency_profiles_cost_the_same_for_50_or_100_people(server: RunningServer) -> None:
    few = await calls(server, PROFILES, {"first": 50})
    many = await calls(server, PROFILES, {"first": 100})
    assert few == many == PROFILE_CALLS
