"""The competency framework: types, queries and the HR mutations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.reviews.competencies import ProfileEntry
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.reviews import competencies as resolvers
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.core.node import Node
from schema.org.types import Position, PositionFields
from schema.reviews.inputs import CompetencyExpectationInput, CompetencyInput, competency_data


@strawberry.type(description="What a competency looks like at one level (1-5).")
class CompetencyLevel:
    level: int = strawberry.field(description="The level, 1 to 5.")
    description: str = strawberry.field(description="What someone at this level does.")


@strawberry.type(description="A competency of the organisation's framework, with five levels.")
class Competency(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str = strawberry.field(description="The competency's name.")
    description: str = strawberry.field(description="What it covers; empty when none was written.")
    category: str = strawberry.field(description="Its category, for grouping (\"Leadership\", \"Craft\").")
    archived: bool = strawberry.field(description=(
        "Whether it was archived: kept for past reviews, not offered for new templates."))
    levels: list[CompetencyLevel] = strawberry.field(description="What each level from 1 to 5 means for it.")

    @classmethod
    def wrap(cls, doc: Document | None) -> Competency | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"], description=doc.get("description", ""),
                   category=doc.get("category", ""), archived=bool(doc.get("archived")),
                   levels=[CompetencyLevel(level=lv["level"], description=lv["description"])
                           for lv in doc.get("levels", [])])


@strawberry.type(description="The level of a competency a position expects.")
class CompetencyExpectation:
    doc: strawberry.Private[Document]
    expected_level: int = strawberry.field(description="The level expected of the position's holders, 1 to 5.")

    @strawberry.field(description="The competency expected.")
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        return Competency.wrap(await resolvers.competency(info.context, self.doc["competencyId"]))

    @strawberry.field(description="The position that expects it.")
    async def position(self, info: Info[Context, Any]) -> Position | None:
        return PositionFields.wrap(await load(info.context, "position_by_id", self.doc["positionId"]))


def expectations_of(docs: list[Document]) -> list[CompetencyExpectation]:
    return [CompetencyExpectation(doc=d, expected_level=d["expectedLevel"]) for d in docs]


@strawberry.type(description="Learning evidence of a competency: an activity passed in a learning system (xAPI), "
                             "mapped by HR to the competency and a level.")
class CompetencyEvidence:
    source: str = strawberry.field(description="Where it came from: `xapi`.")
    level: int = strawberry.field(description="The level (1-5) HR's mapping gives the activity.")
    activity_id: str = strawberry.field(description="The learning system's activity id.")
    activity_name: str | None = strawberry.field(description="The activity's name, as the learning system sent it.")
    achieved_at: datetime = strawberry.field(description="When it was passed.")


@strawberry.type(description="One competency of a person: expected for their position, assessed in the last "
                             "shared review (by their manager), and the gap (assessed minus expected).")
class CompetencyProfileEntry:
    entry: strawberry.Private[ProfileEntry]
    expected_level: int | None = strawberry.field(description=(
        "The level the person's position expects, 1 to 5; null when it expects none."))
    assessed_level: int | None = strawberry.field(description=(
        "The level their manager assessed in their last shared review, 1 to 5; null when never assessed."))
    gap: int | None = strawberry.field(description=(
        "assessedLevel minus expectedLevel (negative: below expectations); null when either is missing."))
    review_id: strawberry.ID | None = strawberry.field(description="The review the assessed level comes from.")

    @strawberry.field(description="The competency this entry compares.")
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        return Competency.wrap(await resolvers.competency(info.context, self.entry.competency_id))

    @strawberry.field(description="Learning passed that evidences it, oldest first.", metadata=listed(100))
    def evidence(self) -> list[CompetencyEvidence]:
        return [CompetencyEvidence(source=e.get("source") or "xapi", level=e["level"], activity_id=e["activityId"],
                                   activity_name=e.get("activityName"), achieved_at=e["achievedAt"])
                for e in self.entry.evidence[:100]]


async def competency_profile(info: Info[Context, Any], employee: Document) -> list[CompetencyProfileEntry] | None:
    """The body of ``Employee.competencyProfile`` (``schema/reviews/org_fields.py``)."""
    entries = await resolvers.competency_profile(info.context, employee)
    if entries is None:
        return None
    return [CompetencyProfileEntry(entry=e, expected_level=e.expected_level, assessed_level=e.assessed_level,
                                   gap=e.gap, review_id=strawberry.ID(e.review_id) if e.review_id else None)
            for e in entries]


@strawberry.type
class CompetencyPayload:
    competency: Competency | None
    errors: list[Error]


@strawberry.type
class PositionCompetenciesPayload:
    expectations: list[CompetencyExpectation]
    errors: list[Error]


@strawberry.type
class CompetencyQuery:
    @strawberry.field(
        metadata=listed(100), description="The competency framework (everyone in the organisation reads it).")
    async def competencies(
        self, info: Info[Context, Any],
        category: Annotated[str | None, strawberry.argument(description=(
            "Only competencies of this category."))] = None,
        include_archived: Annotated[bool, strawberry.argument(description=(
            "Include archived competencies (default false)."))] = False,
    ) -> list[Competency]:
        docs = await resolvers.competencies(info.context, category, include_archived)
        return [c for c in map(Competency.wrap, docs) if c is not None]

    @strawberry.field(description="One competency of the organisation's library; null for an unknown id.")
    async def competency(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The competency's id (Competency.id).")],
    ) -> Competency | None:
        return Competency.wrap(await resolvers.competency(info.context, id))

    @strawberry.field(metadata=listed(50), description="The competency levels a position expects.")
    async def position_competencies(
        self, info: Info[Context, Any],
        position_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The position whose expected levels to list."))],
    ) -> list[CompetencyExpectation]:
        return expectations_of(await resolvers.expectations(info.context, position_id))


@strawberry.type
class CompetencyMutation:
    @strawberry.mutation(description="HR admins: create a competency (id omitted) or change one.")
    async def save_competency(
        self, info: Info[Context, Any],
        input: Annotated[CompetencyInput, strawberry.argument(description="The competency's fields.")],
        id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "The competency to change; omitted, a new one is created."))] = None,
    ) -> CompetencyPayload:
        outcome = await resolvers.save_competency(info.context, id, competency_data(input))
        return CompetencyPayload(competency=Competency.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins: the competencies a position expects and at which level "
                                     "(replaces the position's list).")
    async def set_position_competencies(
        self, info: Info[Context, Any],
        position_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The position whose expected levels to set."))],
        expectations: Annotated[list[CompetencyExpectationInput], strawberry.argument(description=(
            "Its whole new set of expected levels (replacing the old one)."))],
    ) -> PositionCompetenciesPayload:
        items = [{"competencyId": e.competency_id, "expectedLevel": e.expected_level} for e in expectations]
        outcome = await resolvers.set_position_competencies(info.context, position_id, items)
        return PositionCompetenciesPayload(expectations=expectations_of(outcome.extra.get("expectations", [])),
                                           errors=errors_of(outcome.errors))


async def position_expectations(info: Info[Context, Any], position: Document) -> list[CompetencyExpectation]:
    """The body of ``Position.expectedCompetencies`` (``schema/reviews/org_fields.py``)."""
    return expectations_of(await resolvers.expectations(info.context, position["_id"]))
