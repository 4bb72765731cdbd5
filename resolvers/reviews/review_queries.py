"""Review queries and the nested fields of reviews and forms, each checked against the viewer.

Lists leave out what the viewer may not read; a single nullable field the viewer may not read is ``null``
with a FORBIDDEN error. A non-null field never refuses (its refusal would null the review the viewer may
read): ``calibrationHistory`` is empty and ``feedback`` an empty aggregate for a viewer who may not see
them, with no error. Every check is a rule of models/reviews/permissions.py.
"""

from __future__ import annotations

import json
from typing import Any

from models.core.documents import Document
from models.reviews.permissions import (
    can_edit_review_form,
    can_read_review_answer,
    can_see_review_feedback,
    can_see_review_score,
)
from models.reviews.rules import FormState, answer_of, has_value, questions_for
from models.reviews.scores import FormScore, final_rating, form_score
from resolvers.core.context import Context, require
from resolvers.reviews.access import (
    FormBundle,
    ReviewBundle,
    form_bundles,
    period_goals,
    readable_form,
    review_bundle,
    review_bundles,
    visible_review,
)
from store.reviews.repository import FORM_ORDER, LIVE_FORM

MAX_LIST = 500


async def review(context: Context, id: str) -> Document | None:
    """``review(id:)``: ``None`` for an unknown id, :class:`Forbidden` for one the viewer may not see."""
    bundle = await visible_review(context, id)
    return bundle.review if bundle else None


async def review_of_form(context: Context, form: Document) -> Document | None:
    """``ReviewForm.review``: the review of a form the viewer reads, ``None`` when they may not see the
    review itself (a peer reviewer): a hidden field of an object they may see is null, without an error."""
    signed_in = await require(context)
    bundle = await review_bundle(context, form["reviewId"])
    return bundle.review if bundle is not None and bundle.visible_to(signed_in.viewer) else None


async def review_form(context: Context, id: str) -> Document | None:
    bundle = await readable_form(context, id)
    return bundle.form if bundle else None


async def my_review_forms(context: Context, cycle_id: str | None, pending: bool) -> list[Document]:
    """The forms the viewer fills in (as reviewer), optionally of one cycle and not submitted yet."""
    signed_in = await require(context)
    viewer, store = signed_in.viewer, signed_in.store
    query: dict[str, Any] = {"reviewerId": viewer.employee_id, **LIVE_FORM}
    if pending:
        query["state"] = {"$in": [FormState.NOT_STARTED.value, FormState.IN_PROGRESS.value]}
    if cycle_id is not None:
        query["cycleId"] = cycle_id
    return await store.reviewForms.find(query, sort=[("cycleId", 1), *FORM_ORDER], limit=MAX_LIST)


async def my_reviews(context: Context) -> list[Document]:
    signed_in = await require(context)
    return await signed_in.store.reviews.find({"employeeId": signed_in.viewer.employee_id},
                                              sort=[("createdAt", -1), ("_id", 1)])


async def peers(context: Context, review: Document) -> list[Document]:
    """The peers nominated to review (people no longer stored are left out)."""
    docs = await (await require(context)).loaders.employee_by_id.load_many(list(review.get("peerIds", [])))
    return [d for d in docs if d is not None]


async def _bundle_of_form(context: Context, form: Document) -> FormBundle | None:
    return (await form_bundles(context, [form]))[0]


async def _bundle_of_review(context: Context, review: Document) -> ReviewBundle:
    bundle = (await review_bundles(context, [review]))[0]
    assert bundle is not None
    return bundle


async def forms_of_review(context: Context, review: Document, kind: str | None) -> list[Document]:
    """The review's forms the viewer may read (all of them for managers and HR admins)."""
    signed_in = await require(context)
    forms = await signed_in.loaders.reviews.forms_by_review_id.load(review["_id"])
    if kind is not None:
        forms = [f for f in forms if f["kind"] == kind]
    bundles = await form_bundles(context, forms)
    return [b.form for b in bundles if b is not None and b.readable_by(signed_in.viewer)]


