"""Form mutations: answers (versioned), submitting and reopening a form. Refusals are payload errors and
write nothing; a viewer who may not act raises :class:`Forbidden` (a ``FORBIDDEN`` payload error). Events are
published after the write is acknowledged."""

from __future__ import annotations

from typing import Any

from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.core.viewer import Viewer
from models.reviews.permissions import can_edit_review_form, can_manage_reviews, can_submit_review_form
from models.reviews.rules import (
    RATED_KINDS,
    SHARED_STATES,
    FormState,
    QuestionKind,
    ReviewState,
    answer_of,
    check_answer,
    check_reason,
    find_question,
    has_value,
    history_entry,
    missing_required,
    version_of,
)
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.reviews.access import FORM_REFUSAL, FormBundle, ReviewBundle, form_bundle, period_goals
from resolvers.reviews.channels import form_channel, snapshot
from resolvers.reviews.scoring import rescore
from store.reviews import repository as review_store


def not_found(field_name: str, what: str, id: str) -> Outcome:
    """The payload for an id that names nothing in the viewer's organisation."""
    return Outcome.refused(field_name, ErrorCode.NOT_FOUND, f"no {what} {id!r} in your organisation")


async def _form(context: Context, form_id: str) -> FormBundle | None:
    context.fresh_loaders()  # a WebSocket connection keeps its context: never answer from an old read
    return await form_bundle(context, form_id)


def _edit_refusal(viewer: Viewer, bundle: FormBundle) -> FieldError | None:
    """Why the viewer may not answer on this form: a payload error, or Forbidden when not theirs."""
    if can_edit_review_form(viewer, bundle.form, bundle.review, bundle.reviewee):
        return None
    if not bundle.readable_by(viewer):
        raise Forbidden(FORM_REFUSAL)
    probe = {**bundle.form, "state": FormState.IN_PROGRESS.value}
    review = {**bundle.review, "state": ReviewState.MANAGER_REVIEW.value}
    if bundle.form["state"] == FormState.SUBMITTED and can_edit_review_form(viewer, probe, bundle.review,
                                                                           bundle.reviewee):
        return FieldError("formId", ErrorCode.READ_ONLY, "the form has been submitted; an HR admin can reopen it")
    if bundle.review["state"] in SHARED_STATES and can_edit_review_form(viewer, probe, review, bundle.reviewee):
        return FieldError("formId", ErrorCode.READ_ONLY, "the review has been shared; its forms are read-only")
    raise Forbidden("only the reviewer may answer this form (managers and HR admins: the manager's form, "
                    "during calibration)")


def _forget(context: Context, form: Document) -> None:
    """Drop what a write changed from the request's loaders, so the payload reads the new state."""
    loaders = context.loaders
    if loaders is None:
        return
    reviews = loaders.reviews
    reviews.form_by_id.prime(form["_id"], form, force=True)
    for loader, key in ((reviews.review_by_id, form["reviewId"]), (reviews.forms_by_review_id, form["reviewId"])):
        if loader.cache_map.get(key) is not None:
            loader.clear(key)


async def update_answer(context: Context, form_id: str, question_id: str, value: Any, base_version: int) -> Outcome:
    """Write one answer on top of ``base_version``; a stale one is a ``CONFLICT`` with the current answer
    (``extra["conflict"]``); the answer as written is ``extra["answer"]``."""
    signed_in = await require(context)
    viewer, store = signed_in.viewer, signed_in.store
    bundle = await _form(context, form_id)
    if bundle is None:
        return not_found("formId", "review form", form_id)
    refusal = _edit_refusal(viewer, bundle)
    if refusal is not None:
        return Outcome(errors=[refusal])
    pair = find_question(bundle.template, bundle.form["kind"], question_id)
    if pair is None:
        return not_found("questionId", f"question of the {bundle.form['kind']} form", question_id)
    _, question = pair
    errors = []
    if base_version < 0:
        errors.append(FieldError("baseVersion", ErrorCode.INVALID, "baseVersion is 0 (no answer yet) or more"))
    # a goal-achievement answer rates the reviewee's goals of the period that the writer may see
    goal_ids = [g["_id"] for g in await period_goals(context, bundle)] if question["kind"] == QuestionKind.GOALS else []
    errors += check_answer(question, value, goal_ids)
    if errors:
        return Outcome(errors=errors)
    if version_of(bundle.form, question_id) != base_version:  # stale already when we read it: no write
        return _conflict(bundle.form, question_id, base_version)
    at = clock.now()
    form = await review_store.write_answer(store, form_id, question_id, value, base_version, viewer.employee_id, at)
    if form is None:  # someone wrote in between: the conditional write matched nothing
        current = await store.reviewForms.get(form_id) or bundle.form
        if current["state"] == FormState.SUBMITTED:
            return Outcome.refused("formId", ErrorCode.READ_ONLY, "the form has been submitted")
        return _conflict(current, question_id, base_version)
    answer = {"questionId": question_id, **form["answers"][question_id]}
    await publish_after_commit(context, form_channel(viewer.organization_id, form_id), {
        "kind": "answer", "formId": form_id, "questionId": question_id, "value": value,
        "version": answer["version"], "byId": viewer.employee_id, "at": at.isoformat(), "state": form["state"],
        "reviewerId": form["reviewerId"], "formKind": form["kind"], **snapshot(bundle.review, bundle.reviewee)})
    previous = answer_of(bundle.form, question_id)
    replaced_what_we_read = (int(previous["version"]) if previous else 0) == base_version
    if question["kind"] in RATED_KINDS or not replaced_what_we_read \
            or has_value(previous["value"] if previous else None) != has_value(value):
        await rescore(context, ReviewBundle(bundle.review, bundle.reviewee, bundle.template))
    # else: a text or choice answer rewritten cannot change the score (only whether it is given counts)
    _forget(context, form)
    return Outcome(form, extra={"answer": answer})


