"""Inputs of the goal queries and mutations."""

from __future__ import annotations

from datetime import date

import strawberry

from models.goals.rules import GoalStatus, GoalVisibility
from schema.goals.types import GoalLevelEnum, GoalStatusEnum, GoalVisibilityEnum, MetricKindEnum


@strawberry.input(description="Goals whose [startDate, dueDate] overlaps [start, end] (either end open).")
class PeriodInput:
    start: date | None = strawberry.field(default=None, description=(
        "The period's first day; null: open at the start."))
    end: date | None = strawberry.field(default=None, description="The period's last day; null: open at the end.")


@strawberry.input(description=(
    "Which goals to list; every condition given must hold, and only goals you may see are listed."))
class GoalFilter:
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Goals this employee owns.")
    department_id: strawberry.ID | None = strawberry.field(
        default=None, description="The department's own goals and those of the people in it.")
    level: GoalLevelEnum | None = strawberry.field(default=None, description="Only goals of this level.")
    status: list[GoalStatusEnum] | None = strawberry.field(default=None, description="Any of these statuses.")
    period: PeriodInput | None = strawberry.field(default=None, description=(
        "Only goals whose dates overlap this period."))
    include_archived: bool = strawberry.field(default=False, description=(
        "Include archived goals (default: left out)."))


@strawberry.input(description="BOOLEAN and MILESTONE: values 0 (not done) or 1 (done); PERCENTAGE: 0–100.")
class KeyResultInput:
    title: str = strawberry.field(description="What is measured, 1 to 200 characters.")
    metric_kind: MetricKindEnum = strawberry.field(description="How it is measured.")
    start_value: float = strawberry.field(description="The value at the start (0 or 1 for BOOLEAN and MILESTONE).")
    target_value: float = strawberry.field(description=(
        "The value to reach, different from startValue (below it for a falling target)."))
    current_value: float | None = strawberry.field(default=None, description="Default: startValue.")
    unit: str = strawberry.field(default="", description=(
        "The unit shown beside the values (\"%\", \"EUR\", \"customers\"), at most 40 characters."))
    weight: float = strawberry.field(default=1.0, description=(
        "Its share in the goal's progress, greater than 0 and at most 1,000 (default 1)."))


@strawberry.input(description="A new goal, with its key results.")
class CreateGoalInput:
    title: str = strawberry.field(description="What the goal is, 1 to 200 characters.")
    level: GoalLevelEnum = strawberry.field(description="Company (HR admins only), department or individual.")
    start_date: date = strawberry.field(description="The first day the goal runs.")
    due_date: date = strawberry.field(description="The day it is due, not before startDate.")
    description: str = strawberry.field(default="", description=(
        "Why it matters and how it is measured, at most 5,000 characters."))
    owner_employee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Individual goals (default: you) and optionally company goals.")
    owner_department_id: strawberry.ID | None = strawberry.field(default=None, description="Department goals.")
    parent_id: strawberry.ID | None = strawberry.field(default=None, description=(
        "The goal this one is aligned below (contributes to); none if omitted."))
    status: GoalStatusEnum = strawberry.field(default=GoalStatus.ON_TRACK, description=(
        "How it is doing; default ON_TRACK."))
    visibility: GoalVisibilityEnum = strawberry.field(default=GoalVisibility.EVERYONE, description=(
        "Who may see it; default EVERYONE. Only the owner or an HR admin makes it PRIVATE."))
    roll_up_children: bool = strawberry.field(default=False, description=(
        "Whether its progress includes the goals aligned below it (default false)."))
    key_results: list[KeyResultInput] = strawberry.field(default_factory=list, description=(
        "Its key results, at most 20 (more can be added later)."))


@strawberry.input(description="Only the fields sent are changed. Level and owner are fixed once created.")
class UpdateGoalInput:
    title: str | None = strawberry.field(default=strawberry.UNSET, description="A new title, 1 to 200 characters.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "A new description, at most 5,000 characters."))
    start_date: date | None = strawberry.field(default=strawberry.UNSET, description="A new first day.")
    due_date: date | None = strawberry.field(default=strawberry.UNSET, description=(
        "A new due day, not before the start."))
    visibility: GoalVisibilityEnum | None = strawberry.field(default=strawberry.UNSET, description=(
        "Who may see it from now on (PRIVATE: the owner or an HR admin only)."))
    roll_up_children: bool | None = strawberry.field(default=strawberry.UNSET, description=(
        "Whether its progress includes the goals aligned below it."))


@strawberry.input(description="Only the fields sent are changed; the value changes through updateKeyResultProgress.")
class UpdateKeyResultInput:
    title: str | None = strawberry.field(default=strawberry.UNSET, description="A new title, 1 to 200 characters.")
    metric_kind: MetricKindEnum | None = strawberry.field(default=strawberry.UNSET, description=(
        "A new way of measuring (the values must suit it)."))
    start_value: float | None = strawberry.field(default=strawberry.UNSET, description="A new start value.")
    target_value: float | None = strawberry.field(default=strawberry.UNSET, description=(
        "A new target, different from the start value."))
    unit: str | None = strawberry.field(default=strawberry.UNSET, description="A new unit, at most 40 characters.")
    weight: float | None = strawberry.field(default=strawberry.UNSET, description=(
        "A new weight, greater than 0 and at most 1,000."))
