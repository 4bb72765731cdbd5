"""Creating and launching cycles: eligibility edge cases (hire date on the cutoff, on leave, terminated,
excluded, sub-departments), one review and its forms per eligible employee, idempotent launches and a
launch that stopped part-way completing when run again."""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import refused_codes
from tests.conftest import NORTHWIND, RunningServer
from tests.reviews.support import (
    CREATE_CYCLE,
    FINISHED,
    LAUNCH,
    REVIEW_COLLECTIONS,
    RUNNING,
    SEED,
    TEMPLATE,
    UNKNOWN_ID,
    create_cycle,
    cycle_documents,
    cycle_input,
    department_id,
    launch,
    person,
)

CREATE_EMPLOYEE = """
mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { employee { id } errors { code } } }"""
TERMINATE = "mutation($id: ID!) { terminateEmployee(employeeId: $id) { errors { code } } }"
CUTOFF = "2026-10-01"
Document = dict[str, Any]


def data_lead() -> Document:
    """An active team lead of the Data department."""
    data = department_id("Data")
    return next(e for e in NORTHWIND.employees if e["departmentId"] == data and e["status"] == "active"
                and any(r["managerId"] == e["_id"] for r in NORTHWIND.employees) and len(e["managerChain"]) == 3)


async def hire(server: RunningServer, name: str, hire_date: str, status: str | None = None) -> str:
    lead = data_lead()
    input = {"name": name, "email": f"{name.lower().replace(' ', '.')}@northwind.example", "hireDate": hire_date,
             "managerId": lead["_id"], "departmentId": department_id("Data"), **({"status": status} if status else {})}
    data = await server.client("hr_admin").data(CREATE_EMPLOYEE, {"input": input})
    assert data["createEmployee"]["errors"] == []
    return data["createEmployee"]["employee"]["id"]


def expected_forms(people: dict[str, Document], reviewees: list[str], peers: int) -> dict[str, int]:
    """Forms per kind, worked out from the people: self for each, the nearest active manager, up to ``peers``
    active teammates, and every active direct report (the template has questions for all four kinds)."""
    active = {i for i, p in people.items() if p["status"] == "active"}
    counts = {"self": 0, "manager": 0, "peer": 0, "upward": 0}
    for id in reviewees:
        doc = people[id]
        counts["self"] += 1
        manager = doc["managerId"]
        while manager is not None and manager not in active:
            manager = people[manager]["managerId"]
        counts["manager"] += manager is not None
        if doc["managerId"]:
            team = [p for p in active if people[p]["managerId"] == doc["managerId"] and p != id]
            counts["peer"] += min(peers, len(team))
        counts["upward"] += len([p for p in active if people[p]["managerId"] == id])
    return counts


