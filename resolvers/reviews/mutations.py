"""Review workflow mutations: answers (versioned), submitting and reopening forms, moving a review
through its states and calibrating it. Refusals are payload errors and write nothing; authorisation
failures are FORBIDDEN errors. Events are published after the write is acknowledged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.core.validation import TEXT_MAX
from models.reviews.permissions import (
    can_calibrate_review,
    can_edit_review_form,
    can_manage_reviews,
    can_move_review,
    can_submit_review_form,
)
from models.reviews.rules import (
    RATED_KINDS,
    SHARED_STATES,
    FormState,
    QuestionKind,
    ReviewState,
    allowed_actors,
    answer_of,
    check_answer,
    find_question,
    goals_of_period,
    has_value,
    history_entry,
    missing_required,
    transition_errors,
    version_of,
)
from models.reviews.scores import rating_of
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from resolvers.reviews.access import (
    FormBundle,
    ReviewBundle,
    cycle_scores_channel,
    forget,
    form_bundle,
    form_channel,
    fresh_loaders,
    now,
    publish,
    relations,
    review_bundle,
    score_channel,
    snapshot,
    stored_form_bundle,
    viewer_store,
)
from store.reviews import repository as review_store


@dataclass
class ReviewOutcome:
    document: Document | None = None
    errors: list[FieldError] = field(default_factory=list)
    conflict: Document | None = None
    answer: Document | None = None


def _not_found(field_name: str, what: str, id: str) -> ReviewOutcome:
    return ReviewOutcome(errors=[FieldError(field_name, ErrorCode.NOT_FOUND, f"no {what} {id!r} in your organisation")])


async def _form(context: Context, form_id: str) -> FormBundle | None:
    fresh_loaders(context)  # a WebSocket connection keeps its context: never answer from an old read
    return await form_bundle(context, form_id)


def _edit_refusal(viewer: Any, bundle: FormBundle) -> FieldError | None:
    """Why the viewer may not answer on this form: a payload error, or Forbidden when not theirs."""
    if can_edit_review_form(viewer, bundle.form, bundle.review, bundle.reviewee):
        return None
    if not bundle.readable_by(viewer):
        raise Forbidden("this review form is not visible to you")
    probe = {**bundle.form, "state": FormState.IN_PROGRESS.value}
    review = {**bundle.review, "state": ReviewState.MANAGER_REVIEW.value}
    if bundle.form["state"] == FormState.SUBMITTED and can_edit_review_form(viewer, probe, bundle.review,
                                                                           bundle.reviewee):
        return FieldError("formId", ErrorCode.READ_ONLY, "the form has been submitted; an HR admin can reopen it")
    if bundle.review["state"] in SHARED_STATES and can_edit_review_form(viewer, probe, review, bundle.reviewee):
        return FieldError("formId", ErrorCode.READ_ONLY, "the review has been shared; its forms are read-only")
    raise Forbidden("only the reviewer may answer this form (managers and HR admins: the manager's form, "
                    "during calibration)")


async def _goal_ids(context: Context, bundle: FormBundle) -> list[str]:
    assert context.loaders is not None
    cycle = await context.loaders.reviews.cycle_by_id.load(bundle.form["cycleId"])
    goals = await context.loaders.reviews.goals_by_owner_id.load(bundle.form["revieweeId"])
    if cycle is None:
        return []
    return [g["_id"] for g in goals_of_period(goals, cycle["periodStart"], cycle["periodEnd"])]


async def update_answer(context: Context, form_id: str, question_id: str, value: Any,
                        base_version: int) -> ReviewOutcome:
    viewer, store, _ = await viewer_store(context)
    bundle = await stored_form_bundle(context, form_id)
    if bundle is None:
        return _not_found("formId", "review form", form_id)
    refusal = _edit_refusal(viewer, bundle)
    if refusal is not None:
        return ReviewOutcome(errors=[refusal])
    pair = find_question(bundle.template, bundle.form["kind"], question_id)
    if pair is None:
        return _not_found("questionId", f"question of the {bundle.form['kind']} form", question_id)
    _, question = pair
    errors = []
    if base_version < 0:
        errors.append(FieldError("baseVersion", ErrorCode.INVALID, "baseVersion is 0 (no answer yet) or more"))
    goal_ids = await _goal_ids(context, bundle) if question["kind"] == QuestionKind.GOALS else []
    errors += check_answer(question, value, goal_ids)
    if errors:
        return ReviewOutcome(errors=errors)
    if version_of(bundle.form, question_id) != base_version:  # stale already when we read it: no write
        return _conflict(bundle.form, question_id, base_version)
    at = now()
    form = await review_store.write_answer(store, form_id, question_id, value, base_version, viewer.employee_id, at)
    if form is None:  # someone wrote in between: the conditional write matched nothing
        current = await store.reviewForms.get(form_id) or bundle.form
        if current["state"] == FormState.SUBMITTED:
            return ReviewOutcome(errors=[FieldError("formId", ErrorCode.READ_ONLY, "the form has been submitted")])
        return _conflict(current, question_id, base_version)
    answer = {"questionId": question_id, **form["answers"][question_id]}
    await publish(context, form_channel(viewer.organization_id, form_id), {
        "kind": "answer", "formId": form_id, "questionId": question_id, "value": value,
        "version": answer["version"], "byId": viewer.employee_id, "at": at.isoformat(), "state": form["state"],
        "reviewerId": form["reviewerId"], "formKind": form["kind"], **snapshot(bundle.review, bundle.reviewee)})
    previous = answer_of(bundle.form, question_id)
    replaced_what_we_read = (int(previous["version"]) if previous else 0) == base_version
    if question["kind"] in RATED_KINDS or not replaced_what_we_read \
            or has_value(previous["value"] if previous else None) != has_value(value):
        await rescore(context, ReviewBundle(bundle.review, bundle.reviewee, bundle.template))
    # else: a text or choice answer rewritten cannot change the score (only whether it is given counts)
    forget(context, form)
    return ReviewOutcome(document=form, answer=answer)


def _conflict(form: Document, question_id: str, base_version: int) -> ReviewOutcome:
    """The answer moved on from ``base_version``: its current value and version, nothing written."""
    answer = answer_of(form, question_id)
    conflict = {"questionId": question_id, "value": answer["value"] if answer else None,
                "version": int(answer["version"]) if answer else 0,
                "byId": answer.get("byId") if answer else None, "at": answer.get("at") if answer else None}
    message = f"the answer is at version {conflict['version']}, not {base_version}: merge and retry"
    return ReviewOutcome(document=form, conflict=conflict, errors=[FieldError("baseVersion", ErrorCode.CONFLICT,
                                                                              message)])


async def rescore(context: Context, bundle: ReviewBundle) -> None:
    """Recompute the review's score; tell subscribers when it changed (and the cycle when its rating did)."""
    assert context.store is not None
    result = await review_store.recompute_score(context.store, bundle.review, bundle.template)
    if result is None:
        return
    before, after = result
    if before == after:
        return
    org = bundle.review["organizationId"]
    await publish(context, score_channel(org, bundle.review["_id"]),
                  {"kind": "score", "reviewId": bundle.review["_id"], **snapshot(bundle.review, bundle.reviewee)})
    if (before or {}).get("rating") != after.get("rating"):
        await publish(context, cycle_scores_channel(org, bundle.review["cycleId"]),
                      {"kind": "score", "cycleId": bundle.review["cycleId"], "reviewId": bundle.review["_id"],
                       "departmentId": bundle.review.get("departmentId")})


