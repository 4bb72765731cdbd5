"""Cycle queries (progress, overdue forms, distributions) and mutations (create, launch, nominate peers)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context
from resolvers.reviews import cycle_mutations as mutations
from resolvers.reviews import cycle_queries as resolvers
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.reviews.cycles import (
    CycleDistribution,
    CycleProgress,
    LaunchSummary,
    ReviewCycle,
    distribution,
)
from schema.reviews.inputs import ReviewCycleInput, cycle_data
from schema.reviews.types import Review, ReviewForm


@strawberry.type
class ReviewCyclePayload:
    cycle: ReviewCycle | None
    errors: list[Error]


@strawberry.type
class LaunchReviewCyclePayload:
    cycle: ReviewCycle | None
    launch: LaunchSummary | None
    errors: list[Error]


@strawberry.type
class NominatePeersPayload:
    review: Review | None
    errors: list[Error]


@strawberry.type
class CycleQuery:
    @strawberry.field(metadata=listed(50), description="Review cycles, most recent period first (everyone reads them).")
    async def review_cycles(self, info: Info[Context, Any]) -> list[ReviewCycle]:
        return ReviewCycle.wrap_all(await resolvers.review_cycles(info.context))

    @strawberry.field(description="One review cycle; null for an unknown id.")
    async def review_cycle(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The cycle's id (ReviewCycle.id).")],
    ) -> ReviewCycle | None:
        return ReviewCycle.wrap(await resolvers.review_cycle(info.context, id))

    @strawberry.field(description="Managers (the people below them) and HR admins (everyone): forms not started, "
                                  "in progress and submitted per phase and department; reviews per state. Null "
                                  "(with the error) when refused.")
    async def cycle_progress(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle whose progress to report.")],
    ) -> CycleProgress | None:
        return CycleProgress.of(await resolvers.progress(info.context, cycle_id))

    @strawberry.field(
        metadata=listed(200),
        description="Managers and HR admins: forms not submitted whose phase deadline has passed "
                                  "(asOf: default today); null (with the error) when refused.")
    async def overdue_forms(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle whose overdue forms to list.")],
        as_of: Annotated[date | None, strawberry.argument(description=(
            "The day to count from; omitted, today (UTC)."))] = None,
    ) -> list[ReviewForm] | None:
        return ReviewForm.wrap_all(await resolvers.overdue(info.context, cycle_id, as_of))

    @strawberry.field(description="HR admins: reviews per rating and department, before and after calibration; "
                                  "null (with the error) when refused.")
    async def cycle_distribution(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The cycle whose rating distribution to report."))],
    ) -> CycleDistribution | None:
        return await distribution(info, cycle_id)


@strawberry.type
class CycleMutation:
    @strawberry.mutation(description="HR admins: a review cycle (draft until launched).")
    async def create_review_cycle(
        self, info: Info[Context, Any],
        input: Annotated[ReviewCycleInput, strawberry.argument(description=(
            "The new cycle (a draft until launched)."))],
    ) -> ReviewCyclePayload:
        outcome = await mutations.create_cycle(info.context, cycle_data(input))
        return ReviewCyclePayload(cycle=ReviewCycle.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins: create every eligible employee's review and forms in one step. "
                                     "Idempotent: launching again creates nothing new and completes a launch "
                                     "that stopped part-way.")
    async def launch_review_cycle(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The draft (or half-launched) cycle.")],
    ) -> LaunchReviewCyclePayload:
        outcome = await mutations.launch_cycle(info.context, cycle_id)
        result = outcome.extra.get("launch")
        return LaunchReviewCyclePayload(cycle=ReviewCycle.wrap(outcome.document),
                                        launch=LaunchSummary.of(result) if result else None,
                                        errors=errors_of(outcome.errors))

    @strawberry.mutation(description="The reviewee, their managers or HR admins: the peers who review someone "
                                     "(replaces the list; a peer who started stays).")
    async def nominate_peers(
        self, info: Info[Context, Any],
        review_id: Annotated[strawberry.ID, strawberry.argument(description="The review whose peers to set.")],
        peer_ids: Annotated[list[strawberry.ID], strawberry.argument(description=(
            "The whole set of peers (at most 10, never the reviewee); forms are issued for new ones."))],
    ) -> NominatePeersPayload:
        outcome = await mutations.nominate_peers(info.context, review_id, list(peer_ids))
        return NominatePeersPayload(review=Review.wrap(outcome.document), errors=errors_of(outcome.errors))
