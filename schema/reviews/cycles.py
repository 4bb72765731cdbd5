"""Review cycles: the cycle, its phases and eligibility, its reviews (paginated), launch results,
progress per phase and department, and rating distributions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.reviews import cycles as resolvers
from resolvers.reviews.cycles import Counts, DepartmentRatings, PhaseProgress
from schema.core.pagination import PageInfo
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields, utc
from schema.reviews.enums import CycleStatusEnum, PhaseEnum, ReviewStateEnum, SkipReasonEnum
from schema.reviews.templates import ReviewTemplate
from schema.reviews.types import Review, ReviewForm
from store.reviews.cycles import LaunchResult


async def cycle_by_id(info: Info[Context, Any], id: str) -> Document | None:
    return await resolvers.review_cycle(info.context, id)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@strawberry.type
class CyclePhase:
    phase: PhaseEnum
    deadline: date


@strawberry.type(description="Who a launch reviews: active, hired strictly before hiredBefore, in these "
                             "departments or below them (none: everyone), not excluded.")
class CycleEligibility:
    hired_before: date
    department_ids: list[strawberry.ID]
    excluded_employee_ids: list[strawberry.ID]


@strawberry.type
class ReviewEdge:
    cursor: str
    node: Review


@strawberry.type
class ReviewConnection:
    edges: list[ReviewEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="A review cycle: period, template, phases with deadlines and eligibility.")
class ReviewCycle:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str
    status: CycleStatusEnum
    period_start: date
    period_end: date
    peers_per_reviewee: int

    @classmethod
    def wrap(cls, doc: Document | None) -> ReviewCycle | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"], status=CycleStatusEnum(doc["status"]),
                   period_start=date.fromisoformat(doc["periodStart"]), period_end=date.fromisoformat(doc["periodEnd"]),
                   peers_per_reviewee=doc.get("peersPerReviewee", 0))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[ReviewCycle]:
        return [c for c in map(cls.wrap, docs) if c is not None]

    @strawberry.field
    def phases(self) -> list[CyclePhase]:
        return [CyclePhase(phase=PhaseEnum(p["phase"]), deadline=date.fromisoformat(p["deadline"]))
                for p in self.doc.get("phases", [])]

    @strawberry.field
    def eligibility(self) -> CycleEligibility:
        rules = self.doc["eligibility"]
        return CycleEligibility(hired_before=date.fromisoformat(rules["hiredBefore"]),
                                department_ids=list(rules.get("departmentIds", [])),
                                excluded_employee_ids=list(rules.get("excludedEmployeeIds", [])))

    @strawberry.field
    async def template(self, info: Info[Context, Any]) -> ReviewTemplate | None:
        from resolvers.reviews import templates as reviews_templates

        return ReviewTemplate.wrap(await reviews_templates.template(info.context, self.doc["templateId"]))

    @strawberry.field
    def launched_at(self) -> datetime | None:
        return utc(self.doc["launchedAt"]) if self.doc.get("launchedAt") else None

    @strawberry.field(description="The reviews the viewer may see (HR admins: all; others: their own and those "
                                  "of the people below them), by id (first ≤ 100).")
    async def reviews(self, info: Info[Context, Any], first: int = 50, after: str | None = None,
                      department_id: strawberry.ID | None = None,
                      state: ReviewStateEnum | None = None) -> ReviewConnection:
        docs, total, more = await resolvers.cycle_reviews(info.context, self.doc, department_id,
                                                          state.value if state else None, first, after)
        edges = [ReviewEdge(cursor=d["_id"], node=r) for d, r in zip(docs, Review.wrap_all(docs), strict=True)]
        page = PageInfo.of(edges, has_next_page=more, after=after)
        return ReviewConnection(edges=edges, page_info=page, total_count=total)


@strawberry.type
class LaunchSkip:
    employee_id: strawberry.ID
    reason: SkipReasonEnum

    @strawberry.field
    async def employee(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.employee_id))


@strawberry.type(description="What a launch did: created counts are 0 when it had all been created before.")
class LaunchSummary:
    eligible: int
    reviews_created: int
    forms_created: int
    reviews_total: int
    forms_total: int
    skipped: list[LaunchSkip] = strawberry.field(description="People of the included departments not reviewed, "
                                                             "and why (terminated, on leave, hired on or after the "
                                                             "cutoff, excluded).")

    @classmethod
    def of(cls, result: LaunchResult) -> LaunchSummary:
        return cls(eligible=result.eligible, reviews_created=result.reviews_created, forms_created=result.forms_created,
                   reviews_total=result.reviews_total, forms_total=result.forms_total,
                   skipped=[LaunchSkip(employee_id=strawberry.ID(s.employee_id), reason=SkipReasonEnum(s.reason))
                            for s in result.skipped])


@strawberry.type
class FormCounts:
    not_started: int
    in_progress: int
    submitted: int

    @classmethod
    def of(cls, counts: Counts) -> FormCounts:
        return cls(not_started=counts.not_started, in_progress=counts.in_progress, submitted=counts.submitted)


@strawberry.type
class DepartmentProgress:
    department_id: strawberry.ID | None
    counts: FormCounts

    @strawberry.field
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return DepartmentFields.wrap(await load(info.context, "department_by_id", self.department_id))


@strawberry.type
class PhaseProgressType:
    phase: PhaseEnum
    deadline: date | None
    counts: FormCounts
    departments: list[DepartmentProgress]

    @classmethod
    def of(cls, progress: PhaseProgress) -> PhaseProgressType:
        departments = [DepartmentProgress(department_id=d, counts=FormCounts.of(c))
                       for d, c in sorted(progress.by_department.items(), key=lambda item: item[0] or "")]
        return cls(phase=PhaseEnum(progress.phase), deadline=_date(progress.deadline),
                   counts=FormCounts.of(progress.total), departments=departments)


@strawberry.type
class ReviewStateCount:
    state: ReviewStateEnum
    count: int


@strawberry.type(description="Forms not started, in progress and submitted, per phase and per department.")
class CycleProgress:
    cycle: ReviewCycle
    phases: list[PhaseProgressType]
    review_states: list[ReviewStateCount]


@strawberry.type
class RatingCount:
    rating: int | None = strawberry.field(description="null: not rated yet.")
    count: int


def rating_counts(counts: dict[int | None, int], scale: dict[str, int]) -> list[RatingCount]:
    ratings: list[int | None] = [*range(scale["min"], scale["max"] + 1), None]
    return [RatingCount(rating=r, count=counts.get(r, 0)) for r in ratings]


@strawberry.type(description="Reviews per rating in one department, from the scores (before) and with "
                             "calibrated ratings (after).")
class DepartmentDistribution:
    department_id: strawberry.ID | None
    before: list[RatingCount]
    after: list[RatingCount]

    @classmethod
    def of(cls, row: DepartmentRatings, scale: dict[str, int]) -> DepartmentDistribution:
        return cls(department_id=row.department_id, before=rating_counts(row.before, scale),
                   after=rating_counts(row.after, scale))

    @strawberry.field
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return DepartmentFields.wrap(await load(info.context, "department_by_id", self.department_id))


@strawberry.type
class CycleDistribution:
    cycle: ReviewCycle
    departments: list[DepartmentDistribution]
    total: DepartmentDistribution


async def distribution(info: Info[Context, Any], cycle_id: str) -> CycleDistribution:
    cycle, rows, total = await resolvers.distribution_of(info.context, cycle_id)
    template = await info.context.loaders.reviews.template_by_id.load(cycle["templateId"])
    scale = template["scale"] if template else {"min": 1, "max": 5}
    wrapped = ReviewCycle.wrap(cycle)
    assert wrapped is not None
    return CycleDistribution(cycle=wrapped, departments=[DepartmentDistribution.of(r, scale) for r in rows],
                             total=DepartmentDistribution.of(total, scale))


__all__ = ["CycleProgress", "ReviewCycle", "ReviewForm"]
