"""Review mutations: moving a review through its states and calibrating its rating. Refusals are payload
errors and write nothing; a viewer who may not act raises :class:`Forbidden`. Events follow the commit.

Each write runs in one transaction that reads the review (and, for a move, its forms) again and repeats
the checks on what it read, so a concurrent change to what a check relied on is either seen or conflicts
and the step is retried.
"""

from __future__ import annotations

from typing import Any

from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_text
from models.reviews.permissions import can_calibrate_review, can_move_review, review_relations
from models.reviews.rules import ReviewState, allowed_actors, check_reason, history_entry, transition_errors
from models.reviews.scores import rating_of
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.reviews.access import REVIEW_REFUSAL, ReviewBundle, review_bundle
from resolvers.reviews.channels import (
    cycle_progress_channel,
    cycle_scores_channel,
    progress_event,
    review_results_channel,
    score_channel,
    snapshot,
)
from resolvers.reviews.form_mutations import not_found
from store.reviews import repository as review_store

MOVED = "the review moved meanwhile; retry"


async def _review(context: Context, review_id: str) -> ReviewBundle | None:
    context.fresh_loaders()  # a WebSocket connection keeps its context: never answer from an old read
    return await review_bundle(context, review_id)


async def move_review(context: Context, review_id: str, to: str, note: str | None) -> Outcome:
    """Move a review to ``to`` as the workflow table allows the viewer (models/reviews/rules.py)."""
    signed_in = await require(context)
    viewer, store = signed_in.viewer, signed_in.store
    bundle = await _review(context, review_id)
    if bundle is None:
        return not_found("reviewId", "review", review_id)
    if not bundle.visible_to(viewer):
        raise Forbidden(REVIEW_REFUSAL)
    review = bundle.review
    allowed = allowed_actors((review["state"], to))
    if allowed and not can_move_review(viewer, review, bundle.reviewee, frozenset(allowed)):
        raise Forbidden(f"moving a review to {to} is for: {', '.join(sorted(allowed))}")
    forms = await signed_in.loaders.reviews.forms_by_review_id.load(review_id)
    mine = frozenset(review_relations(viewer, bundle.reviewee) & set(allowed))
    errors = transition_errors(review, to, mine, forms)  # type: ignore[arg-type]
    errors += check_text(note, "note")
    if errors:
        return Outcome(errors=errors)
    at = clock.now()
    changes: dict[str, Any] = {"state": to, "updatedAt": at}
    if to == ReviewState.SHARED:
        changes["sharedAt"] = at
    if to == ReviewState.ACKNOWLEDGED:
        changes["acknowledgedAt"] = at
    entry = history_entry("moved", at, viewer.employee_id, note=note, **{"from": review["state"], "to": to})

    async def step() -> Outcome | Document:
        current = await store.reviews.get(review_id)
        if current is None or current["state"] != review["state"]:
            return Outcome.refused("state", ErrorCode.CONFLICT, MOVED)
        stored = await review_store.review_forms(store, review_id)  # a form may have been reopened since
        refusals = transition_errors(current, to, mine, stored)
        if refusals:
            return Outcome(errors=refusals)
        if not await review_store.move_review(store, current, changes, entry):
            return Outcome.refused("state", ErrorCode.CONFLICT, MOVED)
        if to == ReviewState.SHARED:
            store.record_event("review.shared", {"reviewId": review_id, "employeeId": current["employeeId"],
                                                 "cycleId": current["cycleId"]})
        return current

    result = await store.transaction(step)
    if isinstance(result, Outcome):
        return result
    await publish_after_commit(context, score_channel(viewer.organization_id, review_id),
                               {"kind": "state", "reviewId": review_id,
                                **snapshot({**result, **changes}, bundle.reviewee)})
    await publish_after_commit(context, cycle_progress_channel(viewer.organization_id, result["cycleId"]),
                               progress_event("moved", result, bundle.reviewee))
    if to == ReviewState.SHARED:
        await publish_after_commit(context, review_results_channel(viewer.organization_id), {
            "kind": "shared", "reviewId": review_id, "employeeId": result["employeeId"], "cycleId": result["cycleId"]})
    return Outcome(await store.reviews.get(review_id))


async def calibrate(context: Context, review_id: str, rating: int, justification: str | None) -> Outcome:
    """A calibrated rating with its justification, during calibration (every change is kept)."""
    signed_in = await require(context)
    viewer, store = signed_in.viewer, signed_in.store
    bundle = await _review(context, review_id)
    if bundle is None:
        return not_found("reviewId", "review", review_id)
    review = bundle.review
    if not can_calibrate_review(viewer, review, bundle.reviewee):
        raise Forbidden("calibration is for the reviewee's managers and HR admins")
    errors = check_reason(justification, "justification")
    scale = bundle.template["scale"]
    if rating_of(rating, scale) != rating:
        errors.append(FieldError("rating", ErrorCode.INVALID, f"the rating must be {scale['min']} to {scale['max']}"))
    if review["state"] != ReviewState.CALIBRATION:
        errors.append(FieldError("reviewId", ErrorCode.INVALID_TRANSITION,
                                 f"ratings are calibrated in the calibration state, not {review['state']}"))
    if errors or justification is None:
        return Outcome(errors=errors)
    at = clock.now()
    calibration = {"rating": rating, "justification": justification.strip(), "byId": viewer.employee_id, "at": at}

    async def step() -> Outcome | Document:
        current = await store.reviews.get(review_id)  # the history records the rating this one replaces
        if current is None or current["state"] != ReviewState.CALIBRATION:
            return Outcome.refused("reviewId", ErrorCode.CONFLICT, MOVED)
        entry = {**calibration, "previousRating": (current.get("calibration") or {}).get("rating"),
                 "scoreRating": (current.get("score") or {}).get("rating")}
        if not await store.reviews.update(review_id, {"calibration": calibration, "updatedAt": at},
                                          push={"calibrationHistory": entry},
                                          where={"state": ReviewState.CALIBRATION.value}):
            return Outcome.refused("reviewId", ErrorCode.CONFLICT, MOVED)
        return current

    result = await store.transaction(step)
    if isinstance(result, Outcome):
        return result
    org = viewer.organization_id
    await publish_after_commit(context, score_channel(org, review_id),
                               {"kind": "calibration", "reviewId": review_id, **snapshot(result, bundle.reviewee)})
    await publish_after_commit(context, cycle_scores_channel(org, review["cycleId"]),
                               {"kind": "calibration", "cycleId": review["cycleId"], "reviewId": review_id,
                                "departmentId": review.get("departmentId")})
    return Outcome(await store.reviews.get(review_id))
