"""Loading a review or a form together with what its permission rules need, through the loaders.

A form's rules (models/permissions.py) need the form, its review, the reviewee's document and the
template version; :func:`form_bundles` loads them for many forms at once (one batch per
collection), so lists and nested fields cost the same number of round trips for 1 or 100 forms.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from models.core.documents import Document
from models.core.viewer import Viewer
from models.reviews.permissions import can_read_review_form, can_see_review, review_relations
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from store.core.repository import TenantStore
from store.loaders import Loaders
from store.reviews.repository import WITHDRAWN

log = logging.getLogger("perfgraph.reviews")


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


def now() -> datetime:
    return datetime.now(UTC)


def form_channel(organization_id: str, form_id: str) -> str:
    return f"review-form:{organization_id}:{form_id}"


def presence_channel(organization_id: str, form_id: str) -> str:
    return f"review-presence:{organization_id}:{form_id}"


def score_channel(organization_id: str, review_id: str) -> str:
    return f"review-score:{organization_id}:{review_id}"


def cycle_scores_channel(organization_id: str, cycle_id: str) -> str:
    return f"cycle-scores:{organization_id}:{cycle_id}"


async def viewer_store(context: Context) -> tuple[Viewer, TenantStore, Loaders]:
    viewer = await context.authenticate()
    assert context.store is not None and context.loaders is not None
    return viewer, context.store, context.loaders


def fresh_loaders(context: Context) -> Loaders:
    """After a write: the request's loaders may hold documents read before it."""
    assert context.store is not None
    context.loaders = Loaders(context.store)
    return context.loaders


async def review_bundles(context: Context, reviews: Sequence[Document | None]) -> list[ReviewBundle | None]:
    loaders = context.loaders
    assert loaders is not None
    present = [r for r in reviews if r is not None]
    people = await loaders.employee_by_id.load_many([r["employeeId"] for r in present])
    templates = await loaders.reviews.template_by_id.load_many([r["templateId"] for r in present])
    found = {r["_id"]: ReviewBundle(r, p, t) for r, p, t in zip(present, people, templates, strict=True)
             if p is not None and t is not None}
    return [found.get(r["_id"]) if r is not None else None for r in reviews]


async def form_bundles(context: Context, forms: Sequence[Document | None]) -> list[FormBundle | None]:
    loaders = context.loaders
    assert loaders is not None
    present = [f for f in forms if f is not None]
    reviews = await loaders.reviews.review_by_id.load_many([f["reviewId"] for f in present])
    bundles = await review_bundles(context, reviews)
    found = {f["_id"]: FormBundle(f, b.review, b.reviewee, b.template) for f, b in zip(present, bundles, strict=True)
             if b is not None}
    return [found.get(f["_id"]) if f is not None else None for f in forms]


async def form_bundle(context: Context, form_id: str) -> FormBundle | None:
    """The form and its context, or ``None`` for an unknown id (another organisation's included)."""
    _, _, loaders = await viewer_store(context)
    form = await loaders.reviews.form_by_id.load(form_id)
    return (await form_bundles(context, [form]))[0]


async def review_bundle(context: Context, review_id: str) -> ReviewBundle | None:
    _, _, loaders = await viewer_store(context)
    review = await loaders.reviews.review_by_id.load(review_id)
    return (await review_bundles(context, [review]))[0]


async def stored_form_bundle(context: Context, form_id: str) -> FormBundle | None:
    """The form, its review and reviewee read from the store now (not from the loaders' cache: a
    WebSocket connection keeps its context across operations). The template comes through the loaders:
    a form's template version is locked, never changed."""
    _, store, loaders = await viewer_store(context)
    form = await store.reviewForms.get(form_id)
    if form is None or form.get("state") == WITHDRAWN:
        return None
    review = await store.reviews.get(form["reviewId"])
    reviewee = await store.employees.get(review["employeeId"]) if review else None
    template = await loaders.reviews.template_by_id.load(form["templateId"])
    if review is None or reviewee is None or template is None:
        return None
    return FormBundle(form, review, reviewee, template)


def forget(context: Context, form: Document) -> None:
    """Drop what a write changed from the request's loaders, so the payload reads the new state."""
    if context.loaders is None:
        return
    loaders = context.loaders.reviews
    loaders.form_by_id.prime(form["_id"], form, force=True)
    for loader, key in ((loaders.review_by_id, form["reviewId"]), (loaders.forms_by_review_id, form["reviewId"])):
        if loader.cache_map.get(key) is not None:
            loader.clear(key)


async def readable_form(context: Context, form_id: str) -> FormBundle | None:
    """``None`` for an unknown form; :class:`Forbidden` for one the viewer may not read."""
    viewer = await context.authenticate()
    bundle = await form_bundle(context, form_id)
    if bundle is not None and not bundle.readable_by(viewer):
        raise Forbidden("this review form is not visible to you")
    return bundle


async def visible_review(context: Context, review_id: str) -> ReviewBundle | None:
    viewer = await context.authenticate()
    bundle = await review_bundle(context, review_id)
    if bundle is not None and not bundle.visible_to(viewer):
        raise Forbidden("this review is visible only to the reviewee, their managers and HR admins")
    return bundle


def snapshot(review: Document, reviewee: Document) -> dict[str, Any]:
    """What a subscriber's permission check needs, as the publisher saw it after its write."""
    return {"review": {"_id": review["_id"], "organizationId": review["organizationId"], "state": review["state"],
                       "employeeId": review["employeeId"], "cycleId": review["cycleId"]},
            "reviewee": {"_id": reviewee["_id"], "organizationId": reviewee["organizationId"],
                         "managerChain": list(reviewee.get("managerChain", []))}}


def relations(viewer: Viewer, reviewee: Document) -> frozenset[str]:
    return review_relations(viewer, reviewee)


async def publish(context: Context, channel: str, message: dict[str, Any]) -> None:
    """After the write is acknowledged; a lost event is logged, the write stands."""
    try:
        await context.bus.publish(channel, message)
    except Exception as error:
        log.error("review event not published on %s: %s", channel.split(":")[0], error)
