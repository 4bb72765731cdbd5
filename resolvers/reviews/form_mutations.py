"""Form mutations: answers (versioned), submitting and reopening a form. Refusals are payload errors and
write nothing; a viewer who may not act raises :class:`Forbidden` (a ``FORBIDDEN`` payload error). Events are
published after the write is committed.

A review move writes its new state on every form of the review in its own transaction (``moveReview``,
the form's ``reviewState``). A submit or a reopen runs in one transaction that reads the form and its review
again and repeats the checks on what it read, so one that read the review before a move conflicts with it
and is retried on the review as moved (and refused if the move ended what allowed it). An answer, the write
of live co-editing, is one conditional write of the form instead (its filter holds the form's state, the
answer's version and the review's state as checked): many editors of one form never abort each other's
transactions, and an answer that read the review before a move matches nothing and is refused (or written
again) on the review as moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
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
    check_answer_kind,
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
from resolvers.reviews.channels import cycle_progress_channel, form_channel, progress_event, snapshot
from resolvers.reviews.scoring import rescore
from store.core.repository import TenantStore
from store.reviews import repository as review_store

CHANGED = "the form changed meanwhile; retry"
WRITE_ATTEMPTS = 3  # an answer written again on a review that moved between two states the writer may answer in


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


async def _stored_now(store: TenantStore, bundle: FormBundle) -> FormBundle | None:
    """The form and its review as stored now (read inside a transaction step, never through the loaders),
    with the reviewee and template read before; ``None`` once the form is gone or withdrawn."""
    form = await review_store.live_form(store, bundle.form["_id"])
    review = await store.reviews.get(bundle.form["reviewId"])
    if form is None or review is None:
        return None
    return FormBundle(form, review, bundle.reviewee, bundle.template)


async def update_answer(context: Context, form_id: str, question_id: str, value: Any, base_version: int,
                        member: str | None = None) -> Outcome:
    """Write one answer on top of ``base_version``; a stale one is a ``CONFLICT`` with the current answer
    (``extra["conflict"]``); the answer as written is ``extra["answer"]``. ``member``: the member of a typed
    answer that carried ``value`` (``KIND_MISMATCH`` unless it answers the question's kind); ``None`` for the
    deprecated untyped value."""
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
    if member is None:
        errors += check_answer(question, value, goal_ids)
    else:  # a typed answer: its member must suit the question, and its errors name that member
        errors += check_answer_kind(question, member) or [
            replace(e, field=f"answer.{member}") for e in check_answer(question, value, goal_ids)]
    if errors:
        return Outcome(errors=errors)
    at = clock.now()
    # One conditional write, no transaction: its filter holds every condition checked above that can
    # change (the form open and live, the answer's version, the review's state), so concurrent editors of
    # one form never abort each other's transactions. Only a write that matched nothing reads the form and
    # its review again, to say why (or to write again on a review that moved to another state the writer
    # may still answer in).
    current = bundle
    for _ in range(WRITE_ATTEMPTS):
        form = await review_store.write_answer(store, form_id, question_id, value, base_version,
                                               viewer.employee_id, at, current.review["state"])
        if form is not None:
            break
        stored_now = await _stored_now(store, bundle)
        if stored_now is None:
            return not_found("formId", "review form", form_id)
        refusal = _edit_refusal(viewer, stored_now)  # the review may have moved on since the first read
        if refusal is not None:
            return Outcome(errors=[refusal])
        if version_of(stored_now.form, question_id) != base_version:  # stale: no write
            return _conflict(stored_now.form, question_id, base_version)
        current = stored_now
    else:
        return Outcome.refused("formId", ErrorCode.CONFLICT, CHANGED)
    answer = {"questionId": question_id, **form["answers"][question_id]}
    await publish_after_commit(context, form_channel(viewer.organization_id, form_id), {
        "kind": "answer", "formId": form_id, "questionId": question_id, "value": value,
        "version": answer["version"], "byId": viewer.employee_id, "at": at.isoformat(), "state": form["state"],
        "reviewerId": form["reviewerId"], "formKind": form["kind"], **snapshot(current.review, current.reviewee)})
    if form["state"] != current.form["state"]:  # the first answer started the form
        await publish_after_commit(context, cycle_progress_channel(viewer.organization_id, form["cycleId"]),
                                   progress_event("started", current.review, current.reviewee))
    # what the write replaced: the answer at base_version, if the form read before the write had it (a version
    # is written once, so its value is known); else unknown, and the score is recomputed to be safe
    previous = answer_of(current.form, question_id)
    known = version_of(current.form, question_id) == base_version
    if question["kind"] in RATED_KINDS or not known \
            or has_value(previous["value"] if previous else None) != has_value(value):
        await rescore(context, ReviewBundle(current.review, current.reviewee, current.template))
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


Check = Callable[[FormBundle], list[FieldError]]


async def _moved(context: Context, bundle: FormBundle, check: Check, to: FormState, entry: Document,
                 at: Any) -> Outcome:
    """Move the form from the state read to ``to`` in one transaction that repeats ``check`` on the form and
    review as stored then; the form after it, and its event, or the refusal (``CONFLICT`` if it moved)."""
    store = (await require(context)).store

    async def step() -> Outcome | tuple[FormBundle, Document]:
        current = await _stored_now(store, bundle)
        if current is None or current.form["state"] != bundle.form["state"]:
            return Outcome.refused("formId", ErrorCode.CONFLICT, CHANGED)
        errors = check(current)
        if errors:
            return Outcome(errors=errors)
        if not await review_store.move_form(store, current.form, to, entry, at):
            return Outcome.refused("formId", ErrorCode.CONFLICT, CHANGED)
        updated = await store.reviewForms.get(bundle.form["_id"])
        return (current, updated) if updated is not None else Outcome.refused("formId", ErrorCode.CONFLICT, CHANGED)

    result = await store.transaction(step)
    if isinstance(result, Outcome):
        return result
    current, updated = result
    await _form_event(context, current, updated, entry["kind"], entry["byId"])
    await publish_after_commit(context, cycle_progress_channel(updated["organizationId"], updated["cycleId"]),
                               progress_event(entry["kind"], current.review, current.reviewee))
    return Outcome(updated)


def _submit_errors(bundle: FormBundle) -> list[FieldError]:
    """Why the form cannot be submitted as it stands (its reviewer's right to submit checked apart)."""
    form = bundle.form
    if form["state"] == FormState.SUBMITTED:
        return [FieldError("formId", ErrorCode.INVALID_TRANSITION, "the form is already submitted")]
    if bundle.review["state"] in SHARED_STATES:
        return [FieldError("formId", ErrorCode.READ_ONLY, "the review has been shared")]
    return [FieldError(f"answers.{q}", ErrorCode.REQUIRED, f"question {q!r} needs an answer")
            for q in missing_required(bundle.template, form)]


async def submit_form(context: Context, form_id: str) -> Outcome:
    """The reviewer submits a form whose required questions are all answered; it is read-only afterwards."""
    viewer = (await require(context)).viewer
    bundle = await _form(context, form_id)
    if bundle is None:
        return not_found("formId", "review form", form_id)
    if not can_submit_review_form(viewer, bundle.form):
        if not bundle.readable_by(viewer):
            raise Forbidden(FORM_REFUSAL)
        raise Forbidden("only the reviewer submits a form")
    errors = _submit_errors(bundle)
    if errors:
        return Outcome(errors=errors)
    at = clock.now()
    entry = history_entry("submitted", at, viewer.employee_id)
    return await _moved(context, bundle, _submit_errors, FormState.SUBMITTED, entry, at)


def _reopen_errors(bundle: FormBundle) -> list[FieldError]:
    if bundle.form["state"] != FormState.SUBMITTED:
        return [FieldError("formId", ErrorCode.INVALID_TRANSITION, "only a submitted form can be reopened")]
    if bundle.review["state"] in SHARED_STATES:
        return [FieldError("formId", ErrorCode.INVALID_TRANSITION, "the review has been shared")]
    return []


async def reopen_form(context: Context, form_id: str, reason: str | None) -> Outcome:
    """An HR admin reopens a submitted form of a review not shared yet; the reason goes into its history."""
    viewer = (await require_role(context, can_manage_reviews, "only HR admins reopen submitted forms")).viewer
    bundle = await _form(context, form_id)
    if bundle is None:
        return not_found("formId", "review form", form_id)
    errors = check_reason(reason, "reason") + _reopen_errors(bundle)
    if errors or reason is None:
        return Outcome(errors=errors)
    at = clock.now()
    entry = history_entry("reopened", at, viewer.employee_id, reason=reason.strip())
    return await _moved(context, bundle, _reopen_errors, FormState.IN_PROGRESS, entry, at)
