"""terminateEmployee end to end: reports move up, chains stay derived from managerId, retries converge."""

from __future__ import annotations

from typing import Any

import pytest

from models.core.documents import Document
from models.org.rules import chain_of, rebuild_chains
from tests.client import refused_codes
from tests.conftest import RunningServer
from tests.org.seed import UNKNOWN_ID, people
from tests.org.support import assert_chains_consistent

TERMINATE = """
mutation Terminate($employeeId: ID!, $note: String) {
  terminateEmployee(employeeId: $employeeId, note: $note) {
    employee { id status manager { id } statusHistory { status note by { id } } }
    movedReports { id manager { id } reportingChain { id } }
    errors { field code message }
  }
}
"""
REPORTS = "query Reports($id: ID!) { employee(id: $id) { reports { id } } }"
ORG_CHART = """
query Chart($rootId: ID, $depth: Int!) {
  orgChart(rootId: $rootId, depth: $depth) {
    employee { id }
    reports { employee { id } reports { employee { id } reports { employee { id } } } }
  }
}
"""
ME = "{ me { id } }"

NOTE = "Position eliminated"
# What a termination may change on each document; everything else must stay as it was.
DERIVED = ("managerId", "managerChain", "status")


def seeded(server: RunningServer) -> dict[str, Document]:
    return people(server.demo)


def active_reports(docs: dict[str, Document], manager_id: str) -> list[str]:
    return sorted(d["_id"] for d in docs.values() if d["managerId"] == manager_id and d["status"] != "terminated")


def expected_after_termination(server: RunningServer, employee_id: str) -> dict[str, tuple[Any, ...]]:
    """id → (managerId, managerChain, status) for everyone, after a clean termination of ``employee_id``.

    Computed from the seed documents with the pure rules: the leaver's active reports move to the
    leaver's manager, then every chain is re-derived from managerId.
    """
    docs = {id: dict(doc) for id, doc in seeded(server).items()}
    leaver = docs[employee_id]
    for id in active_reports(docs, employee_id):
        docs[id]["managerId"] = leaver["managerId"]
    docs[employee_id]["status"] = "terminated"
    for id, chain in rebuild_chains(None, docs.values()).items():
        docs[id]["managerChain"] = chain
    return {id: tuple(doc[k] for k in DERIVED) for id, doc in docs.items()}


def derived(docs: dict[str, Document]) -> dict[str, tuple[Any, ...]]:
    return {id: tuple(doc[k] for k in DERIVED) for id, doc in docs.items()}


def without(doc: Document, *keys: str) -> Document:
    return {k: v for k, v in doc.items() if k not in keys}


def chart_ids(node: dict[str, Any] | None) -> set[str]:
    if node is None:
        return set()
    return {node["employee"]["id"]}.union(*(chart_ids(child) for child in node.get("reports") or []))


def team_lead(server: RunningServer) -> Document:
    """The employee persona's team lead: level 4, with active reports and one who has already left."""
    seed = seeded(server)
    return seed[seed[server.demo.personas["employee"]]["managerId"]]


# terminating a manager

