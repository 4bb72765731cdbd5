"""The checkins domain's fields on Employee, Department and Position (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context
from schema.checkins.types import Cadence, CadenceEnum, CheckInSeries, CheckInTemplate, checkins


@strawberry.type(name="CheckInEmployeeFields", description="The checkins domain's fields of a person.")
class CheckInEmployeeFields:
    @strawberry.field(description="This person's check-in series with their managers that you may see.")
    async def check_in_series(self, info: Info[Context, Any],
                              ) -> list[CheckInSeries]:
        return CheckInSeries.wrap_all(await checkins.series_of_employee(info.context, self.doc))


@strawberry.type(name="CheckInDepartmentFields", description="The checkins domain's fields of a department.")
class CheckInDepartmentFields:
    @strawberry.field(description="How often the department's check-ins happen (a series may override it).")
    def check_in_cadence(self) -> CadenceEnum:
        return Cadence(self.doc.get("cadence") or "weekly")

    @strawberry.field(description="The check-in questions used here: the department's own, else the default.")
    async def check_in_template(self, info: Info[Context, Any],
                                ) -> CheckInTemplate | None:
        return CheckInTemplate.wrap(await checkins.department_template(info.context, self.doc))
