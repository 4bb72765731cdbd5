"""Inputs of the goal queries and mutations."""

from __future__ import annotations

from datetime import date

import strawberry

from models.goals.rules import GoalStatus, GoalVisibility
from schema.goals.types import GoalLevelEnum, GoalStatusEnum, GoalVisibilityEnum, MetricKindEnum


@strawberry.input(description="Goals whose [startDate, dueDate] overlaps [start, end] (either end open).")
class PeriodInput:
    start: date | None = None
    end: date | None = None


@strawberry.input
class GoalFilter:
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Goals this employee owns.")
    department_id: strawberry.ID | None = strawberry.field(
        default=None, description="The department's own goals and those of the people in it.")
    level: GoalLevelEnum | None = None
    status: list[GoalStatusEnum] | None = strawberry.field(default=None, description="Any of these statuses.")
    period: PeriodInput | None = None
    include_archived: bool = False


@strawberry.input(description="BOOLEAN and MILESTONE: values 0 (not done) or 1 (done); PERCENTAGE: 0–100.")
class KeyResultInput:
    title: str
    metric_kind: MetricKindEnum
    start_value: float
    target_value: float
    current_value: float | None = strawberry.field(default=None, description="Default: startValue.")
    unit: str = ""
    weight: float = 1.0


@strawberry.input
class CreateGoalInput:
    title: str
    level: GoalLevelEnum
    start_date: date
    due_date: date
    description: str = ""
    owner_employee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Individual goals (default: you) and optionally company goals.")
    owner_department_id: strawberry.ID | None = strawberry.field(default=None, description="Department goals.")
    parent_id: strawberry.ID | None = None
    status: GoalStatusEnum = GoalStatus.ON_TRACK
    visibility: GoalVisibilityEnum = GoalVisibility.EVERYONE
    roll_up_children: bool = False
    key_results: list[KeyResultInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Only the fields sent are changed. Level and owner are fixed once created.")
class UpdateGoalInput:
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    start_date: date | None = strawberry.UNSET
    due_date: date | None = strawberry.UNSET
    visibility: GoalVisibilityEnum | None = strawberry.UNSET
    roll_up_children: bool | None = strawberry.UNSET


@strawberry.input(description="Only the fields sent are changed; the value changes through updateKeyResultProgress.")
class UpdateKeyResultInput:
    title: str | None = strawberry.UNSET
    metric_kind: MetricKindEnum | None = strawberry.UNSET
    start_value: float | None = strawberry.UNSET
    target_value: float | None = strawberry.UNSET
    unit: str | None = strawberry.UNSET
    weight: float | None = strawberry.UNSET
