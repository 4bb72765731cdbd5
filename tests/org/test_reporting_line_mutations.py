"""changeManager and moveDepartment end to end: HR admins move people in the org chart."""

from __future__ import annotations

from typing import Any

import pytest

from models.org.rules import chain_of
from tests.conftest import RunningServer
from tests.org.seed import UNKNOWN_ID
from tests.org.support import (
    CHANGE_MANAGER,
    MOVE_DEPARTMENT,
    REPORTS,
    assert_chains_consistent,
    department_id,
    descendants,
    error,
    persona,
    seed_employee,
    terminated,
)

# changeManager

async def test_change_manager_moves_the_whole_subtree(server: RunningServer) -> None:
    # given the manager persona (level 3, with two levels below) and another level-2 leader
    moved = persona(server, "manager")
    new_manager = persona(server, "hr_admin")
    old_manager_id = moved["managerId"]
    seed = {e["_id"]: e for e in server.demo.employees}
    below = descendants(seed, moved["_id"])
    assert len(below) > 10
    before = await server.stored_employees()
    # when an HR admin moves the manager under the other leader
    data = await server.client("hr_admin").data(CHANGE_MANAGER, {"employeeId": moved["_id"],
                                                                 "managerId": new_manager["_id"]})
    # then the payload shows the new manager and chain
    assert data["changeManager"]["errors"] == []
    employee = data["changeManager"]["employee"]
    assert employee["manager"] == {"id": new_manager["_id"]}
    assert employee["reportingChain"] == [{"id": new_manager["_id"]}, {"id": new_manager["managerId"]}]
    # and in the store the moved person and every descendant carry chains through the new manager
    after = await server.stored_employees()
    new_prefix = [*chain_of(new_manager), moved["_id"]]
    assert after[moved["_id"]]["managerId"] == new_manager["_id"]
    assert after[moved["_id"]]["managerChain"] == chain_of(new_manager)
    cut = len(moved["managerChain"]) + 1
    for doc in below:
        assert after[doc["_id"]]["managerId"] == doc["managerId"]
        assert after[doc["_id"]]["managerChain"] == [*new_prefix, *doc["managerChain"][cut:]]
    assert_chains_consistent(after)
    # and nobody outside the subtree changed
    touched = {moved["_id"], *(d["_id"] for d in below)}
    assert {k: v for k, v in after.items() if k not in touched} == {k: v for k, v in before.items()
                                                                   if k not in touched}
    # and the reports lists follow
    new_reports = await server.client("hr_admin").data(REPORTS, {"id": new_manager["_id"]})
    old_reports = await server.client("hr_admin").data(REPORTS, {"id": old_manager_id})
    assert moved["_id"] in {r["id"] for r in new_reports["employee"]["reports"]}
    assert moved["_id"] not in {r["id"] for r in old_reports["employee"]["reports"]}


async def test_change_manager_to_null_makes_a_top_level_person(server: RunningServer) -> None:
    # given the manager persona and their subtree
    moved = persona(server, "manager")
    seed = {e["_id"]: e for e in server.demo.employees}
    below = descendants(seed, moved["_id"])
    # when an HR admin removes their manager
    data = await server.client("hr_admin").data(CHANGE_MANAGER, {"employeeId": moved["_id"], "managerId": None})
    # then they are at the top, and their subtree's chains start with them
    assert data["changeManager"]["errors"] == []
    assert (data["changeManager"]["employee"]["manager"], data["changeManager"]["employee"]["reportingChain"]) == (
        None, [])
    after = await server.stored_employees()
    assert (after[moved["_id"]]["managerId"], after[moved["_id"]]["managerChain"]) == (None, [])
    cut = len(moved["managerChain"])
    for doc in below:
        assert after[doc["_id"]]["managerChain"] == doc["managerChain"][cut:]
    assert_chains_consistent(after)


async def test_change_manager_of_the_signed_in_admin_shows_the_state_after_the_write(server: RunningServer) -> None:
    # given the HR admin (who reports to the CEO) and another level-2 leader
    admin = persona(server, "hr_admin")
    new_manager = seed_employee(server, persona(server, "manager")["managerId"])
    # when the admin moves themselves under that leader
    data = await server.client("hr_admin").data(CHANGE_MANAGER, {"employeeId": admin["_id"],
                                                                 "managerId": new_manager["_id"]})
    # then the payload's nested fields read the new state, not the one cached at sign-in
    employee = data["changeManager"]["employee"]
    assert employee["manager"] == {"id": new_manager["_id"]}
    assert employee["reportingChain"] == [{"id": new_manager["_id"]}, {"id": admin["managerId"]}]


async def test_change_manager_again_after_an_interrupted_move_completes_it(server: RunningServer) -> None:
    # given a move that stopped after managerId and the person's own chain were written (descendants stale)
    moved = persona(server, "manager")
    new_manager = persona(server, "hr_admin")
    await server.database.employees.update_one(
        {"_id": moved["_id"]}, {"$set": {"managerId": new_manager["_id"], "managerChain": chain_of(new_manager)}})
    # when the same change is sent again
    data = await server.client("hr_admin").data(CHANGE_MANAGER, {"employeeId": moved["_id"],
                                                                 "managerId": new_manager["_id"]})
    # then every chain is consistent again
    assert data["changeManager"]["errors"] == []
    assert_chains_consistent(await server.stored_employees())