async def readable_answers(context: Context, form: Document) -> list[Document]:
    """The form's answers the viewer may read, in template order (``questionId`` added)."""
    viewer = (await require(context)).viewer
    bundle = await _bundle_of_form(context, form)
    if bundle is None:
        return []
    answers = []
    for _, question in questions_for(bundle.template, form["kind"]):
        answer = answer_of(form, question["id"])
        if answer is not None and can_read_review_answer(viewer, form, bundle.review, bundle.reviewee,
                                                         bundle.template, question):
            answers.append({"questionId": question["id"], **answer})
    return answers


async def questions(context: Context, form: Document) -> list[tuple[Document, Document]]:
    template = await (await require(context)).loaders.reviews.template_by_id.load(form["templateId"])
    return questions_for(template, form["kind"]) if template else []


async def score_of_form(context: Context, form: Document) -> FormScore | None:
    viewer = (await require(context)).viewer
    bundle = await _bundle_of_form(context, form)
    if bundle is None or not bundle.readable_by(viewer):
        return None
    return form_score(bundle.template, form)


async def can_edit(context: Context, form: Document) -> bool:
    viewer = (await require(context)).viewer
    bundle = await _bundle_of_form(context, form)
    return bundle is not None and can_edit_review_form(viewer, form, bundle.review, bundle.reviewee)


async def goals_of_form(context: Context, form: Document) -> list[Document]:
    """The reviewee's goals of the cycle's period that the viewer may see (what goal-achievement questions rate)."""
    viewer = (await require(context)).viewer
    bundle = await _bundle_of_form(context, form)
    if bundle is None or not bundle.readable_by(viewer):
        return []
    return await period_goals(context, bundle)


async def sees_scores(context: Context, review: Document) -> bool:
    """Whether the viewer sees the review's scores and calibrations: managers, HR admins, the reviewee once
    shared."""
    viewer = (await require(context)).viewer
    bundle = await _bundle_of_review(context, review)
    return can_see_review_score(viewer, bundle.review, bundle.reviewee)


async def scored_review(context: Context, review: Document) -> Document | None:
    """The review for its nullable score or calibration fields; ``None`` for a viewer who may not see
    scores (the field is ``null`` by design, without an error; the review stays)."""
    return review if await sees_scores(context, review) else None


async def calibration_history(context: Context, review: Document) -> list[Document]:
    """Every calibration, oldest first, for those who see scores; empty (no error) for anyone else, so the
    non-null list never nulls the review they may read."""
    if not await sees_scores(context, review):
        return []
    return list(review.get("calibrationHistory", []))


async def final_rating_of(context: Context, review: Document) -> int | None:
    """The rating that counts (calibrated if calibrated, else from the score), for those who see scores."""
    scored = await scored_review(context, review)
    return None if scored is None else final_rating(scored)


async def feedback(context: Context, review: Document, kind: str) -> dict[str, Any]:
    """Peer or upward answers without names: per question, the submitted answers in a neutral order.

    ``visible`` is false (and nothing is listed) when the template or the anonymity threshold does not
    let the viewer see them yet. A viewer who may not see the review gets the empty aggregate (``answered``
    0, not visible, no questions) and no error: the field is non-null, and refusing it would null its parent.
    """
    signed_in = await require(context)
    viewer = signed_in.viewer
    bundle = await _bundle_of_review(context, review)
    if not bundle.visible_to(viewer):
        return {"kind": kind, "answered": 0, "visible": False, "questions": []}
    forms = [f for f in await signed_in.loaders.reviews.forms_by_review_id.load(review["_id"])
             if f["kind"] == kind and f["state"] == FormState.SUBMITTED]
    result: dict[str, Any] = {"kind": kind, "answered": len(forms), "visible": False, "questions": []}
    if not can_see_review_feedback(viewer, kind, bundle.review, bundle.reviewee, bundle.template, len(forms)):
        return result
    result["visible"] = True
    for _, question in questions_for(bundle.template, kind):
        probe = {"organizationId": review["organizationId"], "kind": kind, "reviewerId": None}
        if not can_read_review_answer(viewer, probe, bundle.review, bundle.reviewee,
                                      {**bundle.template, "peerVisibility": "named", "upwardVisibility": "named"},
                                      question):
            continue
        values = [answer_of(f, question["id"]) for f in forms]
        given = sorted((a["value"] for a in values if a and has_value(a["value"])),
                       key=lambda v: json.dumps(v, sort_keys=True))
        result["questions"].append({"question": question, "answers": given})
    return result