async def _form_event(context: Context, bundle: FormBundle, form: Document, kind: str, by: str) -> None:
    await publish(context, form_channel(form["organizationId"], form["_id"]), {
        "kind": kind, "formId": form["_id"], "questionId": None, "value": None, "version": None, "byId": by,
        "at": now().isoformat(), "state": form["state"], "reviewerId": form["reviewerId"], "formKind": form["kind"],
        **snapshot(bundle.review, bundle.reviewee)})


async def submit_form(context: Context, form_id: str) -> ReviewOutcome:
    viewer, store, _ = await viewer_store(context)
    bundle = await _form(context, form_id)
    if bundle is None:
        return _not_found("formId", "review form", form_id)
    form = bundle.form
    if not can_submit_review_form(viewer, form):
        if not bundle.readable_by(viewer):
            raise Forbidden("this review form is not visible to you")
        raise Forbidden("only the reviewer submits a form")
    if form["state"] == FormState.SUBMITTED:
        return ReviewOutcome(errors=[FieldError("formId", ErrorCode.INVALID_TRANSITION,
                                                "the form is already submitted")])
    if bundle.review["state"] in SHARED_STATES:
        return ReviewOutcome(errors=[FieldError("formId", ErrorCode.READ_ONLY, "the review has been shared")])
    missing = missing_required(bundle.template, form)
    if missing:
        return ReviewOutcome(errors=[FieldError(f"answers.{q}", ErrorCode.REQUIRED, f"question {q!r} needs an answer")
                                     for q in missing])
    at = now()
    if not await review_store.move_form(store, form, FormState.SUBMITTED, history_entry("submitted", at,
                                                                                         viewer.employee_id), at):
        return ReviewOutcome(errors=[FieldError("formId", ErrorCode.CONFLICT, "the form changed meanwhile; retry")])
    updated = await store.reviewForms.get(form_id)
    assert updated is not None
    await _form_event(context, bundle, updated, "submitted", viewer.employee_id)
    fresh_loaders(context)
    return ReviewOutcome(updated)


