"""The reviews domain's fields on Employee, Department and Position (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context
from schema.core.cost import listed
from schema.reviews.competencies import (
    CompetencyExpectation,
    CompetencyProfileEntry,
    competency_profile,
    position_expectations,
)


@strawberry.type(name="ReviewEmployeeFields", description="The reviews domain's fields of a person.")
class ReviewEmployeeFields:
    @strawberry.field(
        metadata=listed(50),
        description="Per competency: the level expected for the person's position, the level assessed "
                    "in their last shared review, and the gap. The person, their management chain and HR "
                    "admins; null for anyone else, by design and without an error.")
    async def competency_profile(
        self, info: Info[Context, Any],
    ) -> list[CompetencyProfileEntry] | None:
        return await competency_profile(info, self.doc)


@strawberry.type(name="ReviewPositionFields", description="The reviews domain's fields of a position.")
class ReviewPositionFields:
    @strawberry.field(metadata=listed(50), description="The competency levels this position expects.")
    async def expected_competencies(
        self, info: Info[Context, Any],
    ) -> list[CompetencyExpectation]:
        return await position_expectations(info, self.doc)