def _conflict(form: Document, question_id: str, base_version: int) -> Outcome:
    """The answer moved on from ``base_version``: its current value and version, nothing written."""
    answer = answer_of(form, question_id)
    conflict = {"questionId": question_id, "value": answer["value"] if answer else None,
                "version": int(answer["version"]) if answer else 0,
                "byId": answer.get("byId") if answer else None, "at": answer.get("at") if answer else None}
    message = f"the answer is at version {conflict['version']}, not {base_version}: merge and retry"
    return Outcome(form, [FieldError("baseVersion", ErrorCode.CONFLICT, message)], extra={"conflict": conflict})


async def _form_event(context: Context, bundle: FormBundle, form: Document, kind: str, by: str) -> None:
    await publish_after_commit(context, form_channel(form["organizationId"], form["_id"]), {
        "kind": kind, "formId": form["_id"], "questionId": None, "value": None, "version": None, "byId": by,
        "at": clock.now().isoformat(), "state": form["state"], "reviewerId": form["reviewerId"],
        "formKind": form["kind"], **snapshot(bundle.review, bundle.reviewee)})


async def _moved(context: Context, bundle: FormBundle, to: FormState, entry: Document, at: Any) -> Outcome:
    """Move the form from the state read to ``to``; the form after it, and its event, or a ``CONFLICT``."""
    store = (await require(context)).store
    if not await review_store.move_form(store, bundle.form, to, entry, at):
        return Outcome.refused("formId", ErrorCode.CONFLICT, "the form changed meanwhile; retry")
    updated = await store.reviewForms.get(bundle.form["_id"])
    if updated is None:  # removed in between: nothing to show
        return Outcome.refused("formId", ErrorCode.CONFLICT, "the form changed meanwhile; retry")
    await _form_event(context, bundle, updated, entry["kind"], entry["byId"])
    return Outcome(updated)


async def submit_form(context: Context, form_id: str) -> Outcome:
    """The reviewer submits a form whose required questions are all answered; it is read-only afterwards."""
    viewer = (await require(context)).viewer
    bundle = await _form(context, form_id)
    if bundle is None:
        return not_found("formId", "review form", form_id)
    form = bundle.form
    if not can_submit_review_form(viewer, form):
        if not bundle.readable_by(viewer):
            raise Forbidden(FORM_REFUSAL)
        raise Forbidden("only the reviewer submits a form")
    if form["state"] == FormState.SUBMITTED:
        return Outcome.refused("formId", ErrorCode.INVALID_TRANSITION, "the form is already submitted")
    if bundle.review["state"] in SHARED_STATES:
        return Outcome.refused("formId", ErrorCode.READ_ONLY, "the review has been shared")
    missing = missing_required(bundle.template, form)
    if missing:
        return Outcome(errors=[FieldError(f"answers.{q}", ErrorCode.REQUIRED, f"question {q!r} needs an answer")
                               for q in missing])
    at = clock.now()
    return await _moved(context, bundle, FormState.SUBMITTED, history_entry("submitted", at, viewer.employee_id), at)


async def reopen_form(context: Context, form_id: str, reason: str | None) -> Outcome:
    """An HR admin reopens a submitted form of a review not shared yet; the reason goes into its history."""
    viewer = (await require_role(context, can_manage_reviews, "only HR admins reopen submitted forms")).viewer
    bundle = await _form(context, form_id)
    if bundle is None:
        return not_found("formId", "review form", form_id)
    errors = check_reason(reason, "reason")
    if bundle.form["state"] != FormState.SUBMITTED:
        errors.append(FieldError("formId", ErrorCode.INVALID_TRANSITION, "only a submitted form can be reopened"))
    elif bundle.review["state"] in SHARED_STATES:
        errors.append(FieldError("formId", ErrorCode.INVALID_TRANSITION, "the review has been shared"))
    if errors or reason is None:
        return Outcome(errors=errors)
    at = clock.now()
    entry = history_entry("reopened", at, viewer.employee_id, reason=reason.strip())
    return await _moved(context, bundle, FormState.IN_PROGRESS, entry, at)