@pytest.mark.parametrize("leaver", ["team lead", "manager persona"])
async def test_terminating_a_manager_moves_their_reports_up(server: RunningServer, leaver: str) -> None:
    # given a manager with reports (the team lead also has a report who left long ago)
    seed = seeded(server)
    target = team_lead(server) if leaver == "team lead" else seed[server.demo.personas["manager"]]
    grand_manager = seed[target["managerId"]]
    reports = active_reports(seed, target["_id"])
    assert len(reports) >= 2
    admin_id = server.demo.personas["hr_admin"]
    before = await server.stored_employees()
    # when an HR admin terminates them
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": target["_id"], "note": NOTE})
    # then the payload shows the leaver terminated, with a history entry, and the reports moved up
    payload = data["terminateEmployee"]
    assert payload["errors"] == []
    assert payload["employee"] == {
        "id": target["_id"], "status": "TERMINATED", "manager": {"id": grand_manager["_id"]},
        "statusHistory": [*({"status": h["status"].upper(), "note": h["note"],
                             "by": h["byId"] and {"id": h["byId"]}} for h in target["statusHistory"]),
                          {"status": "TERMINATED", "note": NOTE, "by": {"id": admin_id}}],
    }
    assert sorted(r["id"] for r in payload["movedReports"]) == reports
    for moved in payload["movedReports"]:
        assert moved["manager"] == {"id": grand_manager["_id"]}
        assert moved["reportingChain"] == [{"id": i} for i in reversed(chain_of(grand_manager))]
    # and the store holds exactly what a clean termination implies, every chain consistent
    after = await server.stored_employees()
    assert derived(after) == expected_after_termination(server, target["_id"])
    assert_chains_consistent(after)
    stored = after[target["_id"]]
    assert without(stored["statusHistory"][-1], "at") == {"status": "terminated", "byId": admin_id, "note": NOTE}
    assert stored["statusHistory"][:-1] == before[target["_id"]]["statusHistory"]
    # and nothing else about anyone changed but managerId, managerChain, status, history and updatedAt
    volatile = (*DERIVED, "statusHistory", "updatedAt")
    assert {id: without(d, *volatile) for id, d in after.items()} == {
        id: without(d, *volatile) for id, d in before.items()}
    # and the leaver is no longer among anyone's reports nor in the org chart; their reports are
    reports_of_grand = await server.client("hr_admin").data(REPORTS, {"id": grand_manager["_id"]})
    grand_ids = {r["id"] for r in reports_of_grand["employee"]["reports"]}
    assert target["_id"] not in grand_ids and set(reports) <= grand_ids
    chart = await server.client("hr_admin").data(ORG_CHART, {"rootId": None, "depth": 4})
    ids = chart_ids(chart["orgChart"])
    assert target["_id"] not in ids and set(reports) <= ids
    leaver_reports = await server.client("hr_admin").data(REPORTS, {"id": target["_id"]})
    assert leaver_reports["employee"]["reports"] == []


async def test_terminating_keeps_former_reports_who_already_left_where_they_were(server: RunningServer) -> None:
    # given a team lead with a report who left long ago
    seed = seeded(server)
    lead = team_lead(server)
    gone = next(e for e in seed.values() if e["managerId"] == lead["_id"] and e["status"] == "terminated")
    before = (await server.stored_employees())[gone["_id"]]
    # when the lead is terminated
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": lead["_id"]})
    # then the earlier leaver is not "moved" and their record is untouched
    assert gone["_id"] not in {r["id"] for r in data["terminateEmployee"]["movedReports"]}
    assert (await server.stored_employees())[gone["_id"]] == before


async def test_terminating_an_individual_contributor_moves_nobody(server: RunningServer) -> None:
    # given someone without reports
    target = seeded(server)[server.demo.personas["employee"]]
    before = await server.stored_employees()
    # when they are terminated
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": target["_id"]})
    # then only their own status changes and their token stops working
    assert data["terminateEmployee"]["errors"] == []
    assert data["terminateEmployee"]["movedReports"] == []
    after = await server.stored_employees()
    assert derived(after) == expected_after_termination(server, target["_id"])
    assert {id: d for id, d in after.items() if id != target["_id"]} == {
        id: d for id, d in before.items() if id != target["_id"]}
    body = await server.client("employee").execute(ME)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


# idempotency

async def test_terminating_twice_changes_nothing_the_second_time(server: RunningServer) -> None:
    # given a manager terminated once
    target = seeded(server)[server.demo.personas["manager"]]
    await server.client("hr_admin").data(TERMINATE, {"employeeId": target["_id"], "note": NOTE})
    first = await server.snapshot(("employees", "departments", "positions"))
    # when they are terminated again
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": target["_id"], "note": "again"})
    # then there is no error, nobody is moved, and no document changed (no second history entry)
    payload = data["terminateEmployee"]
    assert payload["errors"] == []
    assert payload["movedReports"] == []
    assert payload["employee"]["status"] == "TERMINATED"
    assert [h["status"] for h in payload["employee"]["statusHistory"]].count("TERMINATED") == 1
    assert await server.snapshot(("employees", "departments", "positions")) == first


