"""Reporting lines under concurrency and failure: each change is one transaction, so two concurrent moves
never close a loop, no reader sees a chain that managerId no longer supports, and a change stopped
half-way leaves nothing behind.

Each test holds one mutation at a store call (tests/interleave.py) while another runs to completion."""

from __future__ import annotations

import asyncio
from typing import Any

from models.org.rules import chain_of
from tests.client import answer
from tests.conftest import RunningServer
from tests.interleave import failing_at, hold
from tests.org.support import (
    CHANGE_MANAGER,
    CREATE_EMPLOYEE,
    TERMINATE_EMPLOYEE,
    assert_chains_consistent,
    error,
    loops,
    new_employee_input,
    persona,
    seed_employee,
)

# what the old manager of a moved team reads of someone in it, and whom the team's head reports to
OLD_MANAGER_VIEW = """
query View($employeeId: ID!, $headId: ID!) {
  employee(id: $employeeId) { email }
  head: employee(id: $headId) { manager { id } }
}
"""


def move(server: RunningServer, employee_id: str, manager_id: str | None) -> Any:
    return server.client("hr_admin").data(CHANGE_MANAGER, {"employeeId": employee_id, "managerId": manager_id})


async def test_two_concurrent_moves_never_close_a_loop(server: RunningServer) -> None:
    # given two people neither of whom is below the other
    a, b = persona(server, "manager"), persona(server, "hr_admin")
    assert a["_id"] not in b["managerChain"] and b["_id"] not in a["managerChain"]
    # when A's move under B is held at its write, and B's move under A completes meanwhile
    async with hold(server.database, "employees", "update_one") as held:
        first = asyncio.create_task(move(server, a["_id"], b["_id"]))
        await held.reached.wait()
        second = await move(server, b["_id"], a["_id"])
    first_result = await first
    # then exactly one is accepted (the one that committed first) and the other is refused as a cycle
    assert second["changeManager"]["errors"] == []
    assert first_result["changeManager"] == {"employee": None, "errors": [
        error("managerId", "CYCLE", f"{a['name']} would become their own (indirect) manager")]}
    # and the stored managerId links hold no loop, with every chain derived from them
    stored = await server.stored_employees()
    assert (stored[b["_id"]]["managerId"], stored[a["_id"]]["managerId"]) == (a["_id"], a["managerId"])
    assert loops(stored, "managerId") == []
    assert_chains_consistent(stored)


async def test_the_old_manager_never_reads_a_moved_persons_personal_fields(server: RunningServer) -> None:
    # given the manager persona's team (the employee persona in it) and the manager's own manager
    head, member = persona(server, "manager"), persona(server, "employee")
    old_manager, new_manager = head["managerId"], persona(server, "hr_admin")["_id"]
    assert old_manager in member["managerChain"]
    view = {"employeeId": member["_id"], "headId": head["_id"]}
    # when the team's move under another leader is held at the rewrite of the chains below its head,
    # and the old manager reads meanwhile
    async with hold(server.database, "employees", "bulk_write") as held:
        moving = asyncio.create_task(move(server, head["_id"], new_manager))
        await held.reached.wait()
        during = await server.client(old_manager).execute(OLD_MANAGER_VIEW, view)
    assert (await moving)["changeManager"]["errors"] == []
    # then the read in between saw the state before the move whole: the head still under the old manager,
    # whose right to the member's email follows from that
    assert "errors" not in during
    assert during["data"] == {"employee": {"email": member["email"]}, "head": {"manager": {"id": old_manager}}}
    # and after the move the old manager may not read the member's email any more
    after = await server.client(old_manager).execute(OLD_MANAGER_VIEW, view)
    assert answer(after) == {"data": {"employee": {"email": None}, "head": {"manager": {"id": new_manager}}}}
    assert_chains_consistent(await server.stored_employees())


async def test_a_move_stopped_half_way_commits_nothing(server: RunningServer) -> None:
    # given the manager persona's team
    head, member = persona(server, "manager"), persona(server, "employee")
    old_manager = head["managerId"]
    before = await server.snapshot()
    # when the move fails at the rewrite of the chains below the head (after the head's own write)
    async with failing_at(server.database, "employees", "bulk_write"):
        body = await server.client("hr_admin").execute(
            CHANGE_MANAGER, {"employeeId": head["_id"], "managerId": persona(server, "hr_admin")["_id"]})
    assert body["data"] is None and body["errors"]
    # then nothing of it was committed: the head's managerId included, so no chain is stale
    assert await server.snapshot() == before
    view = await server.client(old_manager).data(OLD_MANAGER_VIEW, {"employeeId": member["_id"],
                                                                   "headId": head["_id"]})
    assert view == {"employee": {"email": member["email"]}, "head": {"manager": {"id": old_manager}}}


async def test_a_person_created_while_their_manager_moves_gets_the_managers_new_chain(
        server: RunningServer) -> None:
    # given a new person to be created under the employee persona's team lead
    lead = seed_employee(server, persona(server, "employee")["managerId"])
    new_manager = persona(server, "hr_admin")
    # when the creation is held at its insert, and the lead's manager moves under another leader meanwhile
    async with hold(server.database, "employees", "insert_one") as held:
        creating = asyncio.create_task(server.client("hr_admin").data(
            CREATE_EMPLOYEE, {"input": new_employee_input(server, managerId=lead["_id"])}))
        await held.reached.wait()
        assert (await move(server, lead["managerId"], new_manager["_id"]))["changeManager"]["errors"] == []
    created = (await creating)["createEmployee"]
    # then the new person's chain runs through the lead's manager's new place
    assert created["errors"] == []
    stored = await server.stored_employees()
    assert stored[created["employee"]["id"]]["managerChain"] == chain_of(stored[lead["_id"]])
    assert new_manager["_id"] in stored[created["employee"]["id"]]["managerChain"]
    assert_chains_consistent(stored)


async def test_two_concurrent_terminations_record_one(server: RunningServer) -> None:
    # given the manager persona and their direct reports
    leaver = persona(server, "manager")
    reports = sorted(e["_id"] for e in server.demo.employees
                     if e["managerId"] == leaver["_id"] and e["status"] != "terminated")
    terminate = {"employeeId": leaver["_id"], "note": "restructuring"}
    # when one termination is held at its first write, and a second one completes meanwhile
    async with hold(server.database, "employees", "update_one") as held:
        first = asyncio.create_task(server.client("hr_admin").data(TERMINATE_EMPLOYEE, terminate))
        await held.reached.wait()
        second = await server.client("hr_admin").data(TERMINATE_EMPLOYEE, terminate)
    first_result = await first
    # then both succeed, the reports move once (by the one that committed first), and one entry is recorded
    assert first_result["terminateEmployee"]["errors"] == second["terminateEmployee"]["errors"] == []
    assert sorted(r["id"] for r in second["terminateEmployee"]["movedReports"]) == reports
    assert first_result["terminateEmployee"]["movedReports"] == []
    stored = await server.stored_employees()
    assert [h["status"] for h in stored[leaver["_id"]]["statusHistory"]] == ["active", "terminated"]
    assert all(stored[id]["managerId"] == leaver["managerId"] for id in reports)
    assert_chains_consistent(stored)
