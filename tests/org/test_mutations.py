"""Organisation mutations end to end: HR admins create and change people, departments and positions.

Every refused write is checked twice: the payload names the field, code and message, and the store
(all collections, the organisation's change counter included) is exactly as it was before.
"""

from __future__ import annotations

from typing import Any

import pytest

from models.org.rules import chain_of, rebuild_chains
from tests.client import refused_codes
from tests.conftest import RunningServer

Document = dict[str, Any]

PERSON = """
fragment Person on Employee {
  id name email status hireDate roles
  manager { id }
  department { id }
  position { id }
  reportingChain { id }
  statusHistory { status note by { id } }
}
"""
CREATE_EMPLOYEE = """
mutation Create($input: CreateEmployeeInput!) {
  createEmployee(input: $input) { employee { ...Person } errors { field code message } }
}
""" + PERSON
UPDATE_EMPLOYEE = """
mutation Update($id: ID!, $input: UpdateEmployeeInput!) {
  updateEmployee(id: $id, input: $input) { employee { ...Person } errors { field code message } }
}
""" + PERSON
CHANGE_MANAGER = """
mutation ChangeManager($employeeId: ID!, $managerId: ID) {
  changeManager(employeeId: $employeeId, managerId: $managerId) {
    employee { ...Person } errors { field code message }
  }
}
""" + PERSON
MOVE_DEPARTMENT = """
mutation Move($employeeId: ID!, $departmentId: ID!) {
  moveDepartment(employeeId: $employeeId, departmentId: $departmentId) {
    employee { id department { id name } } errors { field code message }
  }
}
"""
TERMINATE_EMPLOYEE = """
mutation Terminate($employeeId: ID!, $note: String) {
  terminateEmployee(employeeId: $employeeId, note: $note) {
    employee { id status } movedReports { id } errors { field code message }
  }
}
"""
SAVE_DEPARTMENT = """
mutation SaveDepartment($id: ID, $input: DepartmentInput!) {
  saveDepartment(id: $id, input: $input) {
    department { id name parent { id } head { id } children { id } }
    errors { field code message }
  }
}
"""
SAVE_POSITION = """
mutation SavePosition($id: ID, $input: PositionInput!) {
  savePosition(id: $id, input: $input) {
    position { id title description responsibilities level department { id } }
    errors { field code message }
  }
}
"""
REPORTS = "query Reports($id: ID!) { employee(id: $id) { reports { id } } }"
EMPLOYEES_UNDER = """
query Under($managerId: ID!) { employees(filter: {managerId: $managerId}, first: 100) { edges { node { id } } } }
"""
DEPARTMENTS = "{ departments { id name parent { id } children { id } } }"
POSITIONS = "{ positions { id title description responsibilities level department { id } } }"

UNKNOWN_ID = "0" * 24
HIRE_DATE = "2024-03-04"


# helpers



def seed_employee(server: RunningServer, id: str) -> Document:
    return next(e for e in server.demo.employees if e["_id"] == id)


def department_id(server: RunningServer, name: str) -> str:
    return next(d["_id"] for d in server.demo.departments if d["name"] == name)


def position_id(server: RunningServer, title: str) -> str:
    return next(p["_id"] for p in server.demo.positions if p["title"] == title)


def error(field: str | None, code: str, message: str) -> dict[str, Any]:
    return {"field": field, "code": code, "message": message}


def terminated(server: RunningServer) -> Document:
    """A seeded employee who has already left."""
    return next(e for e in server.demo.employees if e["status"] == "terminated")


def persona(server: RunningServer, name: str) -> Document:
    return seed_employee(server, server.demo.personas[name])


def descendants(docs: dict[str, Document], root_id: str) -> list[Document]:
    return [d for d in docs.values() if root_id in d["managerChain"]]


def assert_chains_consistent(docs: dict[str, Document]) -> None:
    """Each managerChain is exactly what managerId implies, for everyone."""
    for doc in docs.values():
        manager = docs[doc["managerId"]] if doc["managerId"] else None
        assert doc["managerChain"] == chain_of(manager), doc["_id"]
    assert rebuild_chains(None, docs.values()) == {}


