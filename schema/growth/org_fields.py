"""The growth domain's fields on Employee (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context, require
from resolvers.growth.visibility import plan_views
from schema.core.descriptions import HIDDEN as NULL
from schema.growth.types import GrowthPlan


@strawberry.type(name="GrowthEmployeeFields", description="The growth domain's fields of a person.")
class GrowthEmployeeFields:
    @strawberry.field(description="This person's growth plan, for the person, their management chain, HR admins "
                                  f"and a mentor it is shared with; {NULL} (null too while they have no plan).")
    async def growth_plan(self, info: Info[Context, Any]) -> GrowthPlan | None:
        viewer = (await require(info.context)).viewer
        [view] = await plan_views(info.context, [self.doc])  # type: ignore[attr-defined]
        return GrowthPlan(view=view) if view.readable_by(viewer) else None
