"""Review cycle queries: cycles, their reviews, progress per phase and department, overdue forms
and the rating distribution per department before and after calibration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.core.documents import Document
from models.core.viewer import Viewer
from models.reviews.cycles import deadline_of
from models.reviews.permissions import can_follow_cycle, can_see_cycle_scores
from models.reviews.rules import PHASE_OF_KIND, PHASE_ORDER, FormState
from models.reviews.scores import distribution
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.reviews.access import viewer_store
from store.core.repository import TenantStore
from store.reviews import cycles as cycle_store

MAX_PAGE = 100
STATES = [s.value for s in FormState]


@dataclass
class Counts:
    not_started: int = 0
    in_progress: int = 0
    submitted: int = 0

    def add(self, state: str, count: int) -> None:
        if state in STATES:
            setattr(self, state, getattr(self, state) + count)


@dataclass
class PhaseProgress:
    phase: str
    deadline: str | None
    total: Counts = field(default_factory=Counts)
    by_department: dict[str | None, Counts] = field(default_factory=dict)


async def review_cycles(context: Context) -> list[Document]:
    _, store, _ = await viewer_store(context)
    return await store.reviewCycles.find(sort=[("periodStart", -1), ("_id", 1)])


async def review_cycle(context: Context, id: str) -> Document | None:
    _, _, loaders = await viewer_store(context)
    return await loaders.reviews.cycle_by_id.load(id)


async def scope_ids(viewer: Viewer, store: TenantStore, *, include_self: bool = False) -> list[str] | None:
    """The reviewees the viewer follows: ``None`` (everyone) for HR admins, else the people below them."""
    if viewer.is_hr_admin:
        return None
    ids = await cycle_store.managed_ids(store, viewer.employee_id)
    return [*ids, viewer.employee_id] if include_self else ids


async def _cycle(context: Context, cycle_id: str) -> tuple[Viewer, TenantStore, Document]:
    viewer, store, loaders = await viewer_store(context)
    cycle = await loaders.reviews.cycle_by_id.load(cycle_id)
    if cycle is None:
        raise BadUserInput(f"no review cycle {cycle_id!r} in your organisation")
    return viewer, store, cycle


async def cycle_reviews(context: Context, cycle: Document, department_id: str | None, state: str | None,
                        first: int, after: str | None) -> tuple[list[Document], int, bool]:
    """The cycle's reviews the viewer may see (all for HR admins; their own and those of the people below
    them for everyone else), by id; keyset pagination on the id."""
    viewer, store, _ = await viewer_store(context)
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE}, not {first}")
    query: dict[str, Any] = {"cycleId": cycle["_id"]}
    allowed = await scope_ids(viewer, store, include_self=True)
    if allowed is not None:
        query["employeeId"] = {"$in": allowed}
    if department_id is not None:
        query["departmentId"] = department_id
    if state is not None:
        query["state"] = state
    total = await store.reviews.count(query)
    if after:
        query["_id"] = {"$gt": after}
    docs = await store.reviews.find(query, sort=[("_id", 1)], limit=first + 1)
    return docs[:first], total, len(docs) > first


async def progress(context: Context, cycle_id: str) -> tuple[Document, list[PhaseProgress], dict[str, int]]:
    viewer, store, cycle = await _cycle(context, cycle_id)
    if not can_follow_cycle(viewer):
        raise Forbidden("cycle progress is for managers and HR admins")
    reviewees = await scope_ids(viewer, store)
    phases = {str(p): PhaseProgress(str(p), deadline_of(cycle, str(p)))
              for p in PHASE_ORDER if p in set(PHASE_OF_KIND.values())}
    for phase, department, state, count in await cycle_store.progress_counts(store, cycle_id, reviewees):
        phases[phase].total.add(state, count)
        phases[phase].by_department.setdefault(department, Counts()).add(state, count)
    states: dict[str, int] = {}
    for review in await cycle_store.cycle_ratings(store, cycle_id, reviewees):
        states[review.get("state", "")] = states.get(review.get("state", ""), 0) + 1
    return cycle, list(phases.values()), states


async def overdue(context: Context, cycle_id: str, as_of: date | None) -> list[Document]:
    """Forms not submitted whose phase deadline has passed (``as_of``: default today)."""
    viewer, store, cycle = await _cycle(context, cycle_id)
    if not can_follow_cycle(viewer):
        raise Forbidden("overdue forms are for managers and HR admins")
    today = (as_of or date.today()).isoformat()
    kinds = [kind for kind, phase in PHASE_OF_KIND.items() if (deadline_of(cycle, phase) or "9999") < today]
    if not kinds:
        return []
    return await cycle_store.overdue_forms(store, cycle_id, kinds, await scope_ids(viewer, store))


@dataclass
class DepartmentRatings:
    department_id: str | None
    before: dict[int | None, int]
    after: dict[int | None, int]


async def distribution_of(context: Context, cycle_id: str) -> tuple[Document, list[DepartmentRatings],
                                                                      DepartmentRatings]:
    """Reviews per rating and department, from the scores (before) and with calibrations (after)."""
    viewer, store, cycle = await _cycle(context, cycle_id)
    if not can_see_cycle_scores(viewer):
        raise Forbidden("rating distributions are for HR admins")
    reviews = await cycle_store.cycle_ratings(store, cycle_id)
    by_department: dict[str | None, list[Document]] = {}
    for review in reviews:
        by_department.setdefault(review.get("departmentId"), []).append(review)
    rows = [DepartmentRatings(d, dict(distribution(rs, calibrated=False)), dict(distribution(rs, calibrated=True)))
            for d, rs in sorted(by_department.items(), key=lambda item: item[0] or "")]
    total = DepartmentRatings(None, dict(distribution(reviews, calibrated=False)),
                              dict(distribution(reviews, calibrated=True)))
    return cycle, rows, total
