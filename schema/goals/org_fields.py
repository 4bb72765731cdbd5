"""The goals domain's fields on Employee, Department and Position (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context
from schema.core.cost import listed
from schema.goals.types import Goal, department_goals, employee_goals


@strawberry.type(name="GoalEmployeeFields", description="The goals domain's fields of a person.")
class GoalEmployeeFields:
    @strawberry.field(
        metadata=listed(20), description="Goals this person owns that you may see (not archived), by due date.")
    async def goals(self, info: Info[Context, Any]) -> list[Goal]:
        return await employee_goals(info, self.doc)


@strawberry.type(name="GoalDepartmentFields", description="The goals domain's fields of a department.")
class GoalDepartmentFields:
    @strawberry.field(
        metadata=listed(100), description="The department's own goals that you may see (not archived), by due date.")
    async def goals(self, info: Info[Context, Any]) -> list[Goal]:
        return await department_goals(info, self.doc)
