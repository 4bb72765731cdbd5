"""Goal types: Goal, KeyResult, progress history, the alignment tree and a manager's team summary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.core.ids import TREE_SEPARATOR, scoped_id
from models.goals.permissions import can_see_goal
from models.goals.rules import GoalChange, GoalLevel, GoalStatus, GoalVisibility, MetricKind, key_result_progress
from models.goals.rules import goal_progress as own_goal_progress
from models.goals.rules import (
    mean_progress as mean_of,
)
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.goals import queries as goal_queries
from schema.core.cost import listed
from schema.core.descriptions import described_enum
from schema.core.history import HISTORY_LISTED, LAST, AuditEntry, history_of, withheld_unless_hr
from schema.core.node import Node
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields

GoalLevelEnum = described_enum(GoalLevel, name="GoalLevel", description="Whose goal it is.", values={
    GoalLevel.COMPANY: "The whole organisation's (set by HR admins; may name an employee, say the CEO).",
    GoalLevel.DEPARTMENT: "A department's; its person, for visibility and editing, is the department's head.",
    GoalLevel.INDIVIDUAL: "One person's.",
})
GoalStatusEnum = described_enum(GoalStatus, name="GoalStatus", description="How a goal is doing, as its owner says.",
                                values={
    GoalStatus.ON_TRACK: "Expected to be met by its due date.",
    GoalStatus.AT_RISK: "May be missed without a change.",
    GoalStatus.OFF_TRACK: "Expected to be missed.",
    GoalStatus.DONE: "Finished.",
    GoalStatus.CANCELLED: "Given up; it no longer counts in its parent's roll-up.",
})
GoalVisibilityEnum = described_enum(GoalVisibility, name="GoalVisibility", description="Who may see a goal.", values={
    GoalVisibility.EVERYONE: "The whole organisation.",
    GoalVisibility.MANAGEMENT_CHAIN: "The owner, the owner's managers (direct and indirect) and HR admins.",
    GoalVisibility.PRIVATE: "The owner and HR admins.",
})
MetricKindEnum = described_enum(MetricKind, name="MetricKind", description=(
    "How a key result is measured; BOOLEAN and MILESTONE take 0 (not done) or 1 (done)."), values={
    MetricKind.NUMBER: "A count or amount; progress is (current - start) / (target - start), clamped to 0..1.",
    MetricKind.PERCENTAGE: "A percentage from 0 to 100; progress as for NUMBER.",
    MetricKind.CURRENCY: "An amount of money in the key result's unit; progress as for NUMBER.",
    MetricKind.BOOLEAN: "Done or not: progress 1 when current equals target, else 0.",
    MetricKind.MILESTONE: "One dated checkpoint, reached or not: progress 1 when current equals target, else 0.",
})
GoalChangeKind = described_enum(GoalChange, name="GoalChangeKind", description=(
    "What a goalProgressChanged event reports."), values={
    GoalChange.CREATED: "A goal was created.",
    GoalChange.UPDATED: "A goal's fields were edited.",
    GoalChange.ARCHIVED: "A goal was archived (it leaves lists and roll-ups).",
    GoalChange.ALIGNED: "A goal was aligned below another (or unaligned).",
    GoalChange.STATUS_CHANGED: "A goal's status changed.",
    GoalChange.KEY_RESULT_ADDED: "A key result was added.",
    GoalChange.KEY_RESULT_UPDATED: "A key result was edited.",
    GoalChange.KEY_RESULT_REMOVED: "A key result was removed.",
    GoalChange.PROGRESS_RECORDED: "A key result's current value was recorded.",
})


@strawberry.type(description="A measurable outcome of a goal; progress (0–1) comes from start, target and current.")
class KeyResult(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    title: str = strawberry.field(description="What is measured.")
    metric_kind: MetricKindEnum = strawberry.field(description="How it is measured.")
    start_value: float = strawberry.field(description="The value at the start, in its unit.")
    target_value: float = strawberry.field(description="The value to reach, in its unit.")
    current_value: float = strawberry.field(description="The value now, in its unit (as last recorded).")
    unit: str = strawberry.field(description="The unit shown beside the values; empty for none.")
    weight: float = strawberry.field(description=(
        "Its share in the goal's progress (relative to the other key results' weights)."))

    @classmethod
    def wrap(cls, doc: Document) -> KeyResult:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), title=doc["title"], metric_kind=MetricKind(doc["metricKind"]),
                   start_value=doc["startValue"], target_value=doc["targetValue"], current_value=doc["currentValue"],
                   unit=doc.get("unit", ""), weight=doc["weight"])

    @strawberry.field(description="How far from start to target the current value is, from 0 to 1 (clamped), "
                                  "rounded to four decimal places; a falling target (start above target) counts "
                                  "the same way.")
    def progress(self) -> float:
        return key_result_progress(self.doc)


@strawberry.type(description="One recorded change of a key result's value.")
class ProgressEntry(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    key_result_id: strawberry.ID = strawberry.field(description="The key result whose value was recorded.")
    key_result_title: str = strawberry.field(description="That key result's title when the value was recorded.")
    at: datetime = strawberry.field(description="When the value was recorded (UTC).")
    old_value: float | None = strawberry.field(description=(
        "The value before; null for the first entry of a key result."))
    new_value: float = strawberry.field(description="The value recorded, in the key result's unit.")
    comment: str | None = strawberry.field(description="Why it moved, as written; null without a comment.")

    @classmethod
    def wrap(cls, doc: Document) -> ProgressEntry:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), key_result_id=strawberry.ID(doc["keyResultId"]),
                   key_result_title=doc.get("keyResultTitle", ""), at=doc["at"], old_value=doc.get("oldValue"),
                   new_value=doc["newValue"], comment=doc.get("comment"))

    @strawberry.field(description="Who recorded it.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("byId")))


WITHHELD = frozenset({"parentId"})  # a goal's parent may be one the reader may not see


@strawberry.type(description="An objective with key results, aligned to a parent goal.")
class Goal(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    title: str = strawberry.field(description="What the goal is.")
    description: str = strawberry.field(description=(
        "Why it matters and how it is measured; empty when none was written."))
    level: GoalLevelEnum = strawberry.field(description="Company, department or individual.")
    status: GoalStatusEnum = strawberry.field(description="How it is doing, as its editors set it.")
    visibility: GoalVisibilityEnum = strawberry.field(description="Who may see it.")
    roll_up_children: bool = strawberry.field(
        description="Progress also rolls up the aligned child goals (each counted once, to any depth).")
    archived: bool = strawberry.field(description=(
        "Whether it was archived: out of lists and roll-ups, kept for history."))
    start_date: date = strawberry.field(description="The first day the goal runs.")
    due_date: date = strawberry.field(description="The day it is due.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    updated_at: datetime = strawberry.field(description="When it was last changed (UTC).")

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

    @strawberry.field(description="Its key results, in the order they were added.")
    def key_results(self) -> list[KeyResult]:
        return [KeyResult.wrap(kr) for kr in self.doc.get("keyResults", [])]

    @strawberry.field(description="From 0 to 1, rounded to four decimal places: the weighted mean of the key "
                                  "results, with the aligned children you may see if it rolls up (so two readers "
                                  "may see different progress).")
    async def progress(self, info: Info[Context, Any]) -> float:
        return await goal_queries.progress(info.context, self.doc)

    @strawberry.field(description="From 0 to 1, rounded to four decimal places: the weighted mean of this goal's "
                                  "own key results only.")
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
    async def progress_history(
        self, info: Info[Context, Any],
        key_result_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Only the entries of this key result; omitted, all of them."))] = None,
    ) -> list[ProgressEntry]:
        entries = await goal_queries.progress_history(info.context, self.doc, key_result_id)
        return [ProgressEntry.wrap(e) for e in entries]

    @strawberry.field(description="Whether you may edit this goal.")
    async def can_edit(self, info: Info[Context, Any]) -> bool:
        return await goal_queries.can_edit(info.context, self.doc)

    @strawberry.field(description="Those who may read the goal: its latest changes, newest first (the audit "
                                  "trail); the parent it was aligned to shows as changed without its id, except to "
                                  "HR admins.", metadata=listed(HISTORY_LISTED))
    async def history(self, info: Info[Context, Any],
                      last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        viewer = info.context.viewer
        owner = await load(info.context, "employee_by_id", self.doc.get("ownerEmployeeId"))
        allowed = viewer is not None and can_see_goal(viewer, self.doc, owner)
        return await history_of(info, self.doc["_id"], allowed, "a goal's history is for those who may read it",
                                last=last, withheld=withheld_unless_hr(info, WITHHELD))


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
    employee: Employee = strawberry.field(description="The person (one of your direct reports).")
    goal_count: int = strawberry.field(description=(
        "How many of their active goals (not archived, not cancelled, in the period asked) you see."))
    mean_progress: float | None = strawberry.field(description=(
        "The mean progress of those goals, from 0 to 1, rounded to four decimal places; null without goals."))
    at_risk_count: int = strawberry.field(description="Goals with status AT_RISK.")
    off_track_count: int = strawberry.field(description="Goals with status OFF_TRACK.")

    @classmethod
    def wrap(cls, member: goal_queries.TeamMember) -> TeamMemberGoals:
        employee = EmployeeFields.wrap(member.employee)
        assert employee is not None
        statuses = [g["status"] for g in member.goals]
        return cls(member=member, employee=employee, goal_count=len(member.goals),
                   mean_progress=mean_of(member.progress),
                   at_risk_count=statuses.count(GoalStatus.AT_RISK.value),
                   off_track_count=statuses.count(GoalStatus.OFF_TRACK.value))

    @strawberry.field(metadata=listed(100), description="Those goals, by due date, each as you may see it.")
    def goals(self) -> list[Goal]:
        return Goal.wrap_all(self.member.goals)


@strawberry.type(description="The new progress of a goal after a committed change to it or to a goal below it.")
class GoalProgressEvent:
    goal: Goal = strawberry.field(description="A goal whose progress the change may have moved, as you see it now.")
    progress: float = strawberry.field(description=(
        "That goal's progress after the change, a share from 0 to 1, rounded to four decimal places (only the "
        "parts you see count)."))
    kind: GoalChangeKind = strawberry.field(description="What changed.")
    changed_goal_id: strawberry.ID | None = strawberry.field(
        description="The goal that changed (this one or one below it); null if you may not see it.")
    key_result_id: strawberry.ID | None = strawberry.field(description=(
        "The key result that changed; null when the change was not about one."))


async def employee_goals(info: Info[Context, Any], employee: Document) -> list[Goal]:
    """``Employee.goals`` (schema/goals/org_fields.py)."""
    return Goal.wrap_all(await goal_queries.employee_goals(info.context, employee))


async def department_goals(info: Info[Context, Any], department: Document) -> list[Goal]:
    """``Department.goals`` (schema/goals/org_fields.py)."""
    return Goal.wrap_all(await goal_queries.department_goals(info.context, department))
