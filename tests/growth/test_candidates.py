"""positionCandidates: a worked example ordered by hand, each factor explained, HR-editable weights,
incumbents left out, who may rank, potential ratings, and store calls that do not grow with the people."""

from __future__ import annotations

from models.core import clock
from models.growth.candidates import DEFAULT_WEIGHTS, Weights, factor_values, weighted
from models.growth.readiness import DEFAULT_STALE_AFTER_DAYS, day_of, is_stale
from resolvers.core.context import require
from resolvers.org.access import ROSTER_FIELDS, active_people
from resolvers.reviews.access import expected_levels, organisation_assessments
from store.growth import repository as growth_store
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.growth.support import BY_TITLE, SET_TARGETS, error, person, snapshot
from tests.org.test_access import context_of

CANDIDATES = """
query($p: ID!, $d: ID, $first: Int!) { positionCandidates(positionId: $p, departmentId: $d, first: $first) {
  rank score employee { id } factors { factor value weight contribution explanation } } }
"""
WEIGHTS = """
mutation($w: CandidateWeightsInput!) { saveGrowthSettings(candidateWeights: $w) {
  settings { candidateWeights { factor weight } } errors { field code message } } }
"""
RATE = """
mutation($e: ID!, $p: Int!) { rateTalent(employeeId: $e, potential: $p) {
  potentialRating errors { field code message } } }
"""
ONLY_POTENTIAL_AND_ASPIRATION = {"competencyFit": 0, "performance": 0, "potential": 60, "readiness": 0,
                                 "aspiration": 40, "mobility": 0, "tenure": 0}


# a ranking's store calls with both rosters kept (see test_store_calls_do_not_grow_with_the_people_ranked)
KEPT_RANKING_CALLS = {"employees": 1 + 1 + 1, "organizations": 1, "employeeRosters": 1, "positions": 1, "reviews": 2,
                      "reviewTemplates": 1, "reviewForms": 1, "growthSettings": 1, "growthRosters": 1,
                      "readinessAssessments": 1, "careerTracks": 1, "positionCompetencies": 1}
PLATFORM = next(d["_id"] for d in NORTHWIND.departments if d["name"] == "Platform")


def engineers(count: int) -> list[dict]:
    """Active software engineers of the Platform team (nobody there has a seeded potential rating), by id."""
    found = sorted((e for e in NORTHWIND.employees if e["positionId"] == BY_TITLE["Software Engineer"]["_id"]
                    and e["status"] != "terminated" and e["departmentId"] == PLATFORM), key=lambda e: e["_id"])
    return found[:count]


async def test_a_worked_example_ranks_as_computed_by_hand(server: RunningServer) -> None:
    # given HR weighting only potential (60) and aspiration (40), and three software engineers:
    # A potential 2 and aiming at senior engineer, B potential 3, C potential 1 and aiming at it
    hr = server.client("hr_admin")
    target = BY_TITLE["Senior Software Engineer"]["_id"]
    saved = (await hr.data(WEIGHTS, {"w": ONLY_POTENTIAL_AND_ASPIRATION}))["saveGrowthSettings"]
    assert saved["errors"] == []
    assert {w["factor"]: w["weight"] for w in saved["settings"]["candidateWeights"]}["POTENTIAL"] == 60
    a, b, c = engineers(3)
    for who, potential in ((a, 2), (b, 3), (c, 1)):
        rated = (await hr.data(RATE, {"e": who["_id"], "p": potential}))["rateTalent"]
        assert rated == {"potentialRating": potential, "errors": []}
    for who in (a, c):
        aimed = await hr.data(SET_TARGETS, {"id": who["_id"], "targets": [
            {"positionId": target, "horizon": "WITHIN_A_YEAR"}]})
        assert aimed["setGrowthTargets"]["errors"] == []
    # when HR ranks the Platform team's candidates for senior software engineer
    ranked = (await hr.data(CANDIDATES, {"p": target, "d": PLATFORM, "first": 3}))["positionCandidates"]
    # then, by hand: A = (2/3 × 60 + 1 × 40) / 100 = 0.8; B = (1 × 60 + 0) / 100 = 0.6;
    # C = (1/3 × 60 + 1 × 40) / 100 = 0.6; B and C tie and go by id; nobody else in Platform has a
    # potential rating, so at most 0.4 (aspiration alone)
    tied = sorted([b["_id"], c["_id"]])
    assert [(r["rank"], r["employee"]["id"], r["score"]) for r in ranked] == [
        (1, a["_id"], 0.8), (2, tied[0], 0.6), (3, tied[1], 0.6)]
    # and each factor's part is explained
    factors = {f["factor"]: f for f in ranked[0]["factors"]}
    assert factors["POTENTIAL"] == {"factor": "POTENTIAL", "value": 0.6667, "weight": 60.0, "contribution": 0.4,
                                    "explanation": "potential 2 of 3"}
    assert factors["ASPIRATION"] == {"factor": "ASPIRATION", "value": 1.0, "weight": 40.0, "contribution": 0.4,
                                     "explanation": "their growth plan targets this position"}
    assert {f["contribution"] for name, f in factors.items() if name not in ("POTENTIAL", "ASPIRATION")} == {0.0}
    # and nobody holding the position is a candidate
    everyone = (await hr.data(CANDIDATES, {"p": target, "first": 100}))["positionCandidates"]
    holders = {e["_id"] for e in NORTHWIND.employees if e["positionId"] == target}
    assert not holders & {r["employee"]["id"] for r in everyone}


