"""Goal queries, mutations and the live goalProgressChanged subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.goals.filters import GoalFilterSpec
from models.goals.rules import GoalChange, GoalStatus
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.goals import key_results as key_result_mutations
from resolvers.goals import mutations as goals_mutations
from resolvers.goals import queries as goals
from resolvers.goals import subscriptions as goals_subscriptions
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.core.pagination import After, Before, Connection, First, Last, window
from schema.goals.inputs import (
    CreateGoalInput,
    GoalFilter,
    KeyResultInput,
    PeriodInput,
    UpdateGoalInput,
    UpdateKeyResultInput,
)
from schema.goals.types import Goal, GoalProgressEvent, GoalStatusEnum, GoalTreeNode, TeamMemberGoals
from schema.org.inputs import provided

GoalFilterArg = Annotated[GoalFilter | None, strawberry.argument(
    description="Which goals to list; omitted, every goal you may see that is not archived.")]


@strawberry.type
class GoalPayload:
    goal: Goal | None
    errors: list[Error]


def goal_payload(outcome: Outcome) -> GoalPayload:
    return GoalPayload(goal=Goal.wrap(outcome.document), errors=errors_of(outcome.errors))


def _period(period: PeriodInput | None) -> tuple[str | None, str | None]:
    if period is None:
        return None, None
    return (period.start.isoformat() if period.start else None, period.end.isoformat() if period.end else None)


def filter_spec(filter: GoalFilter) -> GoalFilterSpec:
    start, end = _period(filter.period)
    return GoalFilterSpec(owner_id=filter.owner_id, department_id=filter.department_id,
                          level=filter.level.value if filter.level else None,
                          statuses=tuple(s.value for s in filter.status or []), period_start=start, period_end=end,
                          include_archived=filter.include_archived)


def key_result_data(input: KeyResultInput) -> dict[str, Any]:
    return dict(vars(input))


@strawberry.type
class GoalsQuery:
    @strawberry.field(description="A goal you may see; null for an unknown id.")
    async def goal(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The goal's id (Goal.id).")],
    ) -> Goal | None:
        return Goal.wrap(await goals.goal(info.context, id))

    @strawberry.field(description="Goals you may see, by due date, paginated (first ≤ 100); archived ones left out.")
    async def goals(self, info: Info[Context, Any], filter: GoalFilterArg = None,
                    first: First = 20, after: After = None,
                    last: Last = None, before: Before = None) -> Connection[Goal]:
        page = await goals.goals(info.context, filter_spec(filter or GoalFilter()),
                                 window(info, first, after, last, before))
        return Connection[Goal].of(page, Goal.wrap)

    @strawberry.field(description="The alignment tree below a goal; a goal you may not see is a redacted node "
                                  "where goals you see hang below it, and is left out otherwise.")
    async def goal_tree(
        self, info: Info[Context, Any],
        root_goal_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The goal at the top of the tree (a company goal, say)."))],
    ) -> GoalTreeNode | None:
        node = await goals.goal_tree(info.context, root_goal_id)
        return GoalTreeNode.wrap(node, node.id) if node else None

    @strawberry.field(
        metadata=listed(30),
        description="Your direct reports' goals: count, mean progress, at-risk and off-track counts.")
    async def my_team_goals(
        self, info: Info[Context, Any],
        period: Annotated[PeriodInput | None, strawberry.argument(description=(
            "Only goals overlapping this period; omitted, all of them."))] = None,
    ) -> list[TeamMemberGoals]:
        start, end = _period(period)
        return [TeamMemberGoals.wrap(m) for m in await goals.my_team_goals(info.context, start, end)]


@strawberry.type
class GoalsMutation:
    @strawberry.mutation(description="Create a goal for yourself, a report, a department you (or a report) head; "
                                     "company goals: HR admins.")
    async def create_goal(
        self, info: Info[Context, Any],
        input: Annotated[CreateGoalInput, strawberry.argument(description=(
            "The new goal; its owner defaults to you."))],
    ) -> GoalPayload:
        data = {**provided(input), "key_results": [key_result_data(kr) for kr in input.key_results]}
        return goal_payload(await goals_mutations.create_goal(info.context, data))

    @strawberry.mutation(description=(
        "Change a goal's fields: its owner, their managers and HR admins (company goals: HR admins)."))
    async def update_goal(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The goal to change.")],
        input: Annotated[UpdateGoalInput, strawberry.argument(description=(
            "The fields to change; the others stay as they are."))],
    ) -> GoalPayload:
        return goal_payload(await goals_mutations.update_goal(info.context, id, provided(input)))

    @strawberry.mutation(description="Archive a goal; goals aligned to it move up to its parent.")
    async def archive_goal(
        self, info: Info[Context, Any],
        goal_id: Annotated[strawberry.ID, strawberry.argument(description="The goal to archive.")],
    ) -> GoalPayload:
        return goal_payload(await goals_mutations.archive_goal(info.context, goal_id))

    @strawberry.mutation(description="Set how a goal is doing (the same editors as updateGoal).")
    async def set_goal_status(
        self, info: Info[Context, Any],
        goal_id: Annotated[strawberry.ID, strawberry.argument(description="The goal.")],
        status: Annotated[GoalStatusEnum, strawberry.argument(description="Its new status.")],
    ) -> GoalPayload:
        return goal_payload(await goals_mutations.set_goal_status(info.context, goal_id, GoalStatus(status.value)))

    @strawberry.mutation(description="Align a goal to a parent goal (null: unalign); cycles are refused.")
    async def align_goal(
        self, info: Info[Context, Any],
        goal_id: Annotated[strawberry.ID, strawberry.argument(description="The goal to align.")],
        parent_goal_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "The goal it contributes to, never itself nor one below it; null: unaligned."))],
    ) -> GoalPayload:
        return goal_payload(await goals_mutations.align_goal(info.context, goal_id, parent_goal_id))

    @strawberry.mutation(description="Add a key result to a goal you may edit (at most 20 per goal).")
    async def add_key_result(
        self, info: Info[Context, Any],
        goal_id: Annotated[strawberry.ID, strawberry.argument(description="The goal.")],
        input: Annotated[KeyResultInput, strawberry.argument(description="The new key result.")],
    ) -> GoalPayload:
        return goal_payload(await key_result_mutations.add_key_result(info.context, goal_id, key_result_data(input)))

    @strawberry.mutation(description=(
        "Change a key result's definition (its value changes through updateKeyResultProgress)."))
    async def update_key_result(
        self, info: Info[Context, Any],
        key_result_id: Annotated[strawberry.ID, strawberry.argument(description="The key result to change.")],
        input: Annotated[UpdateKeyResultInput, strawberry.argument(description=(
            "The fields to change; the others stay as they are."))],
    ) -> GoalPayload:
        return goal_payload(await key_result_mutations.update_key_result(info.context, key_result_id, provided(input)))

    @strawberry.mutation(description="Remove a key result from a goal you may edit; its progress history stays.")
    async def remove_key_result(
        self, info: Info[Context, Any],
        key_result_id: Annotated[strawberry.ID, strawberry.argument(description="The key result to remove.")],
    ) -> GoalPayload:
        return goal_payload(await key_result_mutations.remove_key_result(info.context, key_result_id))

    @strawberry.mutation(description="Record a key result's new value; the change goes into the goal's history.")
    async def update_key_result_progress(
        self, info: Info[Context, Any],
        key_result_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The key result whose value to record."))],
        value: Annotated[float, strawberry.argument(description=(
            "Its current value now, in its unit (0 or 1 for BOOLEAN and MILESTONE, 0 to 100 for PERCENTAGE)."))],
        comment: Annotated[str | None, strawberry.argument(description=(
            "Why it moved, kept in the progress history (at most 5,000 characters)."))] = None,
    ) -> GoalPayload:
        return goal_payload(await key_result_mutations.record_key_result_progress(info.context, key_result_id,
                                                                                  value, comment))


@strawberry.type
class GoalsSubscription:
    @strawberry.subscription(description="The new progress of a goal (goalId), or of each goal an employee or "
                                         "department owns (ownerId), after each committed change to it or below it. "
                                         "Give exactly one of the two; only goals you may see are sent.")
    async def goal_progress_changed(
        self, info: Info[Context, Any],
        goal_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Only changes that move this goal's progress (its own or below it when it rolls up); omitted, every "
            "goal you may see."))] = None,
        owner_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Only goals this person owns."))] = None,
    ) -> AsyncGenerator[GoalProgressEvent, None]:
        async for event in goals_subscriptions.goal_progress_changed(info.context, goal_id, owner_id):
            goal = Goal.wrap(event["goal"])
            assert goal is not None
            yield GoalProgressEvent(goal=goal, progress=event["progress"], kind=GoalChange(event["kind"]),
                                    changed_goal_id=event["changedGoalId"], key_result_id=event["keyResultId"])