def _cycle_cases(server: RunningServer) -> dict[str, tuple[str, str]]:
    """Case name → (employee id, proposed manager id), each making a cycle."""
    manager = persona(server, "manager")
    ceo = next(e for e in server.demo.employees if e["managerId"] is None)
    return {
        "self": (manager["_id"], manager["_id"]),
        "direct report": (manager["_id"], persona(server, "employee")["managerChain"][-1]),
        "indirect report": (manager["_id"], persona(server, "employee")["_id"]),
        "ceo under an individual contributor": (ceo["_id"], persona(server, "employee")["_id"]),
    }


@pytest.mark.parametrize("case", ["self", "direct report", "indirect report", "ceo under an individual contributor"])
async def test_change_manager_refuses_cycles(server: RunningServer, case: str) -> None:
    # given someone and a proposed manager at or below them
    employee_id, manager_id = _cycle_cases(server)[case]
    seed = {e["_id"]: e for e in server.demo.employees}
    assert manager_id == employee_id or employee_id in seed[manager_id]["managerChain"]
    before = await server.snapshot()
    # when an HR admin tries the change
    data = await server.client("hr_admin").data(CHANGE_MANAGER, {"employeeId": employee_id, "managerId": manager_id})
    # then it is refused as a cycle and nothing changed
    name = seed[employee_id]["name"]
    assert data["changeManager"] == {"employee": None, "errors": [
        error("managerId", "CYCLE", f"{name} would become their own (indirect) manager")]}
    assert await server.snapshot() == before


async def test_change_manager_refuses_a_cycle_hidden_by_a_stale_chain(server: RunningServer) -> None:
    # given an interrupted move left the employee persona's chain empty, though managerId still says
    # they report (indirectly) to the manager persona
    manager, employee = persona(server, "manager"), persona(server, "employee")
    await server.database.employees.update_one({"_id": employee["_id"]}, {"$set": {"managerChain": []}})
    before = await server.snapshot()
    # when HR puts the manager under that employee
    data = await server.client("hr_admin").data(CHANGE_MANAGER,
                                                {"employeeId": manager["_id"], "managerId": employee["_id"]})
    # then the parent links themselves reveal the cycle, and nothing changed
    assert data["changeManager"] == {"employee": None, "errors": [
        error("managerId", "CYCLE", f"{manager['name']} would become their own (indirect) manager")]}
    assert await server.snapshot() == before


def _change_manager_refusals(server: RunningServer) -> dict[str, tuple[str, str | None, list[dict[str, Any]]]]:
    target = persona(server, "employee")
    gone = terminated(server)
    globex = server.other.employees[0]["_id"]
    return {
        "unknown manager": (target["_id"], UNKNOWN_ID,
                            [error("managerId", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation")]),
        "other organisation's manager": (
            target["_id"], globex, [error("managerId", "NOT_FOUND", f"no employee {globex!r} in your organisation")]),
        "terminated manager": (target["_id"], gone["_id"],
                               [error("managerId", "INACTIVE", f"{gone['name']} has left the organisation")]),
        "terminated employee": (gone["_id"], target["managerId"],
                                [error("employeeId", "INACTIVE", f"{gone['name']} has left the organisation")]),
        "unknown employee": (UNKNOWN_ID, None,
                             [error("employeeId", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation")]),
    }


@pytest.mark.parametrize("case", ["unknown manager", "other organisation's manager", "terminated manager",
                                  "terminated employee", "unknown employee"])
async def test_change_manager_refusals_write_nothing(server: RunningServer, case: str) -> None:
    employee_id, manager_id, expected = _change_manager_refusals(server)[case]
    before = await server.snapshot()
    data = await server.client("hr_admin").data(CHANGE_MANAGER, {"employeeId": employee_id, "managerId": manager_id})
    assert data["changeManager"] == {"employee": None, "errors": expected}
    assert await server.snapshot() == before


# moveDepartment

async def test_move_department(server: RunningServer) -> None:
    # given an engineer in Product Engineering
    before = await server.stored_employees()
    target = before[server.demo.personas["employee"]]
    data_id = department_id(server, "Data")
    assert target["departmentId"] != data_id
    # when an HR admin moves them to Data
    data = await server.client("hr_admin").data(MOVE_DEPARTMENT, {"employeeId": target["_id"],
                                                                  "departmentId": data_id})
    # then the payload and the store say Data, and nothing else changed for anyone
    assert data["moveDepartment"] == {"employee": {"id": target["_id"], "department": {"id": data_id, "name": "Data"}},
                                      "errors": []}
    after = await server.stored_employees()
    assert {**after[target["_id"]], "updatedAt": None} == {**target, "departmentId": data_id, "updatedAt": None}
    assert {k: v for k, v in after.items() if k != target["_id"]} == {k: v for k, v in before.items()
                                                                      if k != target["_id"]}


@pytest.mark.parametrize("case", ["unknown department", "other organisation's department", "terminated employee"])
async def test_move_department_refusals_write_nothing(server: RunningServer, case: str) -> None:
    target, gone = persona(server, "employee"), terminated(server)
    globex_department = server.other.departments[0]["_id"]
    employee_id, department, expected = {
        "unknown department": (target["_id"], UNKNOWN_ID, [
            error("departmentId", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
        "other organisation's department": (target["_id"], globex_department, [
            error("departmentId", "NOT_FOUND", f"no department {globex_department!r} in your organisation")]),
        "terminated employee": (gone["_id"], department_id(server, "Data"), [
            error("employeeId", "INACTIVE", f"{gone['name']} has left the organisation")]),
    }[case]
    before = await server.snapshot()
    data = await server.client("hr_admin").data(MOVE_DEPARTMENT, {"employeeId": employee_id,
                                                                  "departmentId": department})
    assert data["moveDepartment"] == {"employee": None, "errors": expected}
    assert await server.snapshot() == before