def new_employee_input(server: RunningServer, **overrides: Any) -> dict[str, Any]:
    lead = persona(server, "employee")["managerId"]
    return {"name": "Ada Lovelace", "email": "Ada.Lovelace@Northwind.Example", "hireDate": HIRE_DATE,
            "managerId": lead, "departmentId": department_id(server, "Platform"),
            "positionId": position_id(server, "Software Engineer"), **overrides}


# createEmployee

async def test_create_employee_under_a_manager(server: RunningServer) -> None:
    # given an HR admin and a team lead with reports
    admin = persona(server, "hr_admin")
    lead = seed_employee(server, persona(server, "employee")["managerId"])
    variables = {"input": new_employee_input(server, email="  Ada.Lovelace@Northwind.Example ")}
    # when they add a new engineer under the lead
    data = await server.client("hr_admin").data(CREATE_EMPLOYEE, variables)
    # then the payload shows the new person, with a lowercase email and the EMPLOYEE role
    payload = data["createEmployee"]
    assert payload["errors"] == []
    employee = payload["employee"]
    new_id = employee["id"]
    assert employee == {
        "id": new_id, "name": "Ada Lovelace", "email": "ada.lovelace@northwind.example", "status": "ACTIVE",
        "hireDate": HIRE_DATE, "roles": ["EMPLOYEE"], "manager": {"id": lead["_id"]},
        "department": {"id": department_id(server, "Platform")},
        "position": {"id": position_id(server, "Software Engineer")},
        "reportingChain": [{"id": i} for i in reversed(chain_of(lead))],
        "statusHistory": [{"status": "ACTIVE", "note": None, "by": {"id": admin["_id"]}}],
    }
    # and the stored document is complete, its chain derived from the manager's
    stored = await server.database.employees.find_one({"_id": new_id})
    assert {k: v for k, v in stored.items() if k not in {"createdAt", "updatedAt", "statusHistory"}} == {
        "_id": new_id, "organizationId": server.demo.organization["_id"], "name": "Ada Lovelace",
        "email": "ada.lovelace@northwind.example", "positionId": position_id(server, "Software Engineer"),
        "departmentId": department_id(server, "Platform"), "managerId": lead["_id"],
        "managerChain": chain_of(lead), "mentorId": None, "hireDate": HIRE_DATE, "status": "active",
        "roles": ["employee"],
    }
    assert stored["statusHistory"] == [{"status": "active", "at": stored["createdAt"], "byId": admin["_id"],
                                        "note": None}]
    assert stored["updatedAt"] == stored["createdAt"]
    # and the new person appears among the lead's reports and in the employees list
    reports = await server.client("hr_admin").data(REPORTS, {"id": lead["_id"]})
    expected_reports = {e["_id"] for e in server.demo.employees
                        if e["managerId"] == lead["_id"] and e["status"] != "terminated"} | {new_id}
    assert {r["id"] for r in reports["employee"]["reports"]} == expected_reports
    under = await server.client("hr_admin").data(EMPLOYEES_UNDER, {"managerId": lead["_id"]})
    assert {e["node"]["id"] for e in under["employees"]["edges"]} == expected_reports
    # and only one employee document was added
    assert len(await server.stored_employees()) == len(server.demo.employees) + 1


async def test_create_top_level_employee_without_references(server: RunningServer) -> None:
    # when an HR admin adds someone with only the required fields
    data = await server.client("hr_admin").data(
        CREATE_EMPLOYEE, {"input": {"name": "Solo", "email": "solo@northwind.example", "hireDate": HIRE_DATE}})
    # then they stand alone at the top with no chain
    employee = data["createEmployee"]["employee"]
    assert data["createEmployee"]["errors"] == []
    assert (employee["manager"], employee["department"], employee["position"], employee["reportingChain"]) == (
        None, None, None, [])
    stored = await server.database.employees.find_one({"_id": employee["id"]})
    assert (stored["managerId"], stored["managerChain"]) == (None, [])


