"""The competency framework (HR admins manage it, everyone reads it), expected levels per position, and
``employee { competencyProfile }``: expected vs. latest assessed level, with the gap."""

from __future__ import annotations

from typing import Any

import pytest

from models.reviews.rules import questions_for
from tests.client import refused_codes
from tests.conftest import NORTHWIND, RunningServer
from tests.reviews.support import (
    FINISHED,
    REVIEW_COLLECTIONS,
    RUNNING,
    SEED,
    TEMPLATE,
    UNKNOWN_ID,
    answer_required,
    move,
    persona,
    seeded_form,
    seeded_review,
    stored,
    submit,
)

COMPETENCIES = """
query($archived: Boolean!) {
  competencies(includeArchived: $archived) { id name category archived levels { level description } }
}"""
SAVE = """
mutation($id: ID, $input: CompetencyInput!) {
  saveCompetency(id: $id, input: $input) {
    competency { id name category description archived } errors { field code message }
  }
}"""
SET_EXPECTATIONS = """
mutation($position: ID!, $items: [CompetencyExpectationInput!]!) {
  setPositionCompetencies(positionId: $position, expectations: $items) {
    expectations { expectedLevel competency { id } position { id } } errors { field code message }
  }
}"""
POSITION = "{ positions { id expectedCompetencies { expectedLevel competency { id } } } }"
PROFILE = """
query($id: ID!) {
  employee(id: $id) { competencyProfile { competency { id name } expectedLevel assessedLevel gap reviewId } }
}"""
LEVELS = [{"level": n, "description": f"Level {n} behaviour"} for n in range(1, 6)]


def expected_profile(employee: dict[str, Any], review: dict[str, Any], manager_form: dict[str, Any],
                     ) -> list[dict[str, Any]]:
    """Worked out from the seed: the position's expected levels, the manager's competency answers."""
    competencies = {c["_id"]: c for c in SEED["competencies"]}
    expected = {e["competencyId"]: e["expectedLevel"] for e in SEED["positionCompetencies"]
                if e["positionId"] == employee["positionId"]}
    assessed = {}
    for _, question in questions_for(TEMPLATE, "manager"):
        answer = manager_form["answers"].get(question["id"])
        if question["kind"] == "competency" and answer:
            assessed.setdefault(question["competencyId"], answer["value"])
    ids = sorted({*expected, *assessed}, key=lambda c: (competencies[c]["category"], competencies[c]["name"]))
    return [{"competency": {"id": c, "name": competencies[c]["name"]}, "expectedLevel": expected.get(c),
             "assessedLevel": assessed.get(c),
             "gap": assessed[c] - expected[c] if c in assessed and c in expected else None,
             "reviewId": review["_id"] if c in assessed else None} for c in ids]


async def test_everyone_reads_the_framework(server: RunningServer) -> None:
    data = await server.client("employee").data(COMPETENCIES, {"archived": False})
    ordered = sorted(SEED["competencies"], key=lambda c: (c["category"], c["name"]))
    assert data["competencies"] == [{"id": c["_id"], "name": c["name"], "category": c["category"], "archived": False,
                                     "levels": c["levels"]} for c in ordered]


async def test_hr_admins_create_change_and_archive_competencies(server: RunningServer) -> None:
    hr = server.client("hr_admin")
    # when HR creates a competency, then it is in the framework
    created = await hr.data(SAVE, {"input": {"name": "Ownership", "category": "Core", "levels": LEVELS}})
    competency = created["saveCompetency"]["competency"]
    assert created["saveCompetency"]["errors"] == []
    assert competency["name"] == "Ownership" and competency["archived"] is False
    # when HR changes only its description, then the rest stays
    changed = await hr.data(SAVE, {"id": competency["id"], "input": {"description": "Acts like an owner"}})
    assert changed["saveCompetency"]["competency"] == {**competency, "description": "Acts like an owner"}
    # when HR archives it, then it leaves the default list but stays readable
    await hr.data(SAVE, {"id": competency["id"], "input": {"archived": True}})
    active = (await hr.data(COMPETENCIES, {"archived": False}))["competencies"]
    every = (await hr.data(COMPETENCIES, {"archived": True}))["competencies"]
    assert competency["id"] not in [c["id"] for c in active] and competency["id"] in [c["id"] for c in every]


REFUSALS = {
    "a level missing": ({"name": "X", "category": "Core", "levels": LEVELS[:4]},
                        {"field": "levels", "code": "INVALID",
                         "message": "describe each of the levels 1 to 5 exactly once"}),
    "blank name": ({"name": " ", "category": "Core", "levels": LEVELS},
                   {"field": "name", "code": "REQUIRED", "message": "name must not be empty"}),
    "blank level": ({"name": "X", "category": "Core", "levels": [*LEVELS[:4], {"level": 5, "description": " "}]},
                    {"field": "levels", "code": "INVALID",
                     "message": "each level needs a description of 1 to 1000 characters"}),
}


