"""The reviews domain's visibility-aware accessor: a review or a form together with what its permission
rules need, loaded through the request's loaders, and refused when the viewer may not see it.

A form's rules (``models/reviews/permissions.py``) need the form, its review, the reviewee's document and
the template version; :func:`form_bundles` loads them for many forms at once (one batch per collection), so
lists and nested fields cost the same number of round trips for 1 or 100 forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from models.core.documents import Document
from models.core.viewer import Viewer
from models.reviews.permissions import (
    can_read_review_form,
    can_see_competency_profile,
    can_see_review,
    can_see_review_score,
)
from models.reviews.rules import SHARED_STATES, goals_of_period
from models.reviews.scores import final_rating
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.goals.access import visible_goals_of
from store.reviews.repository import latest_shared_assessments

REVIEW_REFUSAL = "this review is visible only to the reviewee, their managers and HR admins"
FORM_REFUSAL = "this review form is not visible to you"


@dataclass(frozen=True)
class FormBundle:
    form: Document
    review: Document
    reviewee: Document
    template: Document

    def readable_by(self, viewer: Viewer) -> bool:
        return can_read_review_form(viewer, self.form, self.review, self.reviewee, self.template)


@dataclass(frozen=True)
class ReviewBundle:
    review: Document
    reviewee: Document
    template: Document

    def visible_to(self, viewer: Viewer) -> bool:
        return can_see_review(viewer, self.review, self.reviewee)


async def review_bundles(context: Context, reviews: Sequence[Document | None]) -> list[ReviewBundle | None]:
    """Each review with its reviewee and template (``None`` where one of them is missing)."""
    loaders = (await require(context)).loaders
    present = [r for r in reviews if r is not None]
    people = await loaders.employee_by_id.load_many([r["employeeId"] for r in present])
    templates = await loaders.reviews.template_by_id.load_many([r["templateId"] for r in present])
    found = {r["_id"]: ReviewBundle(r, p, t) for r, p, t in zip(present, people, templates, strict=True)
             if p is not None and t is not None}
    return [found.get(r["_id"]) if r is not None else None for r in reviews]


async def form_bundles(context: Context, forms: Sequence[Document | None]) -> list[FormBundle | None]:
    """Each form with its review, reviewee and template (``None`` where one of them is missing)."""
    loaders = (await require(context)).loaders
    present = [f for f in forms if f is not None]
    reviews = await loaders.reviews.review_by_id.load_many([f["reviewId"] for f in present])
    bundles = await review_bundles(context, reviews)
    found = {f["_id"]: FormBundle(f, b.review, b.reviewee, b.template) for f, b in zip(present, bundles, strict=True)
             if b is not None}
    return [found.get(f["_id"]) if f is not None else None for f in forms]


async def form_bundle(context: Context, form_id: str) -> FormBundle | None:
    """The form and its context, or ``None`` for an unknown id (another organisation's or a withdrawn one)."""
    form = await (await require(context)).loaders.reviews.form_by_id.load(form_id)
    return (await form_bundles(context, [form]))[0]


async def review_bundle(context: Context, review_id: str) -> ReviewBundle | None:
    """The review and its context, or ``None`` for an unknown id (another organisation's included)."""
    review = await (await require(context)).loaders.reviews.review_by_id.load(review_id)
    return (await review_bundles(context, [review]))[0]


async def readable_form(context: Context, form_id: str) -> FormBundle | None:
    """``None`` for an unknown form; :class:`Forbidden` for one the viewer may not read."""
    signed_in = await require(context)
    bundle = await form_bundle(context, form_id)
    if bundle is not None and not bundle.readable_by(signed_in.viewer):
        raise Forbidden(FORM_REFUSAL)
    return bundle


async def visible_review(context: Context, review_id: str) -> ReviewBundle | None:
    """``None`` for an unknown review; :class:`Forbidden` for one the viewer may not see."""
    signed_in = await require(context)
    bundle = await review_bundle(context, review_id)
    if bundle is not None and not bundle.visible_to(signed_in.viewer):
        raise Forbidden(REVIEW_REFUSAL)
    return bundle


async def period_goals(context: Context, bundle: FormBundle) -> list[Document]:
    """The reviewee's goals of the cycle's period that the viewer may see (what goal-achievement questions
    rate), read through the goals domain's accessor, so a form shows no goal the goals domain would hide."""
    cycle = await (await require(context)).loaders.reviews.cycle_by_id.load(bundle.form["cycleId"])
    if cycle is None:
        return []
    goals = await visible_goals_of(context, bundle.reviewee)
    return goals_of_period(goals, cycle["periodStart"], cycle["periodEnd"])


async def competencies(context: Context, ids: Sequence[str]) -> list[Document]:
    """The competencies of the organisation's framework among ``ids`` (everyone in the organisation reads
    the framework), in the order of ``ids``; unknown ids, and another organisation's, are left out."""
    loaders = (await require(context)).loaders
    docs = await loaders.reviews.competency_by_id.load_many(list(ids))
    return [d for d in docs if d is not None]


@dataclass(frozen=True)
class Assessment:
    """What a person's last shared review says of them: the competency levels their manager assessed
    (competency id → level), the final (calibrated) rating, and where and when that comes from."""

    employee_id: str
    review_id: str | None
    shared_at: datetime | None
    assessed: dict[str, int]
    rating: int | None


async def assessments(context: Context, employees: Sequence[Document]) -> list[Assessment | None]:
    """Each person's :class:`Assessment`, ``None`` for the people whose competency profile the viewer may
    not see (the person, their managers and HR admins may); a fixed number of queries for any number."""
    signed_in = await require(context)
    loaders = signed_in.loaders.reviews
    visible = [e for e in employees if can_see_competency_profile(signed_in.viewer, e)]
    sources = await loaders.profile_sources_by_employee_id.load_many([e["_id"] for e in visible])
    reviews = await loaders.review_by_id.load_many([s.review_id for s in sources if s.review_id])
    by_id = {r["_id"]: r for r in reviews if r is not None}
    found = {}
    for employee, source in zip(visible, sources, strict=True):
        review = by_id.get(source.review_id or "")
        found[employee["_id"]] = Assessment(
            employee["_id"], source.review_id, review.get("sharedAt") if review else None, dict(source.assessed),
            final_rating(review) if review else None)
    return [found.get(e["_id"]) for e in employees]


async def expected_levels(context: Context, position_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per position: the competency levels it expects (competency id → level); everyone in the
    organisation reads the framework."""
    loaders = (await require(context)).loaders.reviews
    found = await loaders.expectations_by_position_id.load_many(list(position_ids))
    return {p: {e["competencyId"]: e["expectedLevel"] for e in docs}
            for p, docs in zip(position_ids, found, strict=True)}


async def organisation_assessments(context: Context, employees: Sequence[Document]) -> dict[str, Assessment]:
    """The :class:`Assessment` of each of ``employees`` whose competency profile the viewer may see, read for
    the whole organisation in a fixed number of queries (a ranking of thousands of people costs the same
    store calls as one of ten)."""
    signed_in = await require(context)
    visible = {e["_id"] for e in employees if can_see_competency_profile(signed_in.viewer, e)}
    found = await latest_shared_assessments(signed_in.store)
    return {id: Assessment(id, review["_id"], review.get("sharedAt"), levels, final_rating(review))
            for id, (review, levels) in found.items() if id in visible}



async def cycle_with_previous(context: Context, cycle_id: str) -> tuple[Document | None, Document | None]:
    """A review cycle of the viewer's organisation and the one whose period ended last before it."""
    signed_in = await require(context)
    cycles = await signed_in.store.reviewCycles.find(sort=[("periodEnd", 1), ("_id", 1)])
    cycle = next((c for c in cycles if c["_id"] == cycle_id), None)
    if cycle is None:
        return None, None
    earlier = [c for c in cycles if c["periodEnd"] < cycle["periodStart"]]
    return cycle, earlier[-1] if earlier else None


async def final_ratings(context: Context, cycle_id: str, employees: Sequence[Document]) -> dict[str, int]:
    """The final (calibrated) ratings of a cycle's shared reviews, for those of ``employees`` whose score
    the viewer may see (one query)."""
    signed_in = await require(context)
    people = {e["_id"]: e for e in employees}
    found: dict[str, int] = {}
    query = {"cycleId": cycle_id, "employeeId": {"$in": list(people)}, "state": {"$in": sorted(SHARED_STATES)}}
    for review in await signed_in.store.reviews.find(query):
        rating = final_rating(review)
        reviewee = people[review["employeeId"]]
        if rating is not None and can_see_review_score(signed_in.viewer, review, reviewee):
            found[review["employeeId"]] = rating
    return found
