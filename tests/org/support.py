"""The org mutation tests' documents and helpers: seeded people, departments and positions by name,
payload errors and the chain invariant.

Every refused write is checked twice: the payload names the field, code and message, and the store
(all collections, the organisation's change counter included) is exactly as it was before.
"""

from __future__ import annotations

from typing import Any

from models.core.documents import Document
from models.org.rules import chain_of, rebuild_chains
from tests.conftest import RunningServer

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

HIRE_DATE = "2024-03-04"


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


def loops(docs: dict[str, Document], parent_field: str) -> list[str]:
    """The ids from which following ``parent_field`` never reaches the top (a loop in the links)."""
    looping = []
    for id in docs:
        seen, current = set(), id
        while current is not None and current not in seen:
            seen.add(current)
            current = docs[current].get(parent_field) if current in docs else None
        if current is not None:
            looping.append(id)
    return looping


