"""Organisation types: Employee, Department, Position, the org chart and status history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.core.viewer import Role
from models.org.rules import EmployeeStatus, OrgChange
from resolvers.core.context import Context
from resolvers.core.loading import load, load_now
from resolvers.org import queries as org
from schema.core.cost import listed
from schema.core.descriptions import described_enum
from schema.core.node import Node

# The GraphQL types Employee, Department and Position are composed in ``schema/employee.py`` from this
# module's fields and each domain's own (a person's goals, check-ins, feedback, competencies). Other
# modules annotate with these lazy references and build values with the ``*Fields`` classes' ``wrap``.
Employee = Annotated["EmployeeType", strawberry.lazy("schema.employee")]  # noqa: F821 (lazy)
Department = Annotated["DepartmentType", strawberry.lazy("schema.employee")]  # noqa: F821 (lazy)
Position = Annotated["PositionType", strawberry.lazy("schema.employee")]  # noqa: F821 (lazy)

EmployeeStatusEnum = described_enum(EmployeeStatus, name="EmployeeStatus", description="Where someone's employment "
                                    "stands.", values={
    EmployeeStatus.ACTIVE: "Employed and working.",
    EmployeeStatus.ON_LEAVE: "Employed, on leave: still in the org chart, left out of new review cycles.",
    EmployeeStatus.TERMINATED: "Left the organisation: out of the org chart and lists; may no longer sign in.",
})
RoleEnum = described_enum(Role, name="Role", description="What a person may do, beyond reading what concerns them.",
                          values={
    Role.EMPLOYEE: "Everyone: their own goals, check-ins, feedback and reviews.",
    Role.MANAGER: "Manages people: reads and acts for the people below them.",
    Role.HR_ADMIN: "Runs the organisation: people, departments, templates, cycles and reports.",
    Role.COMPENSATION_ADMIN: "Manages pay: bands, merit cycles, budgets and the payroll export (HR admins do not "
                             "hold it by default).",
})

PERSONAL = ("Personal: visible to the person, their management chain and HR admins; null for anyone else, "
            "by design and without an error.")


def title_of(position: Document | None) -> str | None:
    return position["title"] if position else None


@strawberry.type(description="A change of employment status, kept for the person's history.")
class StatusChange:
    status: EmployeeStatusEnum = strawberry.field(description="The status the person moved to.")
    at: datetime = strawberry.field(description="When the change was made (UTC).")
    note: str | None = strawberry.field(description="Why, as written by whoever made it; null without a note.")
    by_id: strawberry.Private[str | None]

    @strawberry.field(description="Who made the change; null for the system (an import, a SCIM client, the "
                                  "seed) or someone since removed.")
    def by(self, info: Info[Context, Any]) -> Employee | None:
        return load_now(info.context, "employee_by_id", self.by_id, EmployeeFields.wrap)


@strawberry.type(name="EmployeeOrgFields", description="The org chart's fields of a person.")
class EmployeeFields(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str = strawberry.field(description="The person's full name, as the organisation shows it.")
    status: EmployeeStatusEnum = strawberry.field(description="Whether they work here, are on leave or have left.")

    @classmethod
    def of(cls, doc: Document) -> EmployeeFields:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"], status=EmployeeStatus(doc["status"]))

    @classmethod
    def wrap(cls, doc: Document | None) -> EmployeeFields | None:
        return None if doc is None else cls.of(doc)

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[EmployeeFields]:
        return [cls.of(doc) for doc in docs]

    @strawberry.field(description=f"The person's work email address. {PERSONAL}")
    async def email(self, info: Info[Context, Any]) -> str | None:
        return await org.personal(info.context, self.doc, "email")

    @strawberry.field(description=f"The first day of the person's employment (a calendar date). {PERSONAL}")
    async def hire_date(self, info: Info[Context, Any]) -> date | None:
        value = await org.personal(info.context, self.doc, "hireDate")
        return date.fromisoformat(value) if value else None

    @strawberry.field(description="The last day of someone leaving, set ahead of time; null while no departure "
                                  f"is planned. {PERSONAL}")
    async def end_date(self, info: Info[Context, Any]) -> date | None:
        value = await org.personal(info.context, self.doc, "endDate")
        return date.fromisoformat(value) if value else None

    @strawberry.field(description=f"Every change of the person's employment status, oldest first. {PERSONAL}")
    async def status_history(self, info: Info[Context, Any]) -> list[StatusChange] | None:
        entries = await org.personal(info.context, self.doc, "statusHistory", [])
        if entries is None:
            return None
        return [StatusChange(status=EmployeeStatus(e["status"]), at=e["at"], note=e.get("note"),
                             by_id=e.get("byId")) for e in entries]

    @strawberry.field(description=f"The roles the person holds (what they may do). {PERSONAL}")
    async def roles(self, info: Info[Context, Any]) -> list[RoleEnum] | None:
        roles = await org.personal(info.context, self.doc, "roles", [])
        return None if roles is None else [Role(r) for r in roles]

    # These references return the loaded value itself when the request's loader holds it already (the org
    # chart prefetches every member's position and department), else an awaitable: see ``load_now``.
    @strawberry.field(description="The title of the person's position; null without a position.")
    def title(self, info: Info[Context, Any]) -> str | None:
        return load_now(info.context, "position_by_id", self.doc.get("positionId"), title_of)

    @strawberry.field(description="The position the person holds; null without one.")
    def position(self, info: Info[Context, Any]) -> Position | None:
        return load_now(info.context, "position_by_id", self.doc.get("positionId"), PositionFields.wrap)

    @strawberry.field(description="The department the person belongs to; null without one.")
    def department(self, info: Info[Context, Any]) -> Department | None:
        return load_now(info.context, "department_by_id", self.doc.get("departmentId"), DepartmentFields.wrap)

    @strawberry.field(description="The person's direct manager; null at the top of the organisation.")
    def manager(self, info: Info[Context, Any]) -> Employee | None:
        return load_now(info.context, "employee_by_id", self.doc.get("managerId"), EmployeeFields.wrap)

    @strawberry.field(description="The person's mentor named in their record; null without one.")
    def mentor(self, info: Info[Context, Any]) -> Employee | None:
        return load_now(info.context, "employee_by_id", self.doc.get("mentorId"), EmployeeFields.wrap)

    @strawberry.field(metadata=listed(15, tree_total=5000), description="Direct reports who have not left, by name.")
    async def reports(self, info: Info[Context, Any]) -> list[Employee]:
        return EmployeeFields.wrap_all(await load(info.context, "reports_by_manager_id", self.doc["_id"]))

    @strawberry.field(metadata=listed(20), description="Managers above this person, nearest first.")
    async def reporting_chain(self, info: Info[Context, Any]) -> list[Employee]:
        return EmployeeFields.wrap_all(await org.reporting_chain(info.context, self.doc["_id"]))


@strawberry.type(name="DepartmentOrgFields", description="The org chart's fields of a department.")
class DepartmentFields(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str = strawberry.field(description="The department's name (at most 200 characters).")

    @classmethod
    def wrap(cls, doc: Document | None) -> DepartmentFields | None:
        return None if doc is None else cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"])

    @strawberry.field(description="The department this one is part of; null for a top-level department.")
    def parent(self, info: Info[Context, Any]) -> Department | None:
        return load_now(info.context, "department_by_id", self.doc.get("parentId"), DepartmentFields.wrap)

    @strawberry.field(description="The person who leads the department (the owner of its goals); null while "
                                  "it has none.")
    def head(self, info: Info[Context, Any]) -> Employee | None:
        return load_now(info.context, "employee_by_id", self.doc.get("headId"), EmployeeFields.wrap)

    @strawberry.field(metadata=listed(50, tree_total=500), description="The departments directly below this one, by "
                                                                       "name.")
    async def children(self, info: Info[Context, Any]) -> list[Department]:
        docs = await load(info.context, "departments_by_parent_id", self.doc["_id"])
        return [d for d in map(DepartmentFields.wrap, docs) if d is not None]

    @strawberry.field(metadata=listed(200), description="People in the department who have not left, by name.")
    async def employees(self, info: Info[Context, Any]) -> list[Employee]:
        return EmployeeFields.wrap_all(await load(info.context, "employees_by_department_id", self.doc["_id"]))


@strawberry.type(name="PositionOrgFields", description="The org chart's fields of a position.")
class PositionFields(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    title: str = strawberry.field(description="The position's job title, such as \"Senior Engineer\".")
    description: str = strawberry.field(description="What the position is for, in a few sentences; empty when "
                                                    "none was written.")
    responsibilities: list[str] = strawberry.field(description="What the holder is responsible for, one item each.")
    level: int = strawberry.field(description="The position's level on the career ladder, from 1 (entry) to 10.")

    @classmethod
    def wrap(cls, doc: Document | None) -> PositionFields | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), title=doc["title"], description=doc.get("description", ""),
                   responsibilities=list(doc.get("responsibilities", [])), level=doc.get("level", 1))

    @strawberry.field(description="The department the position belongs to; null for one shared across "
                                  "departments.")
    def department(self, info: Info[Context, Any]) -> Department | None:
        return load_now(info.context, "department_by_id", self.doc.get("departmentId"), DepartmentFields.wrap)


@strawberry.type(description="One person in an org chart and the people below them, to the depth asked.")
class OrgChartNode:
    node: strawberry.Private[org.ChartNode]
    level: int = strawberry.field(description="How far below the chart's root this person is: 0 for the root.")

    @strawberry.field(description="The person at this node.")
    def employee(self) -> Employee:
        return EmployeeFields.of(self.node.employee)

    @strawberry.field(
        metadata=listed(15, tree_total=5000),
        description="Direct reports within the chart's depth (empty at its last level).")
    def reports(self) -> list[OrgChartNode]:
        return [OrgChartNode(node=child, level=child.level) for child in self.node.reports]

    @strawberry.field(description="How many people report directly to this person, whatever the depth.")
    async def report_count(self, info: Info[Context, Any]) -> int:
        return await org.report_count(info.context, self.node)


OrgChangeKind = described_enum(OrgChange, name="OrgChangeKind", description="What an orgChartChanged event reports.",
                               values={
    OrgChange.EMPLOYEE_CREATED: "A person joined.",
    OrgChange.EMPLOYEE_UPDATED: "A person's name, title, position or status changed.",
    OrgChange.MANAGER_CHANGED: "A person moved under another manager (and everyone below them with them).",
    OrgChange.DEPARTMENT_CHANGED: "A person moved to another department.",
    OrgChange.EMPLOYEE_TERMINATED: "A person left the organisation.",
    OrgChange.DEPARTMENT_SAVED: "A department was created or changed.",
    OrgChange.POSITION_SAVED: "A position was created or changed.",
})