async def test_eligibility_edge_cases(server: RunningServer) -> None:
    # given Data newcomers hired on the cutoff and the day before, one on leave, one terminated, one excluded
    on_cutoff = await hire(server, "Cutoff Day", CUTOFF)
    day_before = await hire(server, "Day Before", "2026-09-30")
    on_leave = await hire(server, "Away Now", "2025-01-06", "ON_LEAVE")
    leaver = await hire(server, "Gone Soon", "2025-01-06")
    assert (await server.client("hr_admin").data(TERMINATE, {"id": leaver}))["terminateEmployee"]["errors"] == []
    excluded = await hire(server, "Left Out", "2025-01-06")
    cycle_id = await create_cycle(server, eligibility={"hiredBefore": CUTOFF, "excludedEmployeeIds": [excluded]})
    # when the cycle is launched
    result = (await launch(server, cycle_id))["launch"]
    # then exactly the active Data people hired strictly before the cutoff and not excluded are reviewed
    people = await server.stored_employees()
    data = department_id("Data")
    in_scope = [p for p in people.values() if p["departmentId"] == data]
    eligible = sorted(p["_id"] for p in in_scope if p["status"] == "active" and p["hireDate"] < CUTOFF
                      and p["_id"] != excluded)
    reviews, forms = await cycle_documents(server, cycle_id)
    assert sorted(r["employeeId"] for r in reviews) == eligible
    assert day_before in eligible and on_cutoff not in eligible
    # and everyone else of the department is listed with the reason
    reasons = {p["_id"]: ("TERMINATED" if p["status"] == "terminated" else "ON_LEAVE" if p["status"] == "on_leave"
                          else "HIRED_ON_OR_AFTER_CUTOFF" if p["hireDate"] >= CUTOFF else "EXCLUDED")
               for p in in_scope if p["_id"] not in eligible}
    assert {s["employeeId"]: s["reason"] for s in result["skipped"]} == reasons
    assert [reasons[i] for i in (on_cutoff, on_leave, leaver, excluded)] == [
        "HIRED_ON_OR_AFTER_CUTOFF", "ON_LEAVE", "TERMINATED", "EXCLUDED"]
    # and every review has its self, manager, peer and upward forms
    kinds = expected_forms(people, eligible, 2)
    assert {k: sum(1 for f in forms if f["kind"] == k) for k in kinds} == kinds
    assert result == {"eligible": len(eligible), "reviewsCreated": len(eligible), "formsCreated": sum(kinds.values()),
                      "reviewsTotal": len(eligible), "formsTotal": sum(kinds.values()), "skipped": result["skipped"]}


async def test_a_department_includes_the_departments_below_it(server: RunningServer) -> None:
    # given a cycle for Engineering (Platform, Product Engineering and Data sit below it)
    cycle_id = await create_cycle(server, eligibility={"departmentIds": [department_id("Engineering")]})
    # when it is launched
    await launch(server, cycle_id)
    # then everyone eligible in the four departments is reviewed
    names = ("Engineering", "Platform", "Product Engineering", "Data")
    wanted = {department_id(n) for n in names}
    expected = sorted(e["_id"] for e in NORTHWIND.employees if e["departmentId"] in wanted
                      and e["status"] == "active" and e["hireDate"] < CUTOFF)
    reviews, _ = await cycle_documents(server, cycle_id)
    assert sorted(r["employeeId"] for r in reviews) == expected


async def test_launching_twice_creates_nothing_new(server: RunningServer) -> None:
    # given a launched cycle and the store after it
    cycle_id = await create_cycle(server)
    first = (await launch(server, cycle_id))["launch"]
    after_first = await server.snapshot(REVIEW_COLLECTIONS)
    # when it is launched again
    second = await launch(server, cycle_id)
    # then nothing is created and nothing changed
    assert second["launch"] == {**first, "reviewsCreated": 0, "formsCreated": 0}
    assert second["cycle"] == {"id": cycle_id, "status": "ACTIVE"}
    assert await server.snapshot(REVIEW_COLLECTIONS) == after_first


async def test_a_launch_that_stopped_part_way_completes_when_run_again(server: RunningServer) -> None:
    # given a launched cycle
    cycle_id = await create_cycle(server)
    await launch(server, cycle_id)
    reviews, forms = await cycle_documents(server, cycle_id)
    complete = (sorted(r["_id"] for r in reviews), sorted(f["_id"] for f in forms))
    # and a store as a launch leaves it when it stops after some of the writes: still "launching",
    # two reviews and the forms of four reviews missing
    lost_reviews = [r["_id"] for r in reviews[:2]]
    lost_forms = [f["_id"] for f in forms if f["reviewId"] in {r["_id"] for r in reviews[:4]}]
    await server.database.reviews.delete_many({"_id": {"$in": lost_reviews}})
    await server.database.reviewForms.delete_many({"_id": {"$in": lost_forms}})
    await server.database.reviewCycles.update_one({"_id": cycle_id}, {"$set": {"status": "launching"}})
    # when it is launched again
    result = await launch(server, cycle_id)
    # then exactly what was missing is created and the cycle is active
    assert (result["launch"]["reviewsCreated"], result["launch"]["formsCreated"]) == (2, len(lost_forms))
    assert result["cycle"]["status"] == "ACTIVE"
    reviews, forms = await cycle_documents(server, cycle_id)
    assert (sorted(r["_id"] for r in reviews), sorted(f["_id"] for f in forms)) == complete


