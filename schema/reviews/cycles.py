"""Review cycles: the cycle with its reviews (paginated), launch results, progress per phase and
department, and rating distributions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.reviews.cycles import LaunchResult
from models.reviews.rules import Phase, ReviewState
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.reviews import cycle_queries as resolvers
from resolvers.reviews.cycle_queries import Counts, DepartmentRatings, PhaseProgress, Progress
from schema.core.cost import listed
from schema.core.pagination import After, Before, Connection, First, Last, window
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields
from schema.reviews.cycle_fields import ReviewCycleFields
from schema.reviews.enums import PhaseEnum, ReviewStateEnum, SkipReasonEnum
from schema.reviews.types import Review


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


DepartmentArg = Annotated[strawberry.ID | None, strawberry.argument(
    description="Only reviews of people in this department.")]


StateArg = Annotated[ReviewStateEnum | None, strawberry.argument(description="Only reviews in this state.")]


@strawberry.type(description="A review cycle: period, template, phases with deadlines and eligibility.")
class ReviewCycle(ReviewCycleFields):
    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[ReviewCycle]:
        return [c for c in map(cls.wrap, docs) if c is not None]

    @strawberry.field(description="The reviews the viewer may see (HR admins: all; others: their own and those "
                                  "of the people below them), by id (first ≤ 100).")
    async def reviews(self, info: Info[Context, Any], first: First = 50, after: After = None,
                      last: Last = None, before: Before = None, department_id: DepartmentArg = None,
                      state: StateArg = None) -> Connection[Review]:
        page = await resolvers.cycle_reviews(info.context, self.doc, department_id, state.value if state else None,
                                             window(info, first, after, last, before))
        return Connection[Review].of(page, Review.of)


@strawberry.type(description="Someone in the cycle's population who got no review, and why.")
class LaunchSkip:
    employee_id: strawberry.ID = strawberry.field(description="Their id.")
    reason: SkipReasonEnum = strawberry.field(description="Why they got no review.")

    @strawberry.field(description="The person.")
    async def employee(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.employee_id))


@strawberry.type(description="What a launch did: created counts are 0 when it had all been created before.")
class LaunchSummary:
    eligible: int = strawberry.field(description="How many people the eligibility rules select.")
    reviews_created: int = strawberry.field(description=(
        "Reviews this launch created (fewer on a launch that resumes)."))
    forms_created: int = strawberry.field(description="Forms this launch created.")
    reviews_total: int = strawberry.field(description="Reviews the cycle has now.")
    forms_total: int = strawberry.field(description="Forms the cycle has now.")
    skipped: list[LaunchSkip] = strawberry.field(description="People of the included departments not reviewed, "
                                                             "and why (terminated, on leave, hired on or after the "
                                                             "cutoff, excluded).")

    @classmethod
    def of(cls, result: LaunchResult) -> LaunchSummary:
        return cls(eligible=result.eligible, reviews_created=result.reviews_created, forms_created=result.forms_created,
                   reviews_total=result.reviews_total, forms_total=result.forms_total,
                   skipped=[LaunchSkip(employee_id=strawberry.ID(s.employee_id), reason=SkipReasonEnum(s.reason))
                            for s in result.skipped])


@strawberry.type(description="How many review forms are in each state.")
class FormCounts:
    not_started: int = strawberry.field(description="Forms with nothing answered.")
    in_progress: int = strawberry.field(description="Forms answered in part, not submitted.")
    submitted: int = strawberry.field(description="Submitted forms.")

    @classmethod
    def of(cls, counts: Counts) -> FormCounts:
        return cls(not_started=counts.not_started, in_progress=counts.in_progress, submitted=counts.submitted)


@strawberry.type(description="The forms of one department's reviewees, by state.")
class DepartmentProgress:
    department_id: strawberry.ID | None = strawberry.field(description=(
        "The department; null for reviewees without one."))
    counts: FormCounts = strawberry.field(description="Its forms by state.")

    @strawberry.field(description="The department; null for reviewees without one.")
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return DepartmentFields.wrap(await load(info.context, "department_by_id", self.department_id))


@strawberry.type(description="The forms due by one phase's deadline, by state.")
class PhaseProgressType:
    phase: PhaseEnum = strawberry.field(description="Which phase of the cycle.")
    deadline: date | None = strawberry.field(description="Its deadline; null when the cycle sets none.")
    counts: FormCounts = strawberry.field(description="Its forms by state.")
    departments: list[DepartmentProgress] = strawberry.field(
        metadata=listed(200), description="The same counts per department.")

    @classmethod
    def of(cls, progress: PhaseProgress) -> PhaseProgressType:
        departments = [DepartmentProgress(department_id=d, counts=FormCounts.of(c))
                       for d, c in sorted(progress.by_department.items(), key=lambda item: item[0] or "")]
        return cls(phase=PhaseEnum(progress.phase), deadline=_date(progress.deadline),
                   counts=FormCounts.of(progress.total), departments=departments)


@strawberry.type(description="How many reviews are in one state.")
class ReviewStateCount:
    state: ReviewStateEnum = strawberry.field(description="The review state counted.")
    count: int = strawberry.field(description="How many reviews are in it.")


@strawberry.type(description="Forms not started, in progress and submitted, per phase and per department.")
class CycleProgress:
    cycle: ReviewCycle = strawberry.field(description="The cycle this progress is of.")
    phases: list[PhaseProgressType] = strawberry.field(metadata=listed(len(Phase)), description=(
        "Per phase, its deadline and the state of the forms due by it."))
    review_states: list[ReviewStateCount] = strawberry.field(
        metadata=listed(len(ReviewState)), description="How many reviews are in each state.")

    @classmethod
    def of(cls, progress: Progress) -> CycleProgress:
        cycle, phases, states = progress
        return cls(cycle=ReviewCycle.of(cycle), phases=[PhaseProgressType.of(p) for p in phases],
                   review_states=[ReviewStateCount(state=ReviewStateEnum(s), count=states.get(s.value, 0))
                                  for s in ReviewStateEnum])


@strawberry.type(description="How many reviews have one rating.")
class RatingCount:
    rating: int | None = strawberry.field(description="null: not rated yet.")
    count: int = strawberry.field(description="How many reviews have it.")


def rating_counts(counts: dict[int | None, int], scale: dict[str, int]) -> list[RatingCount]:
    ratings: list[int | None] = [*range(scale["min"], scale["max"] + 1), None]
    return [RatingCount(rating=r, count=counts.get(r, 0)) for r in ratings]


@strawberry.type(description="Reviews per rating in one department, from the scores (before) and with "
                             "calibrated ratings (after).")
class DepartmentDistribution:
    department_id: strawberry.ID | None = strawberry.field(description=(
        "The department; null for the whole cycle or reviewees without one."))
    before: list[RatingCount] = strawberry.field(description="Ratings from the scores alone, before calibration.")
    after: list[RatingCount] = strawberry.field(description="Final ratings, calibrated where calibrated.")

    @classmethod
    def of(cls, row: DepartmentRatings, scale: dict[str, int]) -> DepartmentDistribution:
        return cls(department_id=row.department_id, before=rating_counts(row.before, scale),
                   after=rating_counts(row.after, scale))

    @strawberry.field(description="The department; null for the whole cycle or reviewees without one.")
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return DepartmentFields.wrap(await load(info.context, "department_by_id", self.department_id))


@strawberry.type(description=(
    "How the cycle's final ratings spread, before and after calibration, overall and by department."))
class CycleDistribution:
    cycle: ReviewCycle = strawberry.field(description="The cycle whose ratings these are.")
    departments: list[DepartmentDistribution] = strawberry.field(
        metadata=listed(200), description="The distribution per department.")
    total: DepartmentDistribution = strawberry.field(description="The whole cycle.")


async def distribution(info: Info[Context, Any], cycle_id: str) -> CycleDistribution:
    """The body of ``cycleDistribution`` and of ``CycleScoresChange.distribution``."""
    ratings = await resolvers.distribution_of(info.context, cycle_id)
    scale = ratings.scale
    return CycleDistribution(cycle=ReviewCycle.of(ratings.cycle),
                             departments=[DepartmentDistribution.of(r, scale) for r in ratings.departments],
                             total=DepartmentDistribution.of(ratings.total, scale))
