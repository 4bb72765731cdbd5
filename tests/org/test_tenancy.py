"""Organisations are kept apart: a Globex token neither sees nor changes anything of Northwind,
whatever Northwind ids it sends."""

from __future__ import annotations

from models.core.documents import Document
from models.demo.org import DemoOrganization
from tests.client import answer
from tests.conftest import RunningServer
from tests.org.seed import ceo, not_terminated, persona

EMPLOYEE = "query Employee($id: ID!) { employee(id: $id) { id name manager { id } } }"
EMPLOYEES = """
query Employees($first: Int!, $filter: EmployeeFilter) {
  employees(first: $first, filter: $filter) { totalCount pageInfo { hasNextPage } edges { node { id name } } }
}
"""
ORG_CHART = "query Chart($rootId: ID) { orgChart(rootId: $rootId, depth: 2) { employee { id name } } }"
REPORTING_CHAIN = "query Chain($id: ID!) { reportingChain(employeeId: $id) { id name } }"
CHANGE_MANAGER = """
mutation ChangeManager($employeeId: ID!, $managerId: ID) {
  changeManager(employeeId: $employeeId, managerId: $managerId) {
    employee { id name }
    errors { field code }
  }
}
"""
UPDATE_EMPLOYEE = """
mutation UpdateEmployee($id: ID!, $input: UpdateEmployeeInput!) {
  updateEmployee(id: $id, input: $input) {
    employee { id name }
    errors { field code }
  }
}
"""


def only_in(org: DemoOrganization, other: DemoOrganization) -> list[str]:
    """Names and emails of ``org`` that ``other`` does not also use (common names prove nothing)."""
    theirs = {value for e in other.employees for value in (e["name"], e["email"])}
    return sorted({value for e in org.employees for value in (e["name"], e["email"])} - theirs)


async def test_employee_of_another_organisation_is_null(server: RunningServer) -> None:
    # given a Globex employee and a Northwind id
    client = server.client("employee", server.other)
    northwind = persona(server.demo, "manager")
    own = persona(server.other, "manager")
    # when they look both up
    theirs = await client.execute(EMPLOYEE, {"id": northwind["_id"]})
    mine = await client.data(EMPLOYEE, {"id": own["_id"]})
    # then the Northwind person does not exist for them, their colleague does
    assert answer(theirs) == {"data": {"employee": None}}
    assert mine == {"employee": {"id": own["_id"], "name": own["name"], "manager": {"id": own["managerId"]}}}


async def test_employees_lists_only_the_own_organisation(server: RunningServer) -> None:
    # given a Globex employee
    client = server.client("employee", server.other)
    # when they list everyone, and filter by a Northwind manager or search a Northwind-only name
    everyone = (await client.data(EMPLOYEES, {"first": 100}))["employees"]
    by_manager = (await client.data(EMPLOYEES, {"first": 100,
                                                "filter": {"managerId": persona(server.demo, "manager")["_id"]}}))
    northwind_name = next(n for n in only_in(server.demo, server.other) if "@" not in n)
    by_name = await client.data(EMPLOYEES, {"first": 100, "filter": {"search": northwind_name}})
    # then only Globex people come back, all of them, and the Northwind filters select nobody
    expected = not_terminated(server.other)
    assert everyone == {"totalCount": len(expected), "pageInfo": {"hasNextPage": False},
                        "edges": [{"node": {"id": e["_id"], "name": e["name"]}} for e in expected]}
    empty = {"totalCount": 0, "pageInfo": {"hasNextPage": False}, "edges": []}
    assert by_manager == {"employees": empty}
    assert by_name == {"employees": empty}


async def test_org_chart_rooted_in_another_organisation_is_null(server: RunningServer) -> None:
    # given a Globex employee
    client = server.client("employee", server.other)
    # when they ask for the chart below the Northwind CEO, and for their own default chart
    theirs = await client.execute(ORG_CHART, {"rootId": ceo(server.demo)["_id"]})
    mine = await client.data(ORG_CHART)
    # then the Northwind chart is null and their own starts at the Globex CEO
    assert answer(theirs) == {"data": {"orgChart": None}}
    top = ceo(server.other)
    assert mine == {"orgChart": {"employee": {"id": top["_id"], "name": top["name"]}}}


