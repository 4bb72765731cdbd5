"""The compensation_admin role: HR admins do not hold it by default and cannot grant it (to themselves or
anyone) or withdraw it; a compensation admin who is also an HR admin can."""

from __future__ import annotations

from tests.client import GraphQLClient, refused
from tests.compensation.support import COMP_ADMIN, EMPLOYEE_PAY, PEOPLE, grant_compensation_admin
from tests.conftest import NORTHWIND, RunningServer

UPDATE = """
mutation($id: ID!, $roles: [Role!]) { updateEmployee(id: $id, input: {roles: $roles}) {
  employee { id roles } errors { field code message } } }"""
CREATE = """
mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { employee { id } errors { field code } } }"""
HR = NORTHWIND.personas["hr_admin"]


async def test_hr_admins_cannot_grant_or_withdraw_compensation_admin(server: RunningServer) -> None:
    # given an HR admin and an existing compensation admin
    await grant_compensation_admin(server)
    hr = server.client("hr_admin")
    before = await server.snapshot(("employees",))
    # when the HR admin grants themselves the role, withdraws it from the compensation admin, or hires one
    mine = await hr.execute(UPDATE, {"id": HR, "roles": ["HR_ADMIN", "COMPENSATION_ADMIN"]})
    theirs = await hr.execute(UPDATE, {"id": COMP_ADMIN, "roles": []})
    hired = await hr.execute(CREATE, {"input": {"name": "Pay Person", "email": "pay.person@northwind.example",
                                                "hireDate": "2026-01-05", "roles": ["COMPENSATION_ADMIN"]}})
    # then each is refused on roles and nothing changed
    for body in (mine, theirs, hired):
        assert [(f, c) for f, c, _ in refused(body)] == [("roles", "FORBIDDEN")]
    assert await server.snapshot(("employees",)) == before
    # and a token claiming the role without the store granting it reads no pay
    claimed = GraphQLClient(server.url, server.token("hr_admin", roles=["employee", "hr_admin", "compensation_admin"]))
    body = await claimed.execute(EMPLOYEE_PAY, {"id": COMP_ADMIN})
    assert body["data"]["employeePay"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_compensation_admin_who_is_hr_admin_grants_the_role(server: RunningServer) -> None:
    # given the HR admin also holding compensation_admin in the store
    await grant_compensation_admin(server, HR)
    both = GraphQLClient(server.url, server.token("hr_admin", roles=[*PEOPLE[HR]["roles"], "compensation_admin"]))
    # when they grant it to someone
    data = await both.data(UPDATE, {"id": COMP_ADMIN, "roles": ["COMPENSATION_ADMIN"]})
    # then it is granted
    assert data["updateEmployee"]["errors"] == []
    assert sorted(data["updateEmployee"]["employee"]["roles"]) == ["COMPENSATION_ADMIN", "EMPLOYEE"]
