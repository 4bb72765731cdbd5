"""Goal types: Goal, KeyResult, progress history, the alignment tree and a manager's team summary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.core.ids import TREE_SEPARATOR, scoped_id
from models.goals.rules import GoalChange, GoalLevel, GoalStatus, GoalVisibility, MetricKind, key_result_progress
from models.goals.rules import goal_progress as own_goal_progress
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.goals import queries as goal_queries
from schema.core.cost import listed
from schema.core.node import Node
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields

GoalLevelEnum = strawberry.enum(GoalLevel, name="GoalLevel")
GoalStatusEnum = strawberry.enum(GoalStatus, name="GoalStatus")
GoalVisibilityEnum = strawberry.enum(GoalVisibility, name="GoalVisibility")
MetricKindEnum = strawberry.enum(MetricKind, name="MetricKind",
                                 description="BOOLEAN and MILESTONE take 0 (not done) or 1 (done).")
GoalChangeKind = strawberry.enum(GoalChange, name="GoalChangeKind")


@strawberry.type(description="A measurable outcome of a goal; progress (0–1) comes from start, target and current.")
class KeyResult(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    title: str
    metric_kind: MetricKindEnum
    start_value: float
    target_value: float
    current_value: float
    unit: str
    weight: float

    @classmethod
    def wrap(cls, doc: Document) -> KeyResult:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), title=doc["title"], metric_kind=MetricKind(doc["metricKind"]),
                   start_value=doc["startValue"], target_value=doc["targetValue"], current_value=doc["currentValue"],
                   unit=doc.get("unit", ""), weight=doc["weight"])

    @strawberry.field(description="0–1; a falling target (start above target) counts the same way.")
    def progress(self) -> float:
        return key_result_progress(self.doc)


@strawberry.type(description="One recorded change of a key result's value.")
class ProgressEntry(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    key_result_id: strawberry.ID
    key_result_title: str
    at: datetime
    old_value: float | None
    new_value: float
    comment: str | None

    @classmethod
    def wrap(cls, doc: Document) -> ProgressEntry:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), key_result_id=strawberry.ID(doc["keyResultId"]),
                   key_result_title=doc.get("keyResultTitle", ""), at=doc["at"], old_value=doc.get("oldValue"),
                   new_value=doc["newValue"], comment=doc.get("comment"))

    @strawberry.field(description="Who recorded it.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("byId")))


@strawberry.type(description="An objective with key results, aligned to a parent goal.")
class Goal(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    title: str
    description: str
    level: GoalLevelEnum
    status: GoalStatusEnum
    visibility: GoalVisibilityEnum
    roll_up_children: bool = strawberry.field(
        description="Progress also rolls up the aligned child goals (each counted once, to any depth).")
    archived: bool
    start_date: date
    due_date: date
    created_at: datetime
    updated_at: datetime

    @classmethod
    def wrap(cls, doc: Document | None) -> Goal | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), title=doc["title"], description=doc.get("description", ""),
                   level=GoalLevel(doc["level"]), status=GoalStatus(doc["status"]),
                   visibility=GoalVisibility(doc["visibility"]), roll_up_children=bool(doc.get("rollUpChildren")),
                   archived=bool(doc.get("archived")), start_date=date.fromisoformat(doc["startDate"]),
                   due_date=date.fromisoformat(doc["dueDate"]), created_at=doc["createdAt"],
                   updated_at=doc["updatedAt"])

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[Goal]:
        return [goal for goal in map(cls.wrap, docs) if goal is not None]

    @strawberry.field
    def key_results(self) -> list[KeyResult]:
        return [KeyResult.wrap(kr) for kr in self.doc.get("keyResults", [])]

    @strawberry.field(description="0–1: the weighted mean of the key results, with aligned children if rolled up.")
    async def progress(self, info: Info[Context, Any]) -> float:
        return await goal_queries.progress(info.context, self.doc)

    @strawberry.field(description="0–1: the weighted mean of this goal's own key results only.")
    def key_result_progress(self) -> float:
        return own_goal_progress(self.doc)

    @strawberry.field(description="The owning person (individual goals; company goals that name one).")
    async def owner_employee(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("ownerEmployeeId")))

    @strawberry.field(description="The owning department (department goals).")
    async def owner_department(self, info: Info[Context, Any]) -> Department | None:
        department = await load(info.context, "department_by_id", self.doc.get("ownerDepartmentId"))
        return DepartmentFields.wrap(department)

    @strawberry.field(description="The goal this one is aligned to; null if none or not visible to you.")
    async def parent(self, info: Info[Context, Any]) -> Goal | None:
        return Goal.wrap(await goal_queries.parent(info.context, self.doc))

    @strawberry.field(
        metadata=listed(50, tree_total=2000),
        description="Goals aligned to this one that you may see (not archived), by title.")
    async def children(self, info: Info[Context, Any]) -> list[Goal]:
        return Goal.wrap_all(await goal_queries.children(info.context, self.doc))

    @strawberry.field(description="Every change of a key result's value, oldest first.")
    async def progress_history(self, info: Info[Context, Any],
                               key_result_id: strawberry.ID | None = None) -> list[ProgressEntry]:
        entries = await goal_queries.progress_history(info.context, self.doc, key_result_id)
        return [ProgressEntry.wrap(e) for e in entries]

    @strawberry.field(description="Whether you may edit this goal.")
    async def can_edit(self, info: Info[Context, Any]) -> bool:
        return await goal_queries.can_edit(info.context, self.doc)


@strawberry.type(description="A goal as the alignment tree below one root goal shows it; a goal you may not see "
                             "is redacted (its goalId only).")
class GoalTreeNode(Node):
    node: strawberry.Private[goal_queries.TreeNode]
    root_id: strawberry.Private[str]
    id: strawberry.ID = strawberry.field(description="Unique across every type (a normalised cache's key, never the "
                                                     "goal's own id): the tree's root goal id, a slash, then goalId.")
    goal_id: strawberry.ID = strawberry.field(description="The id of the goal this node shows (the Goal's id), also "
                                                          "when it is redacted.")
    redacted: bool = strawberry.field(description="True when you may not see the goal: goal is then null.")

    @classmethod
    def wrap(cls, node: goal_queries.TreeNode, root_id: str) -> GoalTreeNode:
        return cls(node=node, root_id=root_id, id=strawberry.ID(scoped_id(root_id, node.id, TREE_SEPARATOR)),
                   goal_id=strawberry.ID(node.id), redacted=node.goal is None)

    @strawberry.field(description="Null when redacted.")
    def goal(self) -> Goal | None:
        return Goal.wrap(self.node.goal)

    @strawberry.field(
        metadata=listed(50, tree_total=2000),
        description="Goals aligned to this one: those you see, and redacted ones above goals you see.")
    def children(self) -> list[GoalTreeNode]:
        return [GoalTreeNode.wrap(child, self.root_id) for child in self.node.children]


@strawberry.type(description="One direct report's active goals (not archived, not cancelled) that you may see.")
class TeamMemberGoals:
    member: strawberry.Private[goal_queries.TeamMember]
    employee: Employee
    goal_count: int
    mean_progress: float | None = strawberry.field(description="Null without goals.")
    at_risk_count: int = strawberry.field(description="Goals with status AT_RISK.")
    off_track_count: int = strawberry.field(description="Goals with status OFF_TRACK.")

    @classmethod
    def wrap(cls, member: goal_queries.TeamMember) -> TeamMemberGoals:
        employee = EmployeeFields.wrap(member.employee)
        assert employee is not None
        statuses = [g["status"] for g in member.goals]
        mean = sum(member.progress) / len(member.progress) if member.progress else None
        return cls(member=member, employee=employee, goal_count=len(member.goals), mean_progress=mean,
                   at_risk_count=statuses.count(GoalStatus.AT_RISK.value),
                   off_track_count=statuses.count(GoalStatus.OFF_TRACK.value))

    @strawberry.field(metadata=listed(100))
    def goals(self) -> list[Goal]:
        return Goal.wrap_all(self.member.goals)


@strawberry.type(description="The new progress of a goal after a committed change to it or to a goal below it.")
class GoalProgressEvent:
    goal: Goal
    progress: float
    kind: GoalChangeKind
    changed_goal_id: strawberry.ID | None = strawberry.field(
        description="The goal that changed (this one or one below it); null if you may not see it.")
    key_result_id: strawberry.ID | None


async def employee_goals(info: Info[Context, Any], employee: Document) -> list[Goal]:
    """``Employee.goals`` (schema/goals/org_fields.py)."""
    return Goal.wrap_all(await goal_queries.employee_goals(info.context, employee))


async def department_goals(info: Info[Context, Any], department: Document) -> list[Goal]:
    """``Department.goals`` (schema/goals/org_fields.py)."""
    return Goal.wrap_all(await goal_queries.department_goals(info.context, department))
