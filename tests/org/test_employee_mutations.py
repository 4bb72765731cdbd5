"""createEmployee and updateEmployee end to end: HR admins add people and change their details."""

from __future__ import annotations

from typing import Any

import pytest

from models.org.rules import chain_of
from tests.conftest import RunningServer
from tests.org.seed import UNKNOWN_ID
from tests.org.support import (
    CREATE_EMPLOYEE,
    EMPLOYEES_UNDER,
    HIRE_DATE,
    REPORTS,
    UPDATE_EMPLOYEE,
    department_id,
    error,
    new_employee_input,
    persona,
    position_id,
    seed_employee,
    terminated,
)

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
