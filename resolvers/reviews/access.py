"""The reviews domain's visibility-aware accessor: a review or a form together with what its permission
rules need, loaded through the request's loaders, and refused when the viewer may not see it.

A form's rules (``models/reviews/permissions.py``) need the form, its review, the reviewee's document and
the template version; :func:`form_bundles` loads them for many forms at once (one batch per collection), so
lists and nested fields cost the same number of round trips for 1 or 100 forms.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from models.core.documents import Document
from models.core.errors import FieldError
from models.core.viewer import Viewer
from models.reviews.cycles import deadline_of
from models.reviews.permissions import (
    REVIEW_SHARED,
    can_read_ratings_for_pay,
    can_read_review_form,
    can_see_competency_profile,
    can_see_review,
    can_see_review_score,
)
from models.reviews.rules import PHASE_OF_KIND, SHARED_STATES, CycleStatus, FormState, ReviewState, goals_of_period
from models.reviews.scores import final_rating
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.goals.access import visible_goals_of
from resolvers.reviews import template_overrides
from resolvers.reviews.channels import review_results_channel as review_results_channel
from store.core.repository import TenantStore
from store.reviews import repository as reviews_store
from store.reviews.cycles import ratings_by_employee
from store.reviews.repository import latest_shared_assessments

REVIEW_REFUSAL = "this review is visible only to the reviewee, their managers and HR admins"
FORM_REFUSAL = "this review form is not visible to you"
RATINGS_REFUSAL = "final ratings for pay decisions are for compensation admins"


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


async def open_review_work_of(context: Context, employee_id: str) -> tuple[list[FormBundle], list[ReviewBundle]]:
    """What a leaver leaves open in reviews, as the viewer may see it: the forms they owe (not submitted, in
    reviews still open) and the open reviews about them; one query per collection, then the bundles."""
    signed_in = await require(context)
    store, viewer = signed_in.store, signed_in.viewer
    done = [ReviewState.ACKNOWLEDGED.value]
    forms = await store.reviewForms.find({"reviewerId": employee_id, "state": {"$ne": FormState.SUBMITTED.value}},
                                         sort=[("createdAt", 1), ("_id", 1)])
    about = await store.reviews.find({"employeeId": employee_id, "state": {"$nin": done}},
                                     sort=[("createdAt", 1), ("_id", 1)])
    form_list = [b for b in await form_bundles(context, forms)
                 if b is not None and b.review.get("state") not in done and b.readable_by(viewer)]
    review_list = [b for b in await review_bundles(context, about) if b is not None and b.visible_to(viewer)]
    return form_list, review_list


async def last_calibrated_ratings(context: Context, employee_ids: Sequence[str]) -> dict[str, int | None]:
    """Each person's rating in their latest calibrated review (``None``: none, or one the viewer may not see
    the score of: ``can_see_review_score``). One query for all of them."""
    signed_in = await require(context)
    reviews = await signed_in.store.reviews.find(
        {"employeeId": {"$in": list(employee_ids)}, "calibration.rating": {"$ne": None}},
        sort=[("createdAt", 1), ("_id", 1)])
    people = {d["_id"]: d for d in await signed_in.loaders.employee_by_id.load_many(list(employee_ids))
              if d is not None}
    ratings: dict[str, int | None] = dict.fromkeys(employee_ids)
    for review in reviews:  # oldest first: the latest one wins
        reviewee = people.get(review["employeeId"])
        if reviewee is not None and can_see_review_score(signed_in.viewer, review, reviewee):
            ratings[review["employeeId"]] = final_rating(review)
    return ratings


async def final_ratings_for_pay(context: Context, cycle_id: str) -> dict[str, int | None] | None:
    """Each reviewee's final rating (the calibrated one when there is one) in a review cycle, for reviews
    shared with the reviewee (calibration over); ``None`` for an unknown cycle. Compensation admins only
    (:class:`Forbidden` for anyone else): the one way the compensation domain reads ratings."""
    signed_in = await require(context)
    if not can_read_ratings_for_pay(signed_in.viewer):
        raise Forbidden(RATINGS_REFUSAL)
    if await signed_in.loaders.reviews.cycle_by_id.load(cycle_id) is None:
        return None
    reviews = await ratings_by_employee(signed_in.store, cycle_id, REVIEW_SHARED)
    return {r["employeeId"]: final_rating(r) for r in reviews}


async def competency(context: Context, id: str | None) -> Document | None:
    """One competency of the viewer's organisation (everyone in it reads the framework); ``None`` for an
    unknown id or another organisation's."""
    if id is None:
        return None
    return await (await require(context)).loaders.reviews.competency_by_id.load(id)


