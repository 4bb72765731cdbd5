"""Organisation types: Employee, Department, Position, the org chart and status history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models.org import Document, EmployeeStatus, OrgChange, Role
from resolvers import org
from resolvers.context import Context

EmployeeStatusEnum = strawberry.enum(EmployeeStatus, name="EmployeeStatus")
RoleEnum = strawberry.enum(Role, name="Role")


def utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@strawberry.type(description="A change of employment status, kept for the person's history.")
class StatusChange:
    status: EmployeeStatusEnum
    at: datetime
    note: str | None
    by_id: strawberry.Private[str | None]

    @strawberry.field
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return Employee.wrap(await org.load(info.context, "employee_by_id", self.by_id))


@strawberry.type(description="A person in the organisation.")
class Employee:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str
    status: EmployeeStatusEnum

    @classmethod
    def wrap(cls, doc: Document | None) -> Employee | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"], status=EmployeeStatus(doc["status"]))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[Employee]:
        return [cls(doc=d, id=strawberry.ID(d["_id"]), name=d["name"], status=EmployeeStatus(d["status"]))
                for d in docs]

    @strawberry.field(description="Personal: the person, their management chain and HR admins.")
    async def email(self, info: Info[Context, Any]) -> str | None:
        return await org.personal(info.context, self.doc, "email")

    @strawberry.field(description="Personal: the person, their management chain and HR admins.")
    async def hire_date(self, info: Info[Context, Any]) -> date | None:
        value = await org.personal(info.context, self.doc, "hireDate")
        return date.fromisoformat(value) if value else None

    @strawberry.field(description="Personal: the person, their management chain and HR admins.")
    async def status_history(self, info: Info[Context, Any]) -> list[StatusChange] | None:
        entries = await org.personal(info.context, self.doc, "statusHistory") or []
        return [StatusChange(status=EmployeeStatus(e["status"]), at=utc(e["at"]), note=e.get("note"),
                             by_id=e.get("byId")) for e in entries]

    @strawberry.field(description="Personal: the person, their management chain and HR admins.")
    async def roles(self, info: Info[Context, Any]) -> list[RoleEnum] | None:
        return [Role(r) for r in await org.personal(info.context, self.doc, "roles") or []]

    @strawberry.field(description="The title of the person's position.")
    async def title(self, info: Info[Context, Any]) -> str | None:
        position = await org.load(info.context, "position_by_id", self.doc.get("positionId"))
        return position["title"] if position else None

    @strawberry.field
    async def position(self, info: Info[Context, Any]) -> Position | None:
        return Position.wrap(await org.load(info.context, "position_by_id", self.doc.get("positionId")))

    @strawberry.field
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return Department.wrap(await org.load(info.context, "department_by_id", self.doc.get("departmentId")))

    @strawberry.field
    async def manager(self, info: Info[Context, Any]) -> Employee | None:
        return Employee.wrap(await org.load(info.context, "employee_by_id", self.doc.get("managerId")))

    @strawberry.field
    async def mentor(self, info: Info[Context, Any]) -> Employee | None:
        return Employee.wrap(await org.load(info.context, "employee_by_id", self.doc.get("mentorId")))

    @strawberry.field(description="Direct reports who have not left, by name.")
    async def reports(self, info: Info[Context, Any]) -> list[Employee]:
        return Employee.wrap_all(await org.load(info.context, "reports_by_manager_id", self.doc["_id"]))

    @strawberry.field(description="Managers above this person, nearest first.")
    async def reporting_chain(self, info: Info[Context, Any]) -> list[Employee]:
        return Employee.wrap_all(await org.reporting_chain(info.context, self.doc["_id"]))


@strawberry.type
class Department:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str

    @classmethod
    def wrap(cls, doc: Document | None) -> Department | None:
        return None if doc is None else cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"])

    @strawberry.field
    async def parent(self, info: Info[Context, Any]) -> Department | None:
        return Department.wrap(await org.load(info.context, "department_by_id", self.doc.get("parentId")))

    @strawberry.field
    async def head(self, info: Info[Context, Any]) -> Employee | None:
        return Employee.wrap(await org.load(info.context, "employee_by_id", self.doc.get("headId")))

    @strawberry.field
    async def children(self, info: Info[Context, Any]) -> list[Department]:
        docs = await org.load(info.context, "departments_by_parent_id", self.doc["_id"])
        return [d for d in map(Department.wrap, docs) if d is not None]

    @strawberry.field(description="People in the department who have not left, by name.")
    async def employees(self, info: Info[Context, Any]) -> list[Employee]:
        return Employee.wrap_all(await org.load(info.context, "employees_by_department_id", self.doc["_id"]))


@strawberry.type
class Position:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    title: str
    description: str
    responsibilities: list[str]
    level: int

    @classmethod
    def wrap(cls, doc: Document | None) -> Position | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), title=doc["title"], description=doc.get("description", ""),
                   responsibilities=list(doc.get("responsibilities", [])), level=doc.get("level", 1))

    @strawberry.field
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return Department.wrap(await org.load(info.context, "department_by_id", self.doc.get("departmentId")))


@strawberry.type(description="One person in an org chart and the people below them, to the depth asked.")
class OrgChartNode:
    node: strawberry.Private[org.ChartNode]
    level: int

    @strawberry.field
    def employee(self) -> Employee:
        return Employee(doc=self.node.employee, id=strawberry.ID(self.node.employee["_id"]),
                        name=self.node.employee["name"], status=EmployeeStatus(self.node.employee["status"]))

    @strawberry.field(description="Direct reports within the chart's depth (empty at its last level).")
    def reports(self) -> list[OrgChartNode]:
        return [OrgChartNode(node=child, level=child.level) for child in self.node.reports]

    @strawberry.field(description="How many people report directly to this person, whatever the depth.")
    async def report_count(self, info: Info[Context, Any]) -> int:
        return await org.report_count(info.context, self.node)


OrgChangeKind = strawberry.enum(OrgChange, name="OrgChangeKind")
