"""The compensation domain's fields on Employee (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.compensation.access import PAY_REFUSAL, pay_view
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from schema.compensation.types import EmployeePay


@strawberry.type(name="CompensationEmployeeFields", description="The compensation domain's fields of a person.")
class CompensationEmployeeFields:
    @strawberry.field(description="The person's pay: the person, compensation admins, and their managers while a "
                                  "merit cycle is in proposals or review; anyone else gets null and FORBIDDEN.")
    async def pay(self, info: Info[Context, Any]) -> EmployeePay | None:
        view = await pay_view(info.context, self.doc["_id"])  # type: ignore[attr-defined]
        if view is None:
            raise Forbidden(PAY_REFUSAL)
        return EmployeePay(view=view)