async def open_forms_due(store: TenantStore, until: date, limit: int = 5000) -> list[tuple[Document, date]]:
    """For reminders (no viewer: the system reads): forms of active cycles not yet submitted whose phase
    deadline is on or before ``until``, each with that deadline; the form's reviewer may read it."""
    found: list[tuple[Document, date]] = []
    for cycle in await store.reviewCycles.find({"status": CycleStatus.ACTIVE.value}, sort=[("_id", 1)]):
        due = {kind: date.fromisoformat(d) for kind, phase in PHASE_OF_KIND.items()
               if (d := deadline_of(cycle, phase)) is not None and date.fromisoformat(d) <= until}
        if not due:
            continue
        forms = await store.reviewForms.find(
            {"cycleId": cycle["_id"], "kind": {"$in": sorted(due)},
             "state": {"$in": [FormState.NOT_STARTED.value, FormState.IN_PROGRESS.value]}},
            sort=[("_id", 1)], limit=limit, projection={"kind": 1, "reviewerId": 1, "revieweeId": 1})
        found += [(form, due[form["kind"]]) for form in forms]
    return found[:limit]


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


async def organisation_assessments(context: Context, employees: Sequence[Document] | Awaitable[Sequence[Document]]
                                   ) -> dict[str, Assessment]:
    """The :class:`Assessment` of each of ``employees`` whose competency profile the viewer may see, read for
    the whole organisation in a fixed number of queries (a ranking of thousands of people costs the same
    store calls as one of ten). ``employees`` may be still being read (an awaitable): the reviews are read
    meanwhile."""
    signed_in = await require(context)
    found = await latest_shared_assessments(signed_in.store)
    people = employees if isinstance(employees, Sequence) else await employees
    person = {e["_id"]: e for e in people}  # the rule is checked for the people reviewed only
    return {id: Assessment(id, review["_id"], review.get("sharedAt"), levels, final_rating(review))
            for id, (review, levels) in found.items()
            if id in person and can_see_competency_profile(signed_in.viewer, person[id])}


async def meeting_levels(context: Context, levels: Mapping[str, int]) -> dict[str, set[str]]:
    """For every person of the organisation whose last shared review assessed any of ``levels`` (competency
    id → level), the competency ids whose level it meets; a fixed number of queries. Only that fact, for the
    growth domain's mentor suggestions, which show no assessed level: anyone signed in to the organisation
    may ask (the levels, ratings and reviews stay behind ``can_see_competency_profile``)."""
    signed_in = await require(context)
    if not levels:
        return {}
    found = await latest_shared_assessments(signed_in.store)
    met = {id: {c for c, level in levels.items() if assessed.get(c, 0) >= level}
           for id, (_, assessed) in found.items()}
    return {id: competencies for id, competencies in met.items() if competencies}


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


# The review template override a pilot (resolvers/pilots) changes for a cohort, with this domain's rules
# (resolvers/reviews/template_overrides.py): a department's, or each person's of a cohort of people.
async def check_template_value(context: Context, value: str | None) -> tuple[str | None, list[FieldError]]:
    """The template id a pilot sets, or NOT_FOUND / INVALID (a superseded version) on ``value``."""
    errors = await template_overrides.check_template(context, value, "value")
    return (None, errors) if errors else (value, [])


async def current_template_overrides(context: Context, department_ids: list[str],
                                     employee_ids: list[str]) -> dict[str, dict[str, str | None]]:
    """``{"departments": {id: template id or None}, "employees": {...}}`` as now: what reverting restores."""
    return await template_overrides.current_overrides(context, department_ids, employee_ids)


async def apply_template_overrides(context: Context, values: dict[str, dict[str, str | None]]) -> None:
    """Set (``None``: remove) these overrides; launches use them for the reviews they create afterwards."""
    await template_overrides.apply_overrides(context, values)


async def add_competency_evidence(context: Context, evidence: Sequence[Document]) -> None:
    """Inside the caller's transaction (an xAPI request, acting as HR): learning evidence (``employeeId``,
    ``competencyId``, ``level``, ``source``, ``activityId``, ``activityName``, ``achievedAt``) onto each person's
    competency profile, read back by ``competencyProfile`` (the person, their managers and HR admins)."""
    signed_in = await require(context)
    if not signed_in.viewer.is_hr_admin:
        raise Forbidden("evidence is recorded on competency profiles by HR (a learning integration)")
    keep = ("employeeId", "competencyId", "level", "source", "activityId", "activityName", "achievedAt")
    await reviews_store.add_competency_evidence(signed_in.store, [
        {"_id": item["_id"], **{key: item.get(key) for key in keep}} for item in evidence])