@pytest.mark.parametrize(("roles", "expected"), [
    (None, ["EMPLOYEE"]),
    ([], ["EMPLOYEE"]),
    (["MANAGER"], ["EMPLOYEE", "MANAGER"]),
    (["HR_ADMIN", "EMPLOYEE", "MANAGER"], ["EMPLOYEE", "HR_ADMIN", "MANAGER"]),
])
async def test_create_employee_roles_always_include_employee(server: RunningServer, roles: list[str] | None,
                                                             expected: list[str]) -> None:
    # when an HR admin creates someone with the given roles
    data = await server.client("hr_admin").data(CREATE_EMPLOYEE, {"input": new_employee_input(server, roles=roles)})
    # then EMPLOYEE is always among them
    assert data["createEmployee"]["errors"] == []
    assert data["createEmployee"]["employee"]["roles"] == expected
    stored = await server.database.employees.find_one({"_id": data["createEmployee"]["employee"]["id"]})
    assert stored["roles"] == [r.lower() for r in expected]


async def test_create_employee_with_an_email_used_in_another_organisation(server: RunningServer) -> None:
    # given an email taken at Globex: emails are unique per organisation only
    email = server.other.employees[0]["email"]
    # when a Northwind HR admin uses it
    data = await server.client("hr_admin").data(CREATE_EMPLOYEE, {"input": new_employee_input(server, email=email)})
    # then the employee is created
    assert data["createEmployee"]["errors"] == []
    assert data["createEmployee"]["employee"]["email"] == email


async def test_create_employee_on_leave_records_that_status(server: RunningServer) -> None:
    data = await server.client("hr_admin").data(CREATE_EMPLOYEE,
                                                 {"input": new_employee_input(server, status="ON_LEAVE")})
    employee = data["createEmployee"]["employee"]
    assert employee["status"] == "ON_LEAVE"
    assert [h["status"] for h in employee["statusHistory"]] == ["ON_LEAVE"]


