"""Review template overrides: a department's or a person's review template for reviews created from now on."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.reviews.overrides import OverrideUnit
from resolvers.core.context import Context
from resolvers.reviews import template_overrides as resolvers
from resolvers.reviews import templates as template_resolvers
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.reviews.templates import ReviewTemplate


@strawberry.type(description="A review template that cycle launches give a department's or a person's reviews "
                             "instead of the cycle's (a person's own override first, then their department's). "
                             "It applies to reviews and forms created after it was set, never to issued ones.")
class ReviewTemplateOverride:
    doc: strawberry.Private[Document]
    department_id: strawberry.ID | None = strawberry.field(description="The department it is set for (or null).")
    employee_id: strawberry.ID | None = strawberry.field(description="The person it is set for (or null).")
    template_id: strawberry.ID | None = strawberry.field(description="The template version; null: none set (the "
                                                                     "cycle's template applies).")

    @classmethod
    def of(cls, doc: Document) -> ReviewTemplateOverride:
        department = doc["unitId"] if doc["unit"] == OverrideUnit.DEPARTMENT.value else None
        employee = doc["unitId"] if doc["unit"] == OverrideUnit.EMPLOYEE.value else None
        return cls(doc=doc, department_id=department, employee_id=employee, template_id=doc.get("templateId"))

    @strawberry.field(description="The template version new reviews get (null: the cycle's).")
    async def template(self, info: Info[Context, Any]) -> ReviewTemplate | None:
        if self.template_id is None:
            return None
        return ReviewTemplate.wrap(await template_resolvers.template(info.context, self.template_id))


@strawberry.type(description="The result of setting a review template override.")
class ReviewTemplateOverridePayload:
    override: ReviewTemplateOverride | None = strawberry.field(description="The override as stored now.")
    errors: list[Error] = strawberry.field(description="Why nothing was written (NOT_FOUND, INVALID).")


def payload(outcome: Any) -> ReviewTemplateOverridePayload:
    doc = outcome.document
    return ReviewTemplateOverridePayload(override=ReviewTemplateOverride.of(doc) if doc else None,
                                         errors=errors_of(outcome.errors))


@strawberry.type
class OverrideQuery:
    @strawberry.field(metadata=listed(1000), description="HR admins: every review template override, departments "
                                                         "first (at most 1,000).")
    async def review_template_overrides(self, info: Info[Context, Any]) -> list[ReviewTemplateOverride] | None:
        return [ReviewTemplateOverride.of(d) for d in await resolvers.template_overrides(info.context)]


@strawberry.type
class OverrideMutation:
    @strawberry.mutation(description="HR admins: the review template of a department's reviews that launches "
                                     "create from now on (its people without an override of their own); null "
                                     "removes it. A running REVIEW_TEMPLATE pilot's revert restores what it found.")
    async def set_department_review_template(
        self, info: Info[Context, Any],
        department_id: Annotated[strawberry.ID, strawberry.argument(description="The department.")],
        template_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="The current version of a review template; null: the cycle's again.")] = None,
    ) -> ReviewTemplateOverridePayload:
        return payload(await resolvers.set_template_override(info.context, OverrideUnit.DEPARTMENT, department_id,
                                                             template_id))

    @strawberry.mutation(description="HR admins: the review template of one person's reviews that launches create "
                                     "from now on (before their department's); null removes it.")
    async def set_employee_review_template(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person (who has not left).")],
        template_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="The current version of a review template; null: none of their own.")] = None,
    ) -> ReviewTemplateOverridePayload:
        return payload(await resolvers.set_template_override(info.context, OverrideUnit.EMPLOYEE, employee_id,
                                                             template_id))