async def test_launching_the_seeded_running_cycle_again_creates_nothing(server: RunningServer) -> None:
    # given the seeded running cycle (its reviews come from the same launch plan)
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when it is launched again
    result = await launch(server, RUNNING["_id"])
    # then nothing is created and nothing changed
    reviews = [r for r in SEED["reviews"] if r["cycleId"] == RUNNING["_id"]]
    forms = [f for f in SEED["reviewForms"] if f["cycleId"] == RUNNING["_id"]]
    assert result["launch"]["reviewsCreated"] == result["launch"]["formsCreated"] == 0
    assert (result["launch"]["reviewsTotal"], result["launch"]["formsTotal"]) == (len(reviews), len(forms))
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_launch_refusals(server: RunningServer) -> None:
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # a closed cycle, an unknown cycle
    closed = await server.client("hr_admin").data(LAUNCH, {"cycle": FINISHED["_id"]})
    assert closed["launchReviewCycle"]["errors"] == [{"field": "cycleId", "code": "INVALID_TRANSITION",
                                                      "message": "the cycle is closed"}]
    unknown = await server.client("hr_admin").data(LAUNCH, {"cycle": UNKNOWN_ID})
    assert unknown["launchReviewCycle"]["errors"][0]["code"] == "NOT_FOUND"
    # a manager
    body = await server.client("manager").execute(LAUNCH, {"cycle": RUNNING["_id"]})
    assert refused_codes(body) == ["FORBIDDEN"]
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


def _cycle_refusals() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    order = [{"phase": "MANAGER_REVIEW", "deadline": "2027-01-10"}, {"phase": "SELF_REVIEW", "deadline": "2027-01-20"}]
    late = [{"phase": "SELF_REVIEW", "deadline": "2027-01-20"}, {"phase": "PEER_REVIEW", "deadline": "2027-01-10"}]
    return {
        "period backwards": ({"periodStart": "2026-12-31", "periodEnd": "2026-07-01"},
                             {"field": "periodEnd", "code": "INVALID", "message": "the period ends before it starts"}),
        "unknown template": ({"templateId": UNKNOWN_ID},
                             {"field": "templateId", "code": "NOT_FOUND", "message": f"no template {UNKNOWN_ID!r}"}),
        "phases out of order": ({"phases": order}, {"field": "phases", "code": "INVALID", "message":
                                "phases must follow the order self_review, peer_nomination, peer_review, "
                                "manager_review, calibration, sharing"}),
        "deadlines backwards": ({"phases": late}, {"field": "phases", "code": "INVALID",
                                                   "message": "deadlines must not go back in time phase by phase"}),
        "unknown department": ({"eligibility": {"departmentIds": [UNKNOWN_ID]}}, {
            "field": "eligibility.departmentIds", "code": "NOT_FOUND", "message": f"no department {UNKNOWN_ID!r}"}),
        "too many peers": ({"peersPerReviewee": 11}, {"field": "peersPerReviewee", "code": "INVALID",
                                                      "message": "peersPerReviewee must be 0 to 10"}),
        "blank name": ({"name": "  "}, {"field": "name", "code": "REQUIRED", "message": "name must not be empty"}),
    }


@pytest.mark.parametrize("case", list(_cycle_refusals()))
async def test_cycle_refusals_write_nothing(server: RunningServer, case: str) -> None:
    overrides, error = _cycle_refusals()[case]
    before = await server.snapshot(REVIEW_COLLECTIONS)
    data = await server.client("hr_admin").data(CREATE_CYCLE, {"input": cycle_input(TEMPLATE["_id"], **overrides)})
    assert data["createReviewCycle"] == {"cycle": None, "errors": [error]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before
    assert person(NORTHWIND.personas["hr_admin"])["roles"]
