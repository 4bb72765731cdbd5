"""The compensation domain's fields on Employee (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.compensation.access import pay_view
from resolvers.core.context import Context
from schema.compensation.types import EmployeePay
from schema.core.descriptions import HIDDEN as NULL


@strawberry.type(name="CompensationEmployeeFields", description="The compensation domain's fields of a person.")
class CompensationEmployeeFields:
    @strawberry.field(description="The person's pay: the person, compensation admins, and their managers while a "
                                  f"merit cycle is in proposals or review; {NULL} (employeePay(employeeId:) "
                                  "answers FORBIDDEN instead).")
    async def pay(self, info: Info[Context, Any]) -> EmployeePay | None:
        view = await pay_view(info.context, self.doc["_id"])  # type: ignore[attr-defined]
        return None if view is None else EmployeePay(view=view)
