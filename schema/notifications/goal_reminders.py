"""The goal-update reminder cadence of a department or a person, over the organisation's staleGoalWeeks."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.notifications.reminders import DEPARTMENT, EMPLOYEE
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.notifications import goal_reminders as resolvers
from schema.core.cost import listed
from schema.core.errors import Error, errors_of


@strawberry.type(description="A department's or a person's own goal-update reminder cadence: a goal of theirs "
                             "without an update for this many weeks reminds its owner (a person's own first, then "
                             "their department's, else the organisation's staleGoalWeeks).")
class GoalReminderOverride:
    department_id: strawberry.ID | None = strawberry.field(description="The department it is set for (or null).")
    employee_id: strawberry.ID | None = strawberry.field(description="The person it is set for (or null).")
    stale_goal_weeks: int | None = strawberry.field(description="1 to 52; null: none of its own.")

    @classmethod
    def of(cls, doc: Document) -> GoalReminderOverride:
        return cls(department_id=doc["unitId"] if doc["unit"] == DEPARTMENT else None,
                   employee_id=doc["unitId"] if doc["unit"] == EMPLOYEE else None,
                   stale_goal_weeks=doc.get("staleGoalWeeks"))


@strawberry.type(description="The result of setting a goal-update reminder cadence.")
class GoalReminderOverridePayload:
    override: GoalReminderOverride | None = strawberry.field(description="As stored now.")
    errors: list[Error] = strawberry.field(description="Why nothing was written (NOT_FOUND, INVALID).")


def payload(outcome: Outcome) -> GoalReminderOverridePayload:
    doc = outcome.document
    return GoalReminderOverridePayload(override=GoalReminderOverride.of(doc) if doc else None,
                                       errors=errors_of(outcome.errors))


WEEKS = "Weeks, 1 to 52; null removes it."


@strawberry.type
class GoalReminderQuery:
    @strawberry.field(metadata=listed(1000), description="HR admins: the departments' and people's own goal-update "
                                                         "reminder cadences, departments first (at most 1,000).")
    async def goal_reminder_overrides(self, info: Info[Context, Any]) -> list[GoalReminderOverride] | None:
        return [GoalReminderOverride.of(d) for d in await resolvers.overrides(info.context)]


@strawberry.type
class GoalReminderMutation:
    @strawberry.mutation(description="HR admins: a department's own goal-update reminder cadence (its people "
                                     "without one of their own).")
    async def set_department_stale_goal_weeks(
        self, info: Info[Context, Any],
        department_id: Annotated[strawberry.ID, strawberry.argument(description="The department.")],
        weeks: Annotated[int | None, strawberry.argument(description=WEEKS)] = None,
    ) -> GoalReminderOverridePayload:
        return payload(await resolvers.set_stale_goal_weeks(info.context, DEPARTMENT, department_id, weeks))

    @strawberry.mutation(description="HR admins: a person's own goal-update reminder cadence.")
    async def set_employee_stale_goal_weeks(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person (who has not left).")],
        weeks: Annotated[int | None, strawberry.argument(description=WEEKS)] = None,
    ) -> GoalReminderOverridePayload:
        return payload(await resolvers.set_stale_goal_weeks(info.context, EMPLOYEE, employee_id, weeks))
