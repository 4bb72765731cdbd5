"""Learning evidence in GraphQL: HR's activity mappings and the evidence on a person's profile."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from resolvers.core.context import Context
from resolvers.integrations import learning
from resolvers.reviews import access as reviews_access
from schema.core.errors import Error, errors_of


@strawberry.type(description="HR's link from a learning activity (an xAPI activity id) to a competency and level.")
class LearningMapping:
    id: strawberry.ID = strawberry.field(description="The mapping.")
    activity_id: str = strawberry.field(description="The activity's IRI, as xAPI statements name it.")
    competency_id: strawberry.ID = strawberry.field(description="The competency a pass gives evidence of.")
    level: int = strawberry.field(description="The competency level (1–5) it shows.")

    @classmethod
    def wrap(cls, doc: Document | None) -> LearningMapping | None:
        if doc is None:
            return None
        return cls(id=strawberry.ID(doc["_id"]), activity_id=doc["activityId"],
                   competency_id=strawberry.ID(doc["competencyId"]), level=doc["level"])


@strawberry.type(description="Evidence of a competency on a person's profile: a passed learning activity.")
class LearningEvidence:
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The evidence.")
    competency_id: strawberry.ID = strawberry.field(description="The competency it shows.")
    level: int = strawberry.field(description="The level it shows (1–5).")
    source: str = strawberry.field(description="Where it came from (`xapi`).")
    activity_id: str = strawberry.field(description="The activity passed.")
    activity_name: str | None = strawberry.field(description="The activity's name, as the learning system sent it.")
    achieved_at: datetime = strawberry.field(description="When it was passed (the statement's timestamp).")

    @classmethod
    def wrap(cls, doc: Document) -> LearningEvidence:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), competency_id=strawberry.ID(doc["competencyId"]),
                   level=doc["level"], source=doc["source"], activity_id=doc["activityId"],
                   activity_name=doc.get("activityName"), achieved_at=doc["achievedAt"])

    @strawberry.field(description="The competency's name.")
    async def competency_name(self, info: Info[Context, Any]) -> str | None:
        competency = await reviews_access.competency(info.context, self.doc["competencyId"])
        return competency["name"] if competency else None


@strawberry.type(description="The mapping saved.")
class LearningMappingPayload:
    mapping: LearningMapping | None = strawberry.field(description="The mapping; null when refused.")
    errors: list[Error] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="Learning evidence added to a person's profile.")
class LearningEvidenceEvent:
    employee_id: strawberry.ID = strawberry.field(description="The person.")
    evidence_ids: list[strawberry.ID] = strawberry.field(description="The evidence added by this commit.")


@strawberry.type
class LearningMutation:
    @strawberry.mutation(description="HR admins: map a learning activity to a competency and level; a passed "
                                     "activity then becomes evidence on the learner's profile.")
    async def save_learning_mapping(
        self, info: Info[Context, Any],
        activity_id: Annotated[str, strawberry.argument(description=(
            "The learning system's activity id (an xAPI object IRI)."))],
        competency_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The competency that passing the activity shows."))],
        level: Annotated[int, strawberry.argument(description="The level it shows, 1 to 5.")],
    ) -> LearningMappingPayload:
        outcome = await learning.save_learning_mapping(info.context, activity_id, competency_id, level)
        return LearningMappingPayload(mapping=LearningMapping.wrap(outcome.document), errors=errors_of(outcome.errors))


@strawberry.type
class LearningSubscription:
    @strawberry.subscription(description="Learning evidence added to one person's profile (for the person, their "
                                         "managers and HR admins).")
    async def learning_evidence_added(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The person whose new evidence to follow."))],
    ) -> AsyncGenerator[LearningEvidenceEvent, None]:
        async for m in learning.evidence_added(info.context, employee_id):
            yield LearningEvidenceEvent(employee_id=strawberry.ID(m["employeeId"]),
                                        evidence_ids=[strawberry.ID(i) for i in m["evidenceIds"]])
