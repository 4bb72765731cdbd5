"""Review cycle queries: cycles, their reviews, progress per phase and department, overdue forms
and the rating distribution per department before and after calibration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.core import clock
from models.core.documents import Document
from models.reviews.cycles import deadline_of
from models.reviews.permissions import can_follow_cycle, can_see_cycle_scores
from models.reviews.rules import PHASE_OF_KIND, PHASE_ORDER, FormState
from models.reviews.scores import distribution
from resolvers.core.context import Context, SignedIn, require
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.pages import Window, check_window, issued_cursor
from store.core.pagination import Keyset, Page, keyset_page
from store.core.people import ids_below
from store.reviews import cycles as cycle_store

STATES = [s.value for s in FormState]
REVIEW_ORDER = Keyset("_id")  # a cycle's reviews, by id
DEFAULT_SCALE = {"min": 1, "max": 5}  # a cycle whose template is gone


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


Progress = tuple[Document, list[PhaseProgress], dict[str, int]]  # the cycle, its phases, reviews per state


@dataclass
class DepartmentRatings:
    department_id: str | None
    before: dict[int | None, int]
    after: dict[int | None, int]


@dataclass(frozen=True)
class CycleRatings:
    """A cycle's reviews per rating, per department and in total, on the scale of the cycle's template."""

    cycle: Document
    departments: list[DepartmentRatings]
    total: DepartmentRatings
    scale: dict[str, int]


async def review_cycles(context: Context) -> list[Document]:
    store = (await require(context)).store
    return await store.reviewCycles.find(sort=[("periodStart", -1), ("_id", 1)])


async def review_cycle(context: Context, id: str) -> Document | None:
    return await (await require(context)).loaders.reviews.cycle_by_id.load(id)


async def scope_ids(signed_in: SignedIn, *, include_self: bool = False) -> list[str] | None:
    """The reviewees the viewer follows: ``None`` (everyone) for HR admins, else the people below them."""
    viewer = signed_in.viewer
    if viewer.is_hr_admin:
        return None
    ids = await ids_below(signed_in.store, viewer.employee_id)
    return [*ids, viewer.employee_id] if include_self else ids


async def _cycle(context: Context, cycle_id: str) -> tuple[SignedIn, Document]:
    signed_in = await require(context)
    cycle = await signed_in.loaders.reviews.cycle_by_id.load(cycle_id)
    if cycle is None:
        raise BadUserInput(f"no review cycle {cycle_id!r} in your organisation")
    return signed_in, cycle


async def cycle_reviews(context: Context, cycle: Document, department_id: str | None, state: str | None,
                        window: Window) -> Page:
    """The cycle's reviews the viewer may see (all for HR admins; their own and those of the people below
    them for everyone else), by id, in keyset pages."""
    signed_in = await require(context)
    check_window(window)
    query: dict[str, Any] = {"cycleId": cycle["_id"]}
    allowed = await scope_ids(signed_in, include_self=True)
    if allowed is not None:
        query["employeeId"] = {"$in": allowed}
    if department_id is not None:
        query["departmentId"] = department_id
    if state is not None:
        query["state"] = state
    with issued_cursor():
        return await keyset_page(signed_in.store.reviews, query, REVIEW_ORDER, window)


async def progress(context: Context, cycle_id: str) -> Progress:
    signed_in, cycle = await _cycle(context, cycle_id)
    if not can_follow_cycle(signed_in.viewer):
        raise Forbidden("cycle progress is for managers and HR admins")
    store = signed_in.store
    reviewees = await scope_ids(signed_in)
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
    """Forms not submitted whose phase deadline has passed (``as_of``: default today, in UTC)."""
    signed_in, cycle = await _cycle(context, cycle_id)
    if not can_follow_cycle(signed_in.viewer):
        raise Forbidden("overdue forms are for managers and HR admins")
    today = (as_of or clock.today()).isoformat()
    kinds = [kind for kind, phase in PHASE_OF_KIND.items() if (deadline_of(cycle, phase) or "9999") < today]
    if not kinds:
        return []
    return await cycle_store.overdue_forms(signed_in.store, cycle_id, kinds, await scope_ids(signed_in))


async def distribution_of(context: Context, cycle_id: str) -> CycleRatings:
    """Reviews per rating and department, from the scores (before) and with calibrations (after)."""
    signed_in, cycle = await _cycle(context, cycle_id)
    if not can_see_cycle_scores(signed_in.viewer):
        raise Forbidden("rating distributions are for HR admins")
    reviews = await cycle_store.cycle_ratings(signed_in.store, cycle_id)
    by_department: dict[str | None, list[Document]] = {}
    for review in reviews:
        by_department.setdefault(review.get("departmentId"), []).append(review)
    rows = [DepartmentRatings(d, dict(distribution(rs, calibrated=False)), dict(distribution(rs, calibrated=True)))
            for d, rs in sorted(by_department.items(), key=lambda item: item[0] or "")]
    total = DepartmentRatings(None, dict(distribution(reviews, calibrated=False)),
                              dict(distribution(reviews, calibrated=True)))
    template = await signed_in.loaders.reviews.template_by_id.load(cycle["templateId"])
    return CycleRatings(cycle, rows, total, template["scale"] if template else DEFAULT_SCALE)