async def test_who_ranks_and_rates(server: RunningServer) -> None:
    # given an employee and the store as seeded
    target = BY_TITLE["Senior Software Engineer"]["_id"]
    employee = person("employee")
    before = await snapshot(server)
    # then the employee may neither rank, nor rate anyone's potential (their own included)
    body = await server.client("employee").execute(CANDIDATES, {"p": target, "first": 5})
    assert body["data"] == {"positionCandidates": None} and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    refusal = "potential is rated by the person's managers and HR admins"
    for who in (employee["_id"], employee["managerChain"][0]):
        rated = (await server.client("employee").data(RATE, {"e": who, "p": 3}))["rateTalent"]
        assert rated == {"potentialRating": None, "errors": [error(None, "FORBIDDEN", refusal)]}
    bad = (await server.client(employee["managerId"]).data(RATE, {"e": employee["_id"], "p": 4}))["rateTalent"]
    assert bad == {"potentialRating": None, "errors": [error("potential", "INVALID",
                                                       "potential is 1 (low), 2 (moderate) or 3 (high)")]}
    weights = (await server.client("hr_admin").data(WEIGHTS, {"w": {"potential": 101}}))["saveGrowthSettings"]
    assert weights["errors"] == [error("candidateWeights", "INVALID", "each weight lies between 0 and 100")]
    assert await snapshot(server) == before


async def test_store_calls_do_not_grow_with_the_people_ranked(server: RunningServer) -> None:
    # given HR ranking for a position among one small department, then among the whole organisation, in
    # the 200-person organisation, then twice in the 20-person one
    target = BY_TITLE["Tech Lead"]["_id"]
    data_team = next(d["_id"] for d in NORTHWIND.departments if d["name"] == "Data")
    globex_target = next(p["_id"] for p in GLOBEX.positions if p["title"] == "Tech Lead")
    calls = []
    for org, position, department in ((NORTHWIND, target, data_team), (NORTHWIND, target, None),
                                      (GLOBEX, globex_target, None), (GLOBEX, globex_target, None)):
        hr = server.client("hr_admin", org)
        server.database.stats.reset()
        ranked = (await hr.data(CANDIDATES, {"p": position, "d": department, "first": 100}))["positionCandidates"]
        calls.append((len(ranked), dict(server.database.stats.by_collection)))
    # then every ranking costs the same store calls, collection by collection: sign-in, the position, its
    # holders, the people (the organisation's change counter and its roster; the first ranking after a
    # change also reads everyone, one read per status not gone, and keeps the roster: one write), their
    # last shared reviews (reviews: one read per shared state; templates, the manager forms of the one
    # cycle), growth's inputs (settings with their counter, the ranking roster; the first ranking after a
    # rating or targets changed also reads ratings and plans and keeps the roster; readiness, tracks), the
    # expected levels and the candidates shown (one batch)
    (department_count, first_calls), (whole_count, kept_calls), (small_count, small_first_calls) = calls[:3]
    small_kept_calls = calls[3][1]
    assert small_count < department_count < whole_count
    kept = KEPT_RANKING_CALLS
    assert kept_calls == small_kept_calls == kept
    assert first_calls == small_first_calls == {**kept, "employees": 3 + 2, "employeeRosters": 1 + 1,
                                                "talentRatings": 1, "growthPlans": 1, "growthRosters": 1 + 1}


async def test_the_ranking_is_every_person_explained_and_sorted(server: RunningServer) -> None:
    # given the seeded organisation (its reviews, ratings, plans and tracks) and a reference ranking built
    # the plain way: everyone read live, every factor of every person explained, the weighted scores sorted
    context = context_of(server, "hr_admin")
    target = BY_TITLE["Tech Lead"]["_id"]
    position = next(p for p in NORTHWIND.positions if p["_id"] == target)
    people = [e for e in await active_people(context, ROSTER_FIELDS, ordered=False) if e["positionId"] != target]
    reviewed = await organisation_assessments(context, people)
    expected = (await expected_levels(context, [target]))[target]
    inputs = await growth_store.ranking_inputs((await require(context)).store, target)
    weights = Weights.of(DEFAULT_WEIGHTS)
    store = (await require(context)).store
    potential = {r["employeeId"]: r["potential"] for r in await store.talentRatings.find()}
    targets = {p["employeeId"]: p.get("targets", []) for p in await store.growthPlans.find()}
    ready = {a["employeeId"]: a["level"] for a in inputs["assessments"]
             if not is_stale(day_of(a["assessedAt"]), clock.today(), DEFAULT_STALE_AFTER_DAYS)}
    tracks = {s["positionId"] for t in inputs["tracks"] for s in t["steps"]}
    assert potential and targets and reviewed and expected
    by_hand = sorted((-weighted(factor_values(
        e, position, expected=expected, assessed=reviewed[e["_id"]].assessed if e["_id"] in reviewed else None,
        rating=reviewed[e["_id"]].rating if e["_id"] in reviewed else None, potential=potential.get(e["_id"]),
        readiness=ready.get(e["_id"]), targets=targets.get(e["_id"], []), track_positions=tracks,
        today=clock.today()), weights), e["_id"]) for e in people)
    # when HR ranks everyone for the position, twice (the second from the kept rosters)
    hr = server.client("hr_admin")
    for _ in range(2):
        ranked = (await hr.data(CANDIDATES, {"p": target, "first": 100}))["positionCandidates"]
        # then the order and the scores are the reference's
        assert [(r["employee"]["id"], r["score"]) for r in ranked] == [(id, -score) for score, id in by_hand[:100]]