async def reopen_form(context: Context, form_id: str, reason: str | None) -> ReviewOutcome:
    viewer, store, _ = await viewer_store(context)
    if not can_manage_reviews(viewer):
        raise Forbidden("only HR admins reopen submitted forms")
    bundle = await _form(context, form_id)
    if bundle is None:
        return _not_found("formId", "review form", form_id)
    errors = _reason_errors(reason, "reason")
    if bundle.form["state"] != FormState.SUBMITTED:
        errors.append(FieldError("formId", ErrorCode.INVALID_TRANSITION, "only a submitted form can be reopened"))
    elif bundle.review["state"] in SHARED_STATES:
        errors.append(FieldError("formId", ErrorCode.INVALID_TRANSITION, "the review has been shared"))
    if errors:
        return ReviewOutcome(errors=errors)
    assert reason is not None
    at = now()
    entry = history_entry("reopened", at, viewer.employee_id, reason=reason.strip())
    if not await review_store.move_form(store, bundle.form, FormState.IN_PROGRESS, entry, at):
        return ReviewOutcome(errors=[FieldError("formId", ErrorCode.CONFLICT, "the form changed meanwhile; retry")])
    updated = await store.reviewForms.get(form_id)
    assert updated is not None
    await _form_event(context, bundle, updated, "reopened", viewer.employee_id)
    fresh_loaders(context)
    return ReviewOutcome(updated)


def _reason_errors(value: str | None, field_name: str) -> list[FieldError]:
    if value is None or not value.strip():
        return [FieldError(field_name, ErrorCode.REQUIRED, f"{field_name} is required")]
    if len(value) > TEXT_MAX:
        return [FieldError(field_name, ErrorCode.TOO_LONG, f"{field_name} is longer than {TEXT_MAX} characters")]
    return []


async def _review(context: Context, review_id: str) -> ReviewBundle | None:
    fresh_loaders(context)
    return await review_bundle(context, review_id)


