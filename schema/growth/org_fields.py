"""The growth domain's fields on Employee (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.growth.visibility import PLAN_REFUSAL, plan_views
from schema.growth.types import GrowthPlan


@strawberry.type(name="GrowthEmployeeFields", description="The growth domain's fields of a person.")
class GrowthEmployeeFields:
    @strawberry.field(description="This person's growth plan: null, with a FORBIDDEN error, unless you are the "
                                  "person, one of their managers, an HR admin or a mentor it is shared with.")
    async def growth_plan(self, info: Info[Context, Any]) -> GrowthPlan | None:
        viewer = (await require(info.context)).viewer
        [view] = await plan_views(info.context, [self.doc])  # type: ignore[attr-defined]
        if not view.readable_by(viewer):
            raise Forbidden(PLAN_REFUSAL)
        return GrowthPlan(view=view)
