"""mentorshipSuggestions: a worked example ordered by hand (needs from the targets, mentors strong there,
the reporting line and full mentors left out, capacity as a setting), who may ask, and store calls that do
not grow with the organisation."""

from __future__ import annotations

from typing import Any

from models.demo.reviews import demo_review_documents
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.growth.support import BY_TITLE, SET_TARGETS, error, peer, snapshot

SHARED = ("shared", "acknowledged")
SUGGESTIONS = """
query($id: ID!, $first: Int!) { mentorshipSuggestions(employeeId: $id, first: $first) {
  mentor { id } score capacityLeft explanation
  strengths { competency { name } targetPosition { title } expectedLevel menteeLevel shortfall } } }
"""
SET_EXPECTATIONS = """
mutation($position: ID!, $items: [CompetencyExpectationInput!]!) {
  setPositionCompetencies(positionId: $position, expectations: $items) { errors { field code message } } }
"""
SETTINGS = """
mutation($max: Int) { saveGrowthSettings(maxMenteesPerMentor: $max) {
  settings { maxMenteesPerMentor } errors { field code message } } }
"""


def named(name: str, org: Any = NORTHWIND) -> dict[str, Any]:
    """The person of that name whose review of the closed cycle was shared (names repeat in the demo)."""
    reviewed = {r["employeeId"] for r in demo_review_documents(org)["reviews"] if r["state"] in SHARED}
    return next(e for e in org.employees if e["name"] == name and e["_id"] in reviewed)


async def aim(server: RunningServer, mentee: dict[str, Any], position_id: str, org: Any = NORTHWIND) -> None:
    """HR sets what the position expects (Communication 5, Delivery 5); the mentee aims at it."""
    hr = server.client("hr_admin", org)
    competencies = {c["name"]: c["id"] for c in (await hr.data("{ competencies { id name } }"))["competencies"]}
    items = [{"competencyId": competencies["Communication"], "expectedLevel": 5},
             {"competencyId": competencies["Delivery"], "expectedLevel": 5}]
    assert (await hr.data(SET_EXPECTATIONS, {"position": position_id, "items": items})
            )["setPositionCompetencies"]["errors"] == []
    aimed = await server.client(mentee["_id"], org).data(SET_TARGETS, {"id": mentee["_id"], "targets": [
        {"positionId": position_id, "horizon": "ONE_TO_TWO_YEARS"}]})
    assert aimed["setGrowthTargets"]["errors"] == []