async def test_reporting_chain_of_another_organisation_leaks_nothing(server: RunningServer) -> None:
    # given a Globex employee and a deep Northwind employee (four managers above)
    client = server.client("employee", server.other)
    target = persona(server.demo, "employee")
    assert len(target["managerChain"]) == 4
    # when they ask for that person's reporting chain
    response = await client.post(REPORTING_CHAIN, {"id": target["_id"]})
    # then it is an error, and no Northwind name or email appears anywhere in the response
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"reportingChain": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    leaked = [value for value in only_in(server.demo, server.other) if value in response.text]
    assert leaked == []


async def test_northwind_sees_nothing_of_globex(server: RunningServer) -> None:
    # given a Northwind HR admin (who may see everything of their own organisation)
    client = server.client("hr_admin")
    globex = persona(server.other, "employee")
    # when they read a Globex person and list everyone
    employee = await client.execute(EMPLOYEE, {"id": globex["_id"]})
    everyone = (await client.data(EMPLOYEES, {"first": 100}))["employees"]
    # then the Globex person is not found and nobody of Globex is listed
    assert answer(employee) == {"data": {"employee": None}}
    globex_ids = {e["_id"] for e in server.other.employees}
    assert everyone["totalCount"] == len(not_terminated(server.demo))
    assert not globex_ids & {edge["node"]["id"] for edge in everyone["edges"]}


async def stored(server: RunningServer, id: str) -> Document | None:
    return await server.database.employees.find_one({"_id": id})


async def test_globex_hr_admin_cannot_change_a_northwind_employee(server: RunningServer) -> None:
    # given a Globex HR admin (the role is stored on them and in their token) and Northwind people
    admin = persona(server.other, "hr_admin")
    assert "hr_admin" in admin["roles"]
    client = server.client("hr_admin", server.other)
    target, northwind_manager = persona(server.demo, "employee"), persona(server.demo, "manager")
    globex_employee = persona(server.other, "employee")
    before = {id: await stored(server, id) for id in (target["_id"], globex_employee["_id"])}
    northwind_org = await server.database.organizations.find_one({"_id": server.demo.organization["_id"]})
    # when they try to move the Northwind employee under a Globex manager, rename them,
    # and put a Globex employee under a Northwind manager
    moved = await client.data(CHANGE_MANAGER, {"employeeId": target["_id"], "managerId": admin["_id"]})
    renamed = await client.data(UPDATE_EMPLOYEE, {"id": target["_id"], "input": {"name": "Taken Over"}})
    adopted = await client.data(CHANGE_MANAGER, {"employeeId": globex_employee["_id"],
                                                 "managerId": northwind_manager["_id"]})
    # then each is refused as NOT_FOUND, and nothing changed in either organisation
    assert moved == {"changeManager": {"employee": None, "errors": [{"field": "employeeId", "code": "NOT_FOUND"}]}}
    assert renamed == {"updateEmployee": {"employee": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}}
    assert adopted == {"changeManager": {"employee": None, "errors": [{"field": "managerId", "code": "NOT_FOUND"}]}}
    assert {id: await stored(server, id) for id in before} == before
    assert before[target["_id"]] is not None
    assert (before[target["_id"]]["name"], before[target["_id"]]["managerId"]) == (target["name"], target["managerId"])
    assert await server.database.organizations.find_one({"_id": server.demo.organization["_id"]}) == northwind_org


async def test_globex_hr_admin_can_change_a_globex_employee(server: RunningServer) -> None:
    # given the same Globex HR admin (the control for the refusals above: the role itself works)
    client = server.client("hr_admin", server.other)
    target = persona(server.other, "employee")
    # when they rename one of their own
    data = await client.data(UPDATE_EMPLOYEE, {"id": target["_id"], "input": {"name": "Renamed Person"}})
    # then it succeeds and is stored
    assert data == {"updateEmployee": {"employee": {"id": target["_id"], "name": "Renamed Person"}, "errors": []}}
    document = await stored(server, target["_id"])
    assert document is not None and document["name"] == "Renamed Person"