async def move_review(context: Context, review_id: str, to: str, note: str | None) -> ReviewOutcome:
    viewer, store, _ = await viewer_store(context)
    bundle = await _review(context, review_id)
    if bundle is None:
        return _not_found("reviewId", "review", review_id)
    if not bundle.visible_to(viewer):
        raise Forbidden("this review is visible only to the reviewee, their managers and HR admins")
    review = bundle.review
    allowed = allowed_actors((review["state"], to))
    if allowed and not can_move_review(viewer, review, bundle.reviewee, frozenset(allowed)):
        raise Forbidden(f"moving a review to {to} is for: {', '.join(sorted(allowed))}")
    forms = await context.loaders.reviews.forms_by_review_id.load(review_id) if context.loaders else []
    mine = frozenset(relations(viewer, bundle.reviewee) & set(allowed))
    errors = transition_errors(review, to, mine, forms)  # type: ignore[arg-type]
    if note is not None and len(note) > TEXT_MAX:
        errors.append(FieldError("note", ErrorCode.TOO_LONG, f"note is longer than {TEXT_MAX} characters"))
    if errors:
        return ReviewOutcome(errors=errors)
    at = now()
    changes: dict[str, Any] = {"state": to, "updatedAt": at}
    if to == ReviewState.SHARED:
        changes["sharedAt"] = at
    if to == ReviewState.ACKNOWLEDGED:
        changes["acknowledgedAt"] = at
    entry = history_entry("moved", at, viewer.employee_id, note=note, **{"from": review["state"], "to": to})
    if not await store.reviews.update(review_id, changes, push={"history": entry}, where={"state": review["state"]}):
        return ReviewOutcome(errors=[FieldError("state", ErrorCode.CONFLICT, "the review moved meanwhile; retry")])
    updated = {**review, **changes}
    await publish(context, score_channel(viewer.organization_id, review_id),
                  {"kind": "state", "reviewId": review_id, **snapshot(updated, bundle.reviewee)})
    fresh_loaders(context)
    return ReviewOutcome(await store.reviews.get(review_id))


async def calibrate(context: Context, review_id: str, rating: int, justification: str | None) -> ReviewOutcome:
    viewer, store, _ = await viewer_store(context)
    bundle = await _review(context, review_id)
    if bundle is None:
        return _not_found("reviewId", "review", review_id)
    review = bundle.review
    if not can_calibrate_review(viewer, review, bundle.reviewee):
        raise Forbidden("calibration is for the reviewee's managers and HR admins")
    errors = _reason_errors(justification, "justification")
    scale = bundle.template["scale"]
    if rating_of(rating, scale) != rating:
        errors.append(FieldError("rating", ErrorCode.INVALID, f"the rating must be {scale['min']} to {scale['max']}"))
    if review["state"] != ReviewState.CALIBRATION:
        errors.append(FieldError("reviewId", ErrorCode.INVALID_TRANSITION,
                                 f"ratings are calibrated in the calibration state, not {review['state']}"))
    if errors:
        return ReviewOutcome(errors=errors)
    assert justification is not None
    at = now()
    previous = (review.get("calibration") or {}).get("rating")
    calibration = {"rating": rating, "justification": justification.strip(), "byId": viewer.employee_id, "at": at}
    entry = {**calibration, "previousRating": previous,
             "scoreRating": (review.get("score") or {}).get("rating")}
    if not await store.reviews.update(review_id, {"calibration": calibration, "updatedAt": at},
                                      push={"calibrationHistory": entry},
                                      where={"state": ReviewState.CALIBRATION.value}):
        return ReviewOutcome(errors=[FieldError("reviewId", ErrorCode.CONFLICT, "the review moved meanwhile; retry")])
    org = viewer.organization_id
    await publish(context, score_channel(org, review_id),
                  {"kind": "calibration", "reviewId": review_id, **snapshot(review, bundle.reviewee)})
    await publish(context, cycle_scores_channel(org, review["cycleId"]),
                  {"kind": "calibration", "cycleId": review["cycleId"], "reviewId": review_id,
                   "departmentId": review.get("departmentId")})
    fresh_loaders(context)
    return ReviewOutcome(await store.reviews.get(review_id))