def _create_refusals(server: RunningServer) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Case name → (input overrides, expected errors)."""
    existing = persona(server, "manager")
    gone = terminated(server)
    globex = server.other.employees[0]
    return {
        "empty name": ({"name": ""}, [error("name", "REQUIRED", "name must not be empty")]),
        "blank name": ({"name": "   "}, [error("name", "REQUIRED", "name must not be empty")]),
        "long name": ({"name": "x" * 201}, [error("name", "TOO_LONG", "name is longer than 200 characters")]),
        "empty email": ({"email": ""}, [error("email", "REQUIRED", "email is required")]),
        "invalid email": ({"email": "ada-at-example"},
                          [error("email", "INVALID", "'ada-at-example' is not an email address")]),
        "duplicate email": ({"email": existing["email"].upper()},
                            [error("email", "DUPLICATE", f"{existing['email']} is already in use")]),
        "unknown manager": ({"managerId": UNKNOWN_ID},
                            [error("managerId", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation")]),
        "other organisation's manager": (
            {"managerId": globex["_id"]},
            [error("managerId", "NOT_FOUND", f"no employee {globex['_id']!r} in your organisation")]),
        "terminated manager": ({"managerId": gone["_id"]},
                               [error("managerId", "INACTIVE", f"{gone['name']} has left the organisation")]),
        "unknown mentor": ({"mentorId": UNKNOWN_ID},
                           [error("mentorId", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation")]),
        "unknown position": ({"positionId": UNKNOWN_ID},
                             [error("positionId", "NOT_FOUND", f"no position {UNKNOWN_ID!r} in your organisation")]),
        "other organisation's position": (
            {"positionId": server.other.positions[0]["_id"]},
            [error("positionId", "NOT_FOUND",
                   f"no position {server.other.positions[0]['_id']!r} in your organisation")]),
        "unknown department": (
            {"departmentId": UNKNOWN_ID},
            [error("departmentId", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
        "terminated status": ({"status": "TERMINATED"},
                              [error("status", "INVALID", "use terminateEmployee to terminate someone")]),
        "hire date too early": ({"hireDate": "1899-12-31"},
                                [error("hireDate", "INVALID", "hireDate must lie between 1900 and a year from now")]),
        "several problems": ({"name": "", "email": "nope", "managerId": UNKNOWN_ID}, [
            error("name", "REQUIRED", "name must not be empty"),
            error("email", "INVALID", "'nope' is not an email address"),
            error("managerId", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation"),
        ]),
    }


CREATE_REFUSALS = ["empty name", "blank name", "long name", "empty email", "invalid email", "duplicate email",
                   "unknown manager", "other organisation's manager", "terminated manager", "unknown mentor",
                   "unknown position", "other organisation's position", "unknown department",
                   "terminated status", "hire date too early", "several problems"]


@pytest.mark.parametrize("case", CREATE_REFUSALS)
async def test_create_employee_refusals_write_nothing(server: RunningServer, case: str) -> None:
    # given the store before, and an input with one kind of problem
    overrides, expected = _create_refusals(server)[case]
    before = await server.snapshot()
    # when an HR admin tries to create the employee
    data = await server.client("hr_admin").data(CREATE_EMPLOYEE, {"input": new_employee_input(server, **overrides)})
    # then the payload says why, and nothing was written
    assert data["createEmployee"] == {"employee": None, "errors": expected}
    assert await server.snapshot() == before


async def test_create_employee_without_email_is_a_graphql_error(server: RunningServer) -> None:
    # given an input that leaves out the required email
    before = await server.snapshot()
    variables = {"input": {"name": "No Mail", "hireDate": HIRE_DATE}}
    # when it is sent
    body = await server.client("hr_admin").execute(CREATE_EMPLOYEE, variables)
    # then GraphQL refuses the variables and nothing is written
    assert body.get("data") is None
    assert len(body["errors"]) == 1 and "email" in body["errors"][0]["message"]
    assert await server.snapshot() == before


# updateEmployee

async def test_update_employee_changes_only_the_fields_sent(server: RunningServer) -> None:
    # given an employee as stored
    target = (await server.stored_employees())[server.demo.personas["employee"]]
    # when an HR admin renames them and changes their email's case
    data = await server.client("hr_admin").data(
        UPDATE_EMPLOYEE, {"id": target["_id"], "input": {"name": "  Kavya Y. ", "email": target["email"].upper()}})
    # then the payload shows the new values
    assert data["updateEmployee"]["errors"] == []
    assert (data["updateEmployee"]["employee"]["name"], data["updateEmployee"]["employee"]["email"]) == (
        "Kavya Y.", target["email"])
    # and only name and updatedAt changed in the store
    stored = await server.database.employees.find_one({"_id": target["_id"]})
    assert stored["updatedAt"] > target["updatedAt"]
    assert {**stored, "updatedAt": None} == {**target, "name": "Kavya Y.", "updatedAt": None}


async def test_update_employee_status_appends_to_history(server: RunningServer) -> None:
    # given an active employee with one history entry
    target = (await server.stored_employees())[server.demo.personas["employee"]]
    admin = persona(server, "hr_admin")
    assert [h["status"] for h in target["statusHistory"]] == ["active"]
    # when an HR admin puts them on leave, then sends the same status again
    on_leave = {"id": target["_id"], "input": {"status": "ON_LEAVE"}}
    data = await server.client("hr_admin").data(UPDATE_EMPLOYEE, on_leave)
    again = await server.client("hr_admin").data(UPDATE_EMPLOYEE, on_leave)
    # then one entry was appended, by the admin, and the unchanged status appended nothing
    expected_history = [{"status": "ACTIVE", "note": None, "by": None},
                        {"status": "ON_LEAVE", "note": None, "by": {"id": admin["_id"]}}]
    assert data["updateEmployee"]["employee"]["status"] == "ON_LEAVE"
    assert data["updateEmployee"]["employee"]["statusHistory"] == expected_history
    assert again["updateEmployee"]["employee"]["statusHistory"] == expected_history
    stored = await server.database.employees.find_one({"_id": target["_id"]})
    assert stored["status"] == "on_leave"
    assert stored["statusHistory"][0] == target["statusHistory"][0]
    assert {k: v for k, v in stored["statusHistory"][1].items() if k != "at"} == {
        "status": "on_leave", "byId": admin["_id"], "note": None}


async def test_update_employee_roles_and_clearing_references(server: RunningServer) -> None:
    # given the manager persona, who has a mentor and a position
    target = persona(server, "manager")
    assert target["mentorId"] is not None
    # when an HR admin clears the mentor and position and sets roles to HR_ADMIN only
    data = await server.client("hr_admin").data(UPDATE_EMPLOYEE, {"id": target["_id"], "input": {
        "mentorId": None, "positionId": None, "roles": ["HR_ADMIN"]}})
    # then those change and EMPLOYEE is kept among the roles
    employee = data["updateEmployee"]["employee"]
    assert (employee["position"], employee["roles"]) == (None, ["EMPLOYEE", "HR_ADMIN"])
    stored = await server.database.employees.find_one({"_id": target["_id"]})
    assert (stored["mentorId"], stored["positionId"], stored["roles"]) == (None, None, ["employee", "hr_admin"])


def _update_refusals(server: RunningServer) -> dict[str, tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """Case name → (employee id, input, expected errors)."""
    target = persona(server, "employee")
    other = persona(server, "manager")
    gone = terminated(server)
    return {
        "duplicate email": (target["_id"], {"email": other["email"].title()},
                            [error("email", "DUPLICATE", f"{other['email']} is already in use")]),
        "invalid email": (target["_id"], {"email": "x@y"},
                          [error("email", "INVALID", "'x@y' is not an email address")]),
        "null email": (target["_id"], {"email": None}, [error("email", "REQUIRED", "email is required")]),
        "empty name": (target["_id"], {"name": " "}, [error("name", "REQUIRED", "name must not be empty")]),
        "null name": (target["_id"], {"name": None}, [error("name", "REQUIRED", "name is required")]),
        "null status": (target["_id"], {"status": None}, [error("status", "REQUIRED", "status must not be null")]),
        "terminated status": (target["_id"], {"status": "TERMINATED"},
                              [error("status", "INVALID", "use terminateEmployee to terminate someone")]),
        "own mentor": (target["_id"], {"mentorId": target["_id"]},
                       [error("mentorId", "INVALID", "nobody can mentor themselves")]),
        "terminated mentor": (target["_id"], {"mentorId": gone["_id"]},
                              [error("mentorId", "INACTIVE", f"{gone['name']} has left the organisation")]),
        "unknown position": (target["_id"], {"positionId": UNKNOWN_ID},
                             [error("positionId", "NOT_FOUND", f"no position {UNKNOWN_ID!r} in your organisation")]),
        "unknown employee": (UNKNOWN_ID, {"name": "X"},
                             [error("id", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation")]),
        "other organisation's employee": (
            server.other.employees[1]["_id"], {"name": "X"},
            [error("id", "NOT_FOUND", f"no employee {server.other.employees[1]['_id']!r} in your organisation")]),
        "terminated employee": (gone["_id"], {"name": "X"},
                                [error("id", "INACTIVE", f"{gone['name']} has left the organisation")]),
    }


UPDATE_REFUSALS = ["duplicate email", "invalid email", "null email", "empty name", "null name", "null status",
                   "terminated status", "own mentor", "terminated mentor", "unknown position", "unknown employee",
                   "other organisation's employee", "terminated employee"]


@pytest.mark.parametrize("case", UPDATE_REFUSALS)
async def test_update_employee_refusals_write_nothing(server: RunningServer, case: str) -> None:
    # given the store before
    id, input, expected = _update_refusals(server)[case]
    before = await server.snapshot()
    # when an HR admin sends an update with one problem
    data = await server.client("hr_admin").data(UPDATE_EMPLOYEE, {"id": id, "input": input})
    # then the payload says why and nothing changed
    assert data["updateEmployee"] == {"employee": None, "errors": expected}
    assert await server.snapshot() == before


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


# saveDepartment

async def test_save_department_creates_one(server: RunningServer) -> None:
    # given Engineering and an active head
    engineering = department_id(server, "Engineering")
    head = persona(server, "manager")
    # when an HR admin creates a Security department inside Engineering
    data = await server.client("hr_admin").data(SAVE_DEPARTMENT, {"input": {
        "name": "  Security ", "parentId": engineering, "headId": head["_id"]}})
    # then it exists with a trimmed name, its parent and head
    payload = data["saveDepartment"]
    assert payload["errors"] == []
    new_id = payload["department"]["id"]
    assert payload["department"] == {"id": new_id, "name": "Security", "parent": {"id": engineering},
                                     "head": {"id": head["_id"]}, "children": []}
    stored = await server.database.departments.find_one({"_id": new_id})
    assert stored == {"_id": new_id, "organizationId": server.demo.organization["_id"], "name": "Security",
                      "parentId": engineering, "headId": head["_id"], "cadence": "weekly"}
    # and it is listed, as a child of Engineering
    listed = {d["id"]: d for d in (await server.client("hr_admin").data(DEPARTMENTS))["departments"]}
    assert len(listed) == len(server.demo.departments) + 1
    assert {"id": new_id} in listed[engineering]["children"]


async def test_save_department_renames_one(server: RunningServer) -> None:
    # given the Sales department
    sales = next(d for d in server.demo.departments if d["name"] == "Sales")
    # when an HR admin renames it, sending only the name
    data = await server.client("hr_admin").data(SAVE_DEPARTMENT, {"id": sales["_id"], "input": {"name": "Revenue"}})
    # then only the name changed
    assert data["saveDepartment"]["errors"] == []
    assert data["saveDepartment"]["department"]["name"] == "Revenue"
    assert data["saveDepartment"]["department"]["parent"] == {"id": sales["parentId"]}
    assert await server.database.departments.find_one({"_id": sales["_id"]}) == {**sales, "name": "Revenue"}


async def test_save_department_moves_under_another_parent(server: RunningServer) -> None:
    data_dept = next(d for d in server.demo.departments if d["name"] == "Data")
    platform = department_id(server, "Platform")
    data = await server.client("hr_admin").data(SAVE_DEPARTMENT, {"id": data_dept["_id"],
                                                                  "input": {"parentId": platform}})
    assert data["saveDepartment"]["errors"] == []
    assert await server.database.departments.find_one({"_id": data_dept["_id"]}) == {**data_dept,
                                                                                     "parentId": platform}


def _department_refusals(server: RunningServer) -> dict[str, tuple[str | None, dict[str, Any], list[dict]]]:
    engineering = department_id(server, "Engineering")
    gone = terminated(server)
    return {
        "empty name on create": (None, {"name": ""}, [error("name", "REQUIRED", "name must not be empty")]),
        "no name on create": (None, {"parentId": engineering}, [error("name", "REQUIRED", "name is required")]),
        "blank rename": (engineering, {"name": "  "}, [error("name", "REQUIRED", "name must not be empty")]),
        "parent is itself": (engineering, {"parentId": engineering},
                             [error("parentId", "CYCLE", "a department cannot sit inside itself")]),
        "parent is a child": (engineering, {"parentId": department_id(server, "Platform")},
                              [error("parentId", "CYCLE", "a department cannot sit inside itself")]),
        "parent is a grandchild": (department_id(server, "Executive"), {"parentId": department_id(server, "Data")},
                                   [error("parentId", "CYCLE", "a department cannot sit inside itself")]),
        "unknown parent": (None, {"name": "X", "parentId": UNKNOWN_ID},
                           [error("parentId", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
        "terminated head": (engineering, {"headId": gone["_id"]},
                            [error("headId", "INACTIVE", f"{gone['name']} has left the organisation")]),
        "unknown department": (UNKNOWN_ID, {"name": "X"},
                               [error("id", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
    }


@pytest.mark.parametrize("case", ["empty name on create", "no name on create", "blank rename", "parent is itself",
                                  "parent is a child", "parent is a grandchild", "unknown parent",
                                  "terminated head", "unknown department"])
async def test_save_department_refusals_write_nothing(server: RunningServer, case: str) -> None:
    # given the store before
    id, input, expected = _department_refusals(server)[case]
    before = await server.snapshot()
    # when an HR admin saves a department with one problem
    data = await server.client("hr_admin").data(SAVE_DEPARTMENT, {"id": id, "input": input})
    # then it is refused and nothing changed
    assert data["saveDepartment"] == {"department": None, "errors": expected}
    assert await server.snapshot() == before


# savePosition

async def test_save_position_creates_one(server: RunningServer) -> None:
    # when an HR admin creates a position with every field
    platform = department_id(server, "Platform")
    input = {"title": " Site Reliability Engineer ", "description": "Keeps production healthy.",
             "responsibilities": ["Run the on-call rotation", "Own the SLOs"], "level": 3, "departmentId": platform}
    data = await server.client("hr_admin").data(SAVE_POSITION, {"input": input})
    # then it is stored and listed with a trimmed title
    payload = data["savePosition"]
    assert payload["errors"] == []
    new_id = payload["position"]["id"]
    expected = {"id": new_id, "title": "Site Reliability Engineer", "description": "Keeps production healthy.",
                "responsibilities": ["Run the on-call rotation", "Own the SLOs"], "level": 3,
                "department": {"id": platform}}
    assert payload["position"] == expected
    assert await server.database.positions.find_one({"_id": new_id}) == {
        "_id": new_id, "organizationId": server.demo.organization["_id"], "title": "Site Reliability Engineer",
        "description": "Keeps production healthy.", "responsibilities": ["Run the on-call rotation", "Own the SLOs"],
        "level": 3, "departmentId": platform}
    listed = (await server.client("hr_admin").data(POSITIONS))["positions"]
    assert expected in listed and len(listed) == len(server.demo.positions) + 1


async def test_save_position_with_only_a_title_takes_defaults(server: RunningServer) -> None:
    data = await server.client("hr_admin").data(SAVE_POSITION, {"input": {"title": "Intern"}})
    position = data["savePosition"]["position"]
    assert position == {"id": position["id"], "title": "Intern", "description": "", "responsibilities": [],
                        "level": 1, "department": None}


async def test_save_position_updates_only_the_fields_sent(server: RunningServer) -> None:
    # given a seeded position
    position = next(p for p in server.demo.positions if p["title"] == "Tech Lead")
    # when an HR admin changes its level only
    data = await server.client("hr_admin").data(SAVE_POSITION, {"id": position["_id"], "input": {"level": 5}})
    # then only the level changed
    assert data["savePosition"]["errors"] == []
    assert data["savePosition"]["position"]["level"] == 5
    assert data["savePosition"]["position"]["title"] == "Tech Lead"
    assert await server.database.positions.find_one({"_id": position["_id"]}) == {**position, "level": 5}


def _position_refusals(server: RunningServer) -> dict[str, tuple[str | None, dict[str, Any], list[dict]]]:
    tech_lead = position_id(server, "Tech Lead")
    return {
        "level zero": (None, {"title": "X", "level": 0}, [error("level", "INVALID", "level must be 1–10")]),
        "level eleven": (tech_lead, {"level": 11}, [error("level", "INVALID", "level must be 1–10")]),
        "null level": (tech_lead, {"level": None}, [error("level", "INVALID", "level must be 1–10")]),
        "empty title": (None, {"title": ""}, [error("title", "REQUIRED", "title must not be empty")]),
        "missing title": (None, {"level": 2}, [error("title", "REQUIRED", "title is required")]),
        "blank title on update": (tech_lead, {"title": "  "}, [error("title", "REQUIRED", "title must not be empty")]),
        "blank responsibility": (tech_lead, {"responsibilities": ["Lead", " "]}, [
            error("responsibilities", "INVALID", "each responsibility must have 1 to 500 characters")]),
        "long description": (tech_lead, {"description": "x" * 5001},
                             [error("description", "TOO_LONG", "description is longer than 5000 characters")]),
        "null description": (tech_lead, {"description": None},
                             [error("description", "REQUIRED", "description must not be null")]),
        "null responsibilities": (tech_lead, {"responsibilities": None},
                                  [error("responsibilities", "REQUIRED", "responsibilities must not be null")]),
        "unknown department": (None, {"title": "X", "departmentId": UNKNOWN_ID}, [
            error("departmentId", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
        "unknown position": (UNKNOWN_ID, {"level": 2},
                             [error("id", "NOT_FOUND", f"no position {UNKNOWN_ID!r} in your organisation")]),
    }


@pytest.mark.parametrize("case", ["level zero", "level eleven", "null level", "empty title", "missing title",
                                  "blank title on update", "blank responsibility", "long description",
                                  "null description", "null responsibilities", "unknown department",
                                  "unknown position"])
async def test_save_position_refusals_write_nothing(server: RunningServer, case: str) -> None:
    # given the store before
    id, input, expected = _position_refusals(server)[case]
    before = await server.snapshot()
    # when an HR admin saves a position with one problem
    data = await server.client("hr_admin").data(SAVE_POSITION, {"id": id, "input": input})
    # then it is refused and nothing changed
    assert data["savePosition"] == {"position": None, "errors": expected}
    assert await server.snapshot() == before


# permissions

def _every_mutation(server: RunningServer) -> dict[str, tuple[str, dict[str, Any]]]:
    """Mutation field → (document, variables that an HR admin could run successfully)."""
    employee = persona(server, "employee")
    manager = persona(server, "manager")
    return {
        "createEmployee": (CREATE_EMPLOYEE, {"input": new_employee_input(server)}),
        "updateEmployee": (UPDATE_EMPLOYEE, {"id": employee["_id"], "input": {"name": "Renamed"}}),
        "changeManager": (CHANGE_MANAGER, {"employeeId": employee["_id"], "managerId": manager["_id"]}),
        "moveDepartment": (MOVE_DEPARTMENT, {"employeeId": employee["_id"],
                                             "departmentId": department_id(server, "Data")}),
        "terminateEmployee": (TERMINATE_EMPLOYEE, {"employeeId": employee["_id"], "note": "Bye"}),
        "saveDepartment": (SAVE_DEPARTMENT, {"id": None, "input": {"name": "Security"}}),
        "savePosition": (SAVE_POSITION, {"id": None, "input": {"title": "Intern"}}),
    }


MUTATIONS = ["createEmployee", "updateEmployee", "changeManager", "moveDepartment", "terminateEmployee",
             "saveDepartment", "savePosition"]


@pytest.mark.parametrize("who", ["employee", "manager"])
@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_mutations_are_forbidden_below_hr_admin(server: RunningServer, who: str, mutation: str) -> None:
    # given a signed-in employee or manager and the store before
    query, variables = _every_mutation(server)[mutation]
    before = await server.snapshot()
    # when they run the mutation
    body = await server.client(who).execute(query, variables)
    # then its payload answers FORBIDDEN and nothing changed
    assert refused_codes(body) == ["FORBIDDEN"]
    assert await server.snapshot() == before


async def test_hr_role_in_token_without_hr_role_on_record_is_forbidden(server: RunningServer) -> None:
    # given a token claiming HR_ADMIN for someone whose record does not have it
    employee = persona(server, "employee")
    client = server.client()
    client.token = server.token("employee", roles=["employee", "hr_admin"])
    before = await server.snapshot()
    # when they try to rename themselves
    body = await client.execute(UPDATE_EMPLOYEE, {"id": employee["_id"], "input": {"name": "Boss"}})
    # then it is forbidden
    assert refused_codes(body) == ["FORBIDDEN"]
    assert await server.snapshot() == before


@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_mutations_without_token_are_unauthenticated(server: RunningServer, mutation: str) -> None:
    query, variables = _every_mutation(server)[mutation]
    before = await server.snapshot()
    body = await server.client().execute(query, variables)
    assert body["data"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [([mutation], "UNAUTHENTICATED")]
    assert await server.snapshot() == before


@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_every_mutation_succeeds_for_an_hr_admin(server: RunningServer, mutation: str) -> None:
    # the permission cases above use inputs that an HR admin may run: prove it
    query, variables = _every_mutation(server)[mutation]
    data = await server.client("hr_admin").data(query, variables)
    assert data[mutation]["errors"] == []
