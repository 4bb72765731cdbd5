"""Organisation mutations are for HR admins only: the role on record, not the token's claim."""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import refused_codes
from tests.conftest import RunningServer
from tests.org.support import (
    CHANGE_MANAGER,
    CREATE_EMPLOYEE,
    MOVE_DEPARTMENT,
    SAVE_DEPARTMENT,
    SAVE_POSITION,
    TERMINATE_EMPLOYEE,
    UPDATE_EMPLOYEE,
    department_id,
    new_employee_input,
    persona,
)


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