# interrupted part-way

async def _interrupt(server: RunningServer, target: Document, stage: str) -> list[str]:
    """Leave the store as a termination that crashed at ``stage``; returns the reports not yet moved."""
    seed = seeded(server)
    reports = active_reports(seed, target["_id"])
    entry = {"status": "terminated", "at": target["updatedAt"], "byId": server.demo.personas["hr_admin"],
             "note": NOTE}
    await server.database.employees.update_one(
        {"_id": target["_id"]}, {"$set": {"status": "terminated"}, "$push": {"statusHistory": entry}})
    if stage == "marked only":
        return reports
    moved = reports if stage == "all moved, chains stale" else reports[: len(reports) // 2]
    # managerId (the truth) rewritten, chains left stale: still naming the leaver
    await server.database.employees.update_many({"_id": {"$in": moved}}, {"$set": {"managerId": target["managerId"]}})
    return [id for id in reports if id not in moved]


@pytest.mark.parametrize("stage", ["marked only", "some moved, chains stale", "all moved, chains stale"])
async def test_retry_after_an_interrupted_termination_converges(server: RunningServer, stage: str) -> None:
    # given a termination of the manager persona that stopped part-way
    target = seeded(server)[server.demo.personas["manager"]]
    remaining = await _interrupt(server, target, stage)
    half_done = await server.stored_employees()
    assert rebuild_chains(None, half_done.values()) != {} or stage == "marked only"
    # when the HR admin runs the termination again
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": target["_id"], "note": NOTE})
    # then it succeeds, moving whoever was left behind
    payload = data["terminateEmployee"]
    assert payload["errors"] == []
    assert sorted(r["id"] for r in payload["movedReports"]) == remaining
    # and the store is what a clean termination gives, with one termination entry
    after = await server.stored_employees()
    assert derived(after) == expected_after_termination(server, target["_id"])
    assert_chains_consistent(after)
    assert [h["status"] for h in after[target["_id"]]["statusHistory"]] == ["active", "terminated"]


async def test_retry_after_the_leavers_manager_left_too_moves_reports_to_someone_active(
        server: RunningServer) -> None:
    # given a team lead's termination that stopped after marking them, and then their manager terminated
    seed = seeded(server)
    lead = team_lead(server)
    manager = seed[lead["managerId"]]
    remaining = await _interrupt(server, lead, "marked only")
    await server.client("hr_admin").data(TERMINATE, {"employeeId": manager["_id"]})
    # when the lead's termination is run again
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": lead["_id"]})
    # then the lead's reports go to the nearest manager above who has not left
    payload = data["terminateEmployee"]
    assert payload["errors"] == []
    assert sorted(r["id"] for r in payload["movedReports"]) == remaining
    assert all(r["manager"] == {"id": manager["managerId"]} for r in payload["movedReports"])
    after = await server.stored_employees()
    assert_chains_consistent(after)
    # and nobody who is still here reports to someone who has left
    assert [id for id, d in after.items() if d["status"] != "terminated" and d["managerId"]
            and after[d["managerId"]]["status"] == "terminated"] == []
    # and they are all in the org chart again
    chart = await server.client("hr_admin").data(ORG_CHART, {"rootId": manager["managerId"], "depth": 2})
    assert set(remaining) <= chart_ids(chart["orgChart"])


async def test_retry_when_only_a_descendants_chain_is_stale(server: RunningServer) -> None:
    # given a finished termination, except that one grandchild's chain still names the leaver
    target = seeded(server)[server.demo.personas["manager"]]
    await server.client("hr_admin").data(TERMINATE, {"employeeId": target["_id"]})
    clean = await server.stored_employees()
    grandchild = server.demo.personas["employee"]
    await server.database.employees.update_one({"_id": grandchild},
                                               {"$set": {"managerChain": seeded(server)[grandchild]["managerChain"]}})
    # when the termination is run again
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": target["_id"]})
    # then the chain is repaired and nothing else moves
    assert data["terminateEmployee"]["errors"] == []
    assert derived(await server.stored_employees()) == derived(clean)


# refusals

async def test_terminating_yourself_is_refused(server: RunningServer) -> None:
    # given the HR admin's own id
    admin_id = server.demo.personas["hr_admin"]
    before = await server.snapshot()
    # when they try to terminate themselves
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": admin_id})
    # then it is refused and nothing changed
    assert data["terminateEmployee"] == {"employee": None, "movedReports": [], "errors": [
        {"field": "employeeId", "code": "INVALID", "message": "you cannot terminate yourself"}]}
    assert await server.snapshot() == before


@pytest.mark.parametrize("case", ["unknown", "other organisation", "note too long"])
async def test_termination_refusals_write_nothing(server: RunningServer, case: str) -> None:
    globex = server.other.employees[3]["_id"]
    target = server.demo.personas["employee"]
    employee_id, note, expected = {
        "unknown": (UNKNOWN_ID, None, [
            {"field": "employeeId", "code": "NOT_FOUND",
             "message": f"no employee {UNKNOWN_ID!r} in your organisation"}]),
        "other organisation": (globex, None, [
            {"field": "employeeId", "code": "NOT_FOUND", "message": f"no employee {globex!r} in your organisation"}]),
        "note too long": (target, "x" * 5001, [
            {"field": "note", "code": "TOO_LONG", "message": "note is longer than 5000 characters"}]),
    }[case]
    before = await server.snapshot()
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": employee_id, "note": note})
    assert data["terminateEmployee"] == {"employee": None, "movedReports": [], "errors": expected}
    assert await server.snapshot() == before


@pytest.mark.parametrize("who", ["employee", "manager", None])
async def test_termination_needs_an_hr_admin(server: RunningServer, who: str | None) -> None:
    before = await server.snapshot()
    body = await server.client(who).execute(TERMINATE, {"employeeId": server.demo.personas["employee"]})
    if who:  # a refused mutation answers in its payload
        assert refused_codes(body) == ["FORBIDDEN"]
    else:
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert await server.snapshot() == before


# the top of the organisation

async def test_terminating_the_ceo_makes_their_reports_top_level(server: RunningServer) -> None:
    # given the CEO and their direct reports (the HR admin among them)
    seed = seeded(server)
    ceo = next(e for e in seed.values() if e["managerId"] is None)
    reports = active_reports(seed, ceo["_id"])
    assert server.demo.personas["hr_admin"] in reports
    # when the HR admin terminates the CEO
    data = await server.client("hr_admin").data(TERMINATE, {"employeeId": ceo["_id"]})
    # then their reports are at the top, with empty chains, and everyone's chain dropped the CEO
    payload = data["terminateEmployee"]
    assert payload["errors"] == []
    assert payload["employee"]["manager"] is None
    assert sorted(r["id"] for r in payload["movedReports"]) == reports
    assert all(r["manager"] is None and r["reportingChain"] == [] for r in payload["movedReports"])
    after = await server.stored_employees()
    assert derived(after) == expected_after_termination(server, ceo["_id"])
    assert_chains_consistent(after)
    for id in reports:
        assert (after[id]["managerId"], after[id]["managerChain"]) == (None, [])
    for id, doc in seed.items():
        if id != ceo["_id"] and id not in reports:
            assert after[id]["managerChain"] == doc["managerChain"][1:]
    assert all(ceo["_id"] not in d["managerChain"] for d in after.values())
    # and the org chart of a former report no longer shows the CEO above them
    chart = await server.client("hr_admin").data(ORG_CHART, {"rootId": reports[0], "depth": 3})
    assert ceo["_id"] not in chart_ids(chart["orgChart"])
