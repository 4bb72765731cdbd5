"""A review cycle's own fields (period, status, phases, eligibility, template), apart from its reviews.

``ReviewCycle`` (``schema/reviews/cycles.py``) adds the cycle's reviews to these fields. A review and a form
show their cycle through :data:`LazyReviewCycle` with a value built by ``ReviewCycleFields.wrap``, so
``schema/reviews/types.py`` and ``schema/reviews/cycles.py`` do not import each other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from resolvers.core.context import Context
from resolvers.reviews import templates as template_resolvers
from schema.core.node import Node
from schema.reviews.enums import CycleStatusEnum, PhaseEnum
from schema.reviews.templates import ReviewTemplate

LazyReviewCycle = Annotated["ReviewCycle", strawberry.lazy("schema.reviews.cycles")]  # noqa: F821 (lazy)


@strawberry.type(description="One phase of a review cycle and its deadline.")
class CyclePhase:
    phase: PhaseEnum = strawberry.field(description="Which phase of the cycle.")
    deadline: date = strawberry.field(description="Its last day.")


@strawberry.type(description="Who a launch reviews: active, hired strictly before hiredBefore, in these "
                             "departments or below them (none: everyone), not excluded.")
class CycleEligibility:
    hired_before: date = strawberry.field(description="Only people hired strictly before this day are reviewed.")
    department_ids: list[strawberry.ID] = strawberry.field(description=(
        "Only people of these departments; empty: every department."))
    excluded_employee_ids: list[strawberry.ID] = strawberry.field(description="People left out by name.")


@strawberry.type(name="ReviewCycleFields", description="A review cycle's own fields.")
class ReviewCycleFields(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str = strawberry.field(description="The cycle's name (\"2026 annual review\").")
    status: CycleStatusEnum = strawberry.field(description="Where the cycle stands.")
    period_start: date = strawberry.field(description="The first day of the period under review.")
    period_end: date = strawberry.field(description="The last day of the period under review.")
    peers_per_reviewee: int = strawberry.field(description="How many peers each reviewee should have nominated.")

    @classmethod
    def wrap(cls, doc: Document | None) -> Self | None:
        return None if doc is None else cls.of(doc)

    @classmethod
    def of(cls, doc: Document) -> Self:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"], status=CycleStatusEnum(doc["status"]),
                   period_start=date.fromisoformat(doc["periodStart"]), period_end=date.fromisoformat(doc["periodEnd"]),
                   peers_per_reviewee=doc.get("peersPerReviewee", 0))

    @strawberry.field(description="Its phases with their deadlines, in order.")
    def phases(self) -> list[CyclePhase]:
        return [CyclePhase(phase=PhaseEnum(p["phase"]), deadline=date.fromisoformat(p["deadline"]))
                for p in self.doc.get("phases", [])]

    @strawberry.field(description="Who is reviewed.")
    def eligibility(self) -> CycleEligibility:
        rules = self.doc["eligibility"]
        return CycleEligibility(hired_before=date.fromisoformat(rules["hiredBefore"]),
                                department_ids=list(rules.get("departmentIds", [])),
                                excluded_employee_ids=list(rules.get("excludedEmployeeIds", [])))

    @strawberry.field(description="The template version its forms are issued from.")
    async def template(self, info: Info[Context, Any]) -> ReviewTemplate | None:
        return ReviewTemplate.wrap(await template_resolvers.template(info.context, self.doc["templateId"]))

    @strawberry.field(description="When it was launched (UTC); null while a draft.")
    def launched_at(self) -> datetime | None:
        return self.doc.get("launchedAt")
