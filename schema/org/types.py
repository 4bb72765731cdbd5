"""Organisation types: Employee, Department, Position, the org chart and status history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from models.org.rules import Document, EmployeeStatus, OrgChange, Role
from resolvers.core.context import Context
from resolvers.org import queries as org

if TYPE_CHECKING:
    from schema.checkins.types import CadenceEnum, CheckInSeries, CheckInTemplate
    from schema.feedback.praise import Praise
    from schema.feedback.types import FollowUp
    from schema.goals.types import Goal
    from schema.reviews.competencies import CompetencyExpectation, CompetencyProfileEntry

EmployeeStatusEnum = strawberry.enum(EmployeeStatus, name="EmployeeStatus")
RoleEnum = strawberry.enum(Role, name="Role")


def utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def title_of(position: Document | None) -> str | None:
    return position["title"] if position else None


@strawberry.type(description="A change of employment status, kept for the person's history.")
class StatusChange:
    status: EmployeeStatusEnum
    at: datetime
    note: str | None
    by_id: strawberry.Private[str | None]

    @strawberry.field
    def by(self, info: Info[Context, Any]) -> Employee | None:
        return org.load_now(info.context, "employee_by_id", self.by_id, Employee.wrap)


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

    # These references return the loaded value itself when the request's loader holds it already (the org
    # chart prefetches every member's position and department), else an awaitable: see ``org.load_now``.
    @strawberry.field(description="The title of the person's position.")
    def title(self, info: Info[Context, Any]) -> str | None:
        return org.load_now(info.context, "position_by_id", self.doc.get("positionId"), title_of)

    @strawberry.field
    def position(self, info: Info[Context, Any]) -> Position | None:
        return org.load_now(info.context, "position_by_id", self.doc.get("positionId"), Position.wrap)

    @strawberry.field
    def department(self, info: Info[Context, Any]) -> Department | None:
        return org.load_now(info.context, "department_by_id", self.doc.get("departmentId"), Department.wrap)

    @strawberry.field
    def manager(self, info: Info[Context, Any]) -> Employee | None:
        return org.load_now(info.context, "employee_by_id", self.doc.get("managerId"), Employee.wrap)

    @strawberry.field
    def mentor(self, info: Info[Context, Any]) -> Employee | None:
        return org.load_now(info.context, "employee_by_id", self.doc.get("mentorId"), Employee.wrap)

    @strawberry.field(description="Direct reports who have not left, by name.")
    async def reports(self, info: Info[Context, Any]) -> list[Employee]:
        return Employee.wrap_all(await org.load(info.context, "reports_by_manager_id", self.doc["_id"]))

    @strawberry.field(description="Managers above this person, nearest first.")
    async def reporting_chain(self, info: Info[Context, Any]) -> list[Employee]:
        return Employee.wrap_all(await org.reporting_chain(info.context, self.doc["_id"]))

    @strawberry.field(description="Goals this person owns that you may see (not archived), by due date.")
    async def goals(self, info: Info[Context, Any]) -> list[Annotated[Goal, strawberry.lazy("schema.goals.types")]]:
        from schema.goals.types import employee_goals  # schema.goals builds on this module
        return await employee_goals(info, self.doc)

    @strawberry.field(description="This person's check-in series with their managers that you may see.")
    async def check_in_series(self, info: Info[Context, Any],
                              ) -> list[Annotated[CheckInSeries, strawberry.lazy("schema.checkins.types")]]:
        from schema.checkins.types import CheckInSeries, checkins  # schema.checkins builds on this module
        return CheckInSeries.wrap_all(await checkins.series_of_employee(info.context, self.doc))

    @strawberry.field(description="Praise this person received, newest first (praise is public in the organisation).")
    async def praise_received(self, info: Info[Context, Any], first: int = 10,
                              ) -> list[Annotated[Praise, strawberry.lazy("schema.feedback.praise")]]:
        from schema.feedback.praise import praise_received  # schema.feedback_praise builds on this module
        return await praise_received(info, self.doc, first)

    @strawberry.field(description="Open follow-ups of feedback this person received: the person and their managers.")
    async def open_follow_ups(self, info: Info[Context, Any],
                              ) -> list[Annotated[FollowUp, strawberry.lazy("schema.feedback.types")]] | None:
        from schema.feedback.types import open_follow_ups  # schema.feedback builds on this module
        return await open_follow_ups(info, self.doc)

    @strawberry.field(description="Per competency: the level expected for the person's position, the level assessed "
                                  "in their last shared review, and the gap. The person, their managers, HR admins.")
    async def competency_profile(
        self, info: Info[Context, Any],
    ) -> list[Annotated[CompetencyProfileEntry, strawberry.lazy("schema.reviews.competencies")]] | None:
        from schema.reviews.competencies import competency_profile  # schema.competencies builds on this module
        return await competency_profile(info, self.doc)


@strawberry.type
class Department:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str

    @classmethod
    def wrap(cls, doc: Document | None) -> Department | None:
        return None if doc is None else cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"])

    @strawberry.field
    def parent(self, info: Info[Context, Any]) -> Department | None:
        return org.load_now(info.context, "department_by_id", self.doc.get("parentId"), Department.wrap)

    @strawberry.field
    def head(self, info: Info[Context, Any]) -> Employee | None:
        return org.load_now(info.context, "employee_by_id", self.doc.get("headId"), Employee.wrap)

    @strawberry.field
    async def children(self, info: Info[Context, Any]) -> list[Department]:
        docs = await org.load(info.context, "departments_by_parent_id", self.doc["_id"])
        return [d for d in map(Department.wrap, docs) if d is not None]

    @strawberry.field(description="People in the department who have not left, by name.")
    async def employees(self, info: Info[Context, Any]) -> list[Employee]:
        return Employee.wrap_all(await org.load(info.context, "employees_by_department_id", self.doc["_id"]))

    @strawberry.field(description="The department's own goals that you may see (not archived), by due date.")
    async def goals(self, info: Info[Context, Any]) -> list[Annotated[Goal, strawberry.lazy("schema.goals.types")]]:
        from schema.goals.types import department_goals  # schema.goals builds on this module
        return await department_goals(info, self.doc)

    @strawberry.field(description="How often the department's check-ins happen (a series may override it).")
    def check_in_cadence(self) -> Annotated[CadenceEnum, strawberry.lazy("schema.checkins.types")]:
        from schema.checkins.types import Cadence  # schema.checkins builds on this module
        return Cadence(self.doc.get("cadence") or "weekly")

    @strawberry.field(description="The check-in questions used here: the department's own, else the default.")
    async def check_in_template(self, info: Info[Context, Any],
                                ) -> Annotated[CheckInTemplate, strawberry.lazy("schema.checkins.types")] | None:
        from schema.checkins.types import CheckInTemplate, checkins  # schema.checkins builds on this module
        return CheckInTemplate.wrap(await checkins.department_template(info.context, self.doc))


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
    def department(self, info: Info[Context, Any]) -> Department | None:
        return org.load_now(info.context, "department_by_id", self.doc.get("departmentId"), Department.wrap)

    @strawberry.field(description="The competency levels this position expects.")
    async def expected_competencies(
        self, info: Info[Context, Any],
    ) -> list[Annotated[CompetencyExpectation, strawberry.lazy("schema.reviews.competencies")]]:
        from schema.reviews.competencies import position_expectations  # schema.competencies builds on this module
        return await position_expectations(info, self.doc)


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