def summary(found: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [(s["mentor"]["id"], s["score"], s["capacityLeft"]) for s in found]


async def test_a_worked_example_ordered_by_hand(server: RunningServer) -> None:
    # given Dmitri Lee (a tech lead; his last shared review: Communication 4, Collaboration 4, Delivery 3)
    # aiming at engineering manager, which HR sets to expect Communication 5 and Delivery 5
    mentee = named("Dmitri Lee")
    target = BY_TITLE["Engineering Manager"]
    await aim(server, mentee, target["_id"])
    # so he needs Delivery (2 levels short) and Communication (1 short). Those whose last shared review
    # meets Communication 5: Kavya Yilmaz, Oliver Suzuki, Mads Mendes (all three report to him: left out),
    # Naledi Schmidt (already mentoring 3, the default maximum: left out) and Mads Costa; Delivery 5:
    # Thandiwe Novak, Fatima Alvarez, Ibrahim Lopez, Mads Costa (and Oliver Suzuki, Naledi Schmidt)
    below = [named(n) for n in ("Kavya Yilmaz", "Oliver Suzuki", "Mads Mendes")]
    assert all(mentee["_id"] in e["managerChain"] for e in below)
    mads, thandiwe, fatima, ibrahim, naledi = (named(n)["_id"] for n in (
        "Mads Costa", "Thandiwe Novak", "Fatima Alvarez", "Ibrahim Lopez", "Naledi Schmidt"))
    # when he asks for suggestions
    found = (await server.client(mentee["_id"]).data(SUGGESTIONS, {"id": mentee["_id"], "first": 20})
             )["mentorshipSuggestions"]
    # then, by hand: Mads Costa covers 2 + 1 = 3 levels, the three others 2 (Delivery); room 3 each (nobody
    # mentors them yet); ties by id (Thandiwe 1f5a…, Fatima a9f5…, Ibrahim d1be…)
    assert summary(found) == [(mads, 3, 3), (thandiwe, 2, 3), (fatima, 2, 3), (ibrahim, 2, 3)]
    assert found[0]["strengths"] == [
        {"competency": {"name": "Delivery"}, "targetPosition": {"title": "Engineering Manager"}, "expectedLevel": 5,
         "menteeLevel": 3, "shortfall": 2},
        {"competency": {"name": "Communication"}, "targetPosition": {"title": "Engineering Manager"},
         "expectedLevel": 5, "menteeLevel": 4, "shortfall": 1}]
    assert found[0]["explanation"] == (
        "meets the expected level where the mentee needs 3 levels of growth (Delivery: Engineering Manager "
        "expects 5, the mentee is assessed 3; Communication: Engineering Manager expects 5, the mentee is "
        "assessed 4); room for 3 more mentees")
    assert [s["competency"]["name"] for s in found[1]["strengths"]] == ["Delivery"]
    # when HR allows 4 mentees per mentor, then Naledi Schmidt (3 levels, room 1) comes after Mads Costa
    # (3 levels, room 4) and before those covering 2
    saved = (await server.client("hr_admin").data(SETTINGS, {"max": 4}))["saveGrowthSettings"]
    assert saved == {"settings": {"maxMenteesPerMentor": 4}, "errors": []}
    found = (await server.client(mentee["_id"]).data(SUGGESTIONS, {"id": mentee["_id"], "first": 3})
             )["mentorshipSuggestions"]
    assert summary(found) == [(mads, 3, 4), (naledi, 3, 1), (thandiwe, 2, 4)]


async def test_who_may_ask_and_bad_input(server: RunningServer) -> None:
    # given Dmitri Lee aiming at engineering manager, and the store as it is then
    mentee = named("Dmitri Lee")
    await aim(server, mentee, BY_TITLE["Engineering Manager"]["_id"])
    before = await snapshot(server)
    variables = {"id": mentee["_id"], "first": 1}
    # then his manager, his skip-level manager and HR admins see his suggestions
    for who in (mentee["managerId"], mentee["managerChain"][-2], "hr_admin"):
        found = (await server.client(who).data(SUGGESTIONS, variables))["mentorshipSuggestions"]
        assert summary(found) == [(named("Mads Costa")["_id"], 3, 3)]
    # and a peer is refused, another organisation's HR admin finds nobody, a page of 21 is refused
    body = await server.client(peer(mentee)["_id"]).execute(SUGGESTIONS, variables)
    assert body["data"] == {"mentorshipSuggestions": None}
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        ("FORBIDDEN", "mentor suggestions are for the person, their managers and HR admins")]
    body = await server.client("hr_admin", GLOBEX).execute(SUGGESTIONS, variables)
    assert body["data"] == {"mentorshipSuggestions": None}
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await server.client("hr_admin").execute(SUGGESTIONS, {**variables, "first": 21})
    assert body["errors"][0]["message"] == "first lies between 1 and 20"
    # and a maximum of mentees out of range is refused, writing nothing
    refused = (await server.client("hr_admin").data(SETTINGS, {"max": 0}))["saveGrowthSettings"]
    assert refused == {"settings": None, "errors": [error("maxMenteesPerMentor", "INVALID",
                                                          "maxMenteesPerMentor lies between 1 and 20")]}
    assert await snapshot(server) == before


async def test_no_target_no_suggestion_and_store_calls_do_not_grow(server: RunningServer) -> None:
    # given a person without targets, then no suggestions
    mentee = named("Dmitri Lee")
    assert (await server.client(mentee["_id"]).data(SUGGESTIONS, {"id": mentee["_id"], "first": 5})
            ) == {"mentorshipSuggestions": []}
    # given a reviewed person aiming at engineering manager in the 200-person and in the 20-person organisation
    small = named("Daniel Nguyen", GLOBEX)
    await aim(server, mentee, BY_TITLE["Engineering Manager"]["_id"])
    await aim(server, small, next(p["_id"] for p in GLOBEX.positions if p["title"] == "Engineering Manager"), GLOBEX)
    calls = []
    for org, who in ((NORTHWIND, mentee), (GLOBEX, small)):
        server.database.stats.reset()
        await server.client(who["_id"], org).data(SUGGESTIONS, {"id": who["_id"], "first": 20})
        calls.append(dict(server.database.stats.by_collection))
    # then both cost the same store calls, collection by collection
    assert calls[0] == calls[1], calls