@pytest.mark.parametrize("case", list(REFUSALS))
async def test_competency_refusals_write_nothing(server: RunningServer, case: str) -> None:
    input, error = REFUSALS[case]
    before = await server.snapshot(REVIEW_COLLECTIONS)
    data = await server.client("hr_admin").data(SAVE, {"input": input})
    assert data["saveCompetency"] == {"competency": None, "errors": [error]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_only_hr_admins_manage_the_framework(server: RunningServer) -> None:
    body = await server.client("manager").execute(SAVE, {"input": {"name": "X", "category": "C", "levels": LEVELS}})
    assert refused_codes(body) == ["FORBIDDEN"]


async def test_positions_state_their_expected_levels(server: RunningServer) -> None:
    # given a position and two competencies / when HR replaces its expectations
    position = NORTHWIND.positions[0]["_id"]
    first, second = SEED["competencies"][0]["_id"], SEED["competencies"][1]["_id"]
    items = [{"competencyId": first, "expectedLevel": 5}, {"competencyId": second, "expectedLevel": 2}]
    data = await server.client("hr_admin").data(SET_EXPECTATIONS, {"position": position, "items": items})
    # then exactly those are stored, and every position shows its own
    result = data["setPositionCompetencies"]
    assert result["errors"] == []
    assert sorted((e["competency"]["id"], e["expectedLevel"]) for e in result["expectations"]) == sorted(
        [(first, 5), (second, 2)])
    positions = {p["id"]: p for p in (await server.client("employee").data(POSITION))["positions"]}
    assert sorted((e["competency"]["id"], e["expectedLevel"]) for e in positions[position]["expectedCompetencies"]) \
        == sorted([(first, 5), (second, 2)])
    other = NORTHWIND.positions[1]["_id"]
    assert len(positions[other]["expectedCompetencies"]) == len(
        [e for e in SEED["positionCompetencies"] if e["positionId"] == other])


@pytest.mark.parametrize("case", ["unknown competency", "level 6", "twice", "unknown position"])
async def test_expectation_refusals_write_nothing(server: RunningServer, case: str) -> None:
    competency = SEED["competencies"][0]["_id"]
    position = NORTHWIND.positions[0]["_id"]
    items, target, error = {
        "unknown competency": ([{"competencyId": UNKNOWN_ID, "expectedLevel": 3}], position,
                               {"field": "expectations.competencyId", "code": "NOT_FOUND",
                                "message": f"no competency {UNKNOWN_ID!r} in your organisation"}),
        "level 6": ([{"competencyId": competency, "expectedLevel": 6}], position,
                    {"field": "expectations.expectedLevel", "code": "INVALID",
                     "message": "expected levels run from 1 to 5"}),
        "twice": ([{"competencyId": competency, "expectedLevel": 2}] * 2, position,
                  {"field": "expectations", "code": "DUPLICATE", "message": "each competency may appear once"}),
        "unknown position": ([], UNKNOWN_ID, {"field": "positionId", "code": "NOT_FOUND",
                                              "message": f"no position {UNKNOWN_ID!r} in your organisation"}),
    }[case]
    before = await server.snapshot(REVIEW_COLLECTIONS)
    data = await server.client("hr_admin").data(SET_EXPECTATIONS, {"position": target, "items": items})
    assert data["setPositionCompetencies"] == {"expectations": [], "errors": [error]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_the_profile_compares_expected_and_last_assessed_levels(server: RunningServer) -> None:
    # given the persona: expected levels of their position, and the finished cycle's shared review
    me = persona("employee")
    review = seeded_review(FINISHED, me["_id"])
    expected = expected_profile(me, review, seeded_form(review, "manager"))
    assert any(e["gap"] is not None for e in expected)
    # then they, their manager and HR admins see the same profile
    for who in ("employee", me["managerId"], "hr_admin"):
        data = await server.client(who).data(PROFILE, {"id": me["_id"]})
        assert data["employee"]["competencyProfile"] == expected
    # and for someone outside their management chain it is null, by design and without an error
    peer = next(e for e in NORTHWIND.employees if e["managerId"] == me["managerId"] and e["_id"] != me["_id"])
    body = await server.client(peer["_id"]).execute(PROFILE, {"id": me["_id"]})
    assert body["data"]["employee"]["competencyProfile"] is None
    assert "errors" not in body


async def test_the_profile_follows_the_latest_shared_review(server: RunningServer) -> None:
    # given the persona's running review: the manager assesses every competency at 5 and it is shared
    me = persona("employee")
    review = seeded_review(RUNNING, me["_id"])
    form = await stored(server, "reviewForms", seeded_form(review, "manager")["_id"])
    await answer_required(server, review["managerId"], form, level=5)
    await submit(server, review["managerId"], form["_id"])
    for state in ("MANAGER_REVIEW", "CALIBRATION", "SHARED"):
        assert (await move(server, "hr_admin", review["_id"], state))["errors"] == []
    # then the profile takes its levels from that review
    stored_form = await stored(server, "reviewForms", form["_id"])
    data = await server.client("employee").data(PROFILE, {"id": me["_id"]})
    assert data["employee"]["competencyProfile"] == expected_profile(me, review, stored_form)
    assert {e["assessedLevel"] for e in data["employee"]["competencyProfile"] if e["reviewId"]} == {5}
