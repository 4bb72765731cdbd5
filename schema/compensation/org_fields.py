"""The compensation domain's fields on Employee (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import OperationType
from strawberry.types import Info

from resolvers.compensation.access import pay_view
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from schema.compensation.types import EmployeePay
from schema.core.descriptions import HIDDEN as NULL

# Pay never travels over a subscription: an Employee reaches org-wide events (orgChartChanged, praisePosted,
# goalProgressChanged) and their shared executions, where one viewer's right to a person's pay must not decide
# what the others receive. Whatever the viewer's roles, a subscription answers this refusal at the field.
PAY_NOT_LIVE = "pay is not sent over subscriptions"


@strawberry.type(name="CompensationEmployeeFields", description="The compensation domain's fields of a person.")
class CompensationEmployeeFields:
    @strawberry.field(description="The person's pay: the person, compensation admins, and their managers while a "
                                  f"merit cycle is in proposals or review; {NULL} (employeePay(employeeId:) "
                                  "answers FORBIDDEN instead). Never over a subscription: FORBIDDEN there, "
                                  "whoever subscribes.")
    async def pay(self, info: Info[Context, Any]) -> EmployeePay | None:
        if info.operation.operation is OperationType.SUBSCRIPTION:
            raise Forbidden(PAY_NOT_LIVE)
        view = await pay_view(info.context, self.doc["_id"])  # type: ignore[attr-defined]
        return None if view is None else EmployeePay(view=view)
