"""Org mutations check what they read inside their own transaction: a change checked against someone who
leaves, or against links that another change alters, before it writes is checked again and refused.

Each test holds one mutation at its first write (tests/interleave.py) while another runs to completion."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from models.core.documents import Document
from tests.conftest import RunningServer
from tests.interleave import hold
from tests.org.support import (
    CHANGE_MANAGER,
    CREATE_EMPLOYEE,
    MOVE_DEPARTMENT,
    SAVE_DEPARTMENT,
    TERMINATE_EMPLOYEE,
    UPDATE_EMPLOYEE,
    department_id,
    error,
    loops,
    new_employee_input,
    persona,
)

Case = tuple[str, Callable[[RunningServer], dict[str, Any]], tuple[str, str], str, str]

# name → (mutation, its variables, the store call it is held at, who leaves meanwhile, the field naming them)
LEAVER_CASES: dict[str, Case] = {
    "the new manager": (CHANGE_MANAGER, lambda s: {"employeeId": persona(s, "employee")["_id"],
                                                   "managerId": persona(s, "manager")["_id"]},
                        ("employees", "update_one"), "manager", "managerId"),
    "the person moved": (CHANGE_MANAGER, lambda s: {"employeeId": persona(s, "employee")["_id"],
                                                    "managerId": persona(s, "hr_admin")["_id"]},
                         ("employees", "update_one"), "employee", "employeeId"),
    "the new person's manager": (CREATE_EMPLOYEE, lambda s: {"input": new_employee_input(
        s, managerId=persona(s, "manager")["_id"])}, ("employees", "insert_one"), "manager", "managerId"),
    "the new person's mentor": (CREATE_EMPLOYEE, lambda s: {"input": new_employee_input(
        s, mentorId=persona(s, "manager")["_id"])}, ("employees", "insert_one"), "manager", "mentorId"),
    "the person updated": (UPDATE_EMPLOYEE, lambda s: {"id": persona(s, "employee")["_id"],
                                                       "input": {"status": "ON_LEAVE"}},
                           ("employees", "update_one"), "employee", "id"),
    "the mentor set": (UPDATE_EMPLOYEE, lambda s: {"id": persona(s, "employee")["_id"],
                                                   "input": {"mentorId": persona(s, "manager")["_id"]}},
                       ("employees", "update_one"), "manager", "mentorId"),
    "the person moved to another department": (
        MOVE_DEPARTMENT, lambda s: {"employeeId": persona(s, "employee")["_id"],
                                    "departmentId": department_id(s, "Data")},
        ("employees", "update_one"), "employee", "employeeId"),
    "the department's new head": (SAVE_DEPARTMENT, lambda s: {"id": department_id(s, "Data"),
                                                              "input": {"headId": persona(s, "manager")["_id"]}},
                                  ("departments", "update_one"), "manager", "headId"),
}


def payload_of(data: dict[str, Any]) -> dict[str, Any]:
    [payload] = data.values()
    return payload


@pytest.mark.parametrize("case", list(LEAVER_CASES))
async def test_a_change_naming_someone_who_leaves_before_it_writes_is_refused(server: RunningServer,
                                                                              case: str) -> None:
    mutation, variables, (collection, method), leaver_persona, field = LEAVER_CASES[case]
    leaver = persona(server, leaver_persona)
    admin = server.client("hr_admin")
    # when the change is held at its write (its checks passed), and the person it names is terminated meanwhile
    async with hold(server.database, collection, method) as held:
        change = asyncio.create_task(admin.data(mutation, variables(server)))
        await held.reached.wait()
        terminated = await admin.data(TERMINATE_EMPLOYEE, {"employeeId": leaver["_id"]})
        assert terminated["terminateEmployee"]["errors"] == []
        after_termination = await server.snapshot()
    payload = payload_of(await change)
    # then the change, checked again, is refused for the leaver, and it wrote nothing
    assert payload["errors"] == [error(field, "INACTIVE", f"{leaver['name']} has left the organisation")]
    assert [value for key, value in payload.items() if key != "errors"] == [None]
    assert await server.snapshot() == after_termination


def unrelated_departments(server: RunningServer) -> tuple[Document, Document]:
    """Two departments neither of which sits inside the other."""
    by_id = {d["_id"]: d for d in server.demo.departments}

    def above(id: str) -> set[str]:
        parents = set()
        while (id := by_id[id].get("parentId")) is not None:
            parents.add(id)
        return parents

    return next((a, b) for a in by_id.values() for b in by_id.values()
                if a["_id"] != b["_id"] and a["_id"] not in above(b["_id"]) and b["_id"] not in above(a["_id"]))


async def test_two_concurrent_department_moves_never_close_a_loop(server: RunningServer) -> None:
    # given two departments neither of which sits inside the other
    a, b = unrelated_departments(server)
    admin = server.client("hr_admin")
    # when A's move into B is held at its write, and B's move into A completes meanwhile
    async with hold(server.database, "departments", "update_one") as held:
        first = asyncio.create_task(admin.data(SAVE_DEPARTMENT, {"id": a["_id"], "input": {"parentId": b["_id"]}}))
        await held.reached.wait()
        second = await admin.data(SAVE_DEPARTMENT, {"id": b["_id"], "input": {"parentId": a["_id"]}})
    first_result = await first
    # then the second is accepted and the first, checked again, refused as a cycle
    assert second["saveDepartment"]["errors"] == []
    assert first_result["saveDepartment"] == {"department": None, "errors": [
        error("parentId", "CYCLE", "a department cannot sit inside itself")]}
    # and the stored parentId links hold no loop
    org_id = server.demo.organization["_id"]
    stored = {d["_id"]: d for d in await server.database.departments.find({"organizationId": org_id}).to_list(None)}
    assert loops(stored, "parentId") == []
    assert (stored[a["_id"]]["parentId"], stored[b["_id"]]["parentId"]) == (a.get("parentId"), a["_id"])


async def test_two_concurrent_status_changes_record_one(server: RunningServer) -> None:
    # given the employee persona, active
    target = persona(server, "employee")
    assert target["status"] == "active"
    on_leave = {"id": target["_id"], "input": {"status": "ON_LEAVE"}}
    admin = server.client("hr_admin")
    # when one change to on leave is held at its write, and the same change completes meanwhile
    async with hold(server.database, "employees", "update_one") as held:
        first = asyncio.create_task(admin.data(UPDATE_EMPLOYEE, on_leave))
        await held.reached.wait()
        second = await admin.data(UPDATE_EMPLOYEE, on_leave)
    first_result = await first
    # then both succeed, and the history records the change once
    assert first_result["updateEmployee"]["errors"] == second["updateEmployee"]["errors"] == []
    stored = (await server.stored_employees())[target["_id"]]
    assert stored["status"] == "on_leave"
    assert [h["status"] for h in stored["statusHistory"]] == [*(h["status"] for h in target["statusHistory"]),
                                                              "on_leave"]
