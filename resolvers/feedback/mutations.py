"""Feedback mutations: give, edit (15 minutes), retract (tombstone), request, answer, settings.

Every refusal is a payload error and writes nothing: all checks run before the first write.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.feedback.permissions import (
    can_change_feedback,
    can_manage_feedback_settings,
    can_see_feedback,
    may_request_feedback_about,
)
from models.feedback.rules import (
    EDIT_WINDOW,
    MAX_RESPONDENTS,
    QUESTION_MAX,
    FeedbackEventKind,
    Visibility,
    allowed_tags,
    check_body,
    check_due_date,
    check_label_list,
    check_tags,
    check_threshold,
    clean_tags,
    direction_of,
    editable_until,
    is_retracted,
    period_of,
    stored_instant,
)
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.feedback import anonymous as feedback_anonymous
from resolvers.feedback.channels import notify
from resolvers.feedback.colleagues import existing_employee
from resolvers.org import access as org_access
from store.feedback import repository as feedback_store


def _feedback_doc(author: Document, recipient: Document, text: str, tags: list[str], visibility: Visibility,
                  request_id: str | None = None, id: str | None = None) -> Document:
    return {
        "_id": id or new_id(), "authorId": author["_id"], "recipientId": recipient["_id"], "text": text, "tags": tags,
        "direction": direction_of(author, recipient).value, "visibility": visibility.value, "requestId": request_id,
        "createdAt": stored_instant(clock.now()), "editedAt": None, "retractedAt": None,
    }


async def _announce(context: Context, feedback: Document, requester_id: str | None = None) -> None:
    """Tell the recipient (unless it is a note to their managers) and the requester of an answered request."""
    addressed = [] if feedback["visibility"] == Visibility.MANAGER_ONLY.value else [feedback["recipientId"]]
    if requester_id is not None:
        addressed.append(requester_id)
    await notify(context, feedback["organizationId"], addressed, FeedbackEventKind.FEEDBACK, feedbackId=feedback["_id"])


async def give_feedback(context: Context, data: dict[str, Any]) -> Outcome:
    """Feedback to a colleague under the viewer's name; the recipient is told, unless it is a note to their
    managers."""
    me = await require(context)
    settings = await feedback_store.load_settings(me.store)
    text, tags = data.get("text"), clean_tags(data.get("tags"))
    visibility = Visibility(data.get("visibility") or Visibility.PRIVATE)
    errors = [*check_body(text, "text"), *check_tags(tags, allowed_tags(settings))]
    recipient = await existing_employee(context, data.get("recipient_id"), "recipientId", errors)
    if recipient is not None and recipient["_id"] == me.viewer.employee_id:
        errors.append(FieldError("recipientId", ErrorCode.INVALID, "you cannot give feedback to yourself"))
    author = await org_access.employee(context, me.viewer.employee_id)
    if errors or recipient is None or author is None or text is None:
        return Outcome(errors=errors)
    document = _feedback_doc(author, recipient, text, tags, visibility)

    async def step() -> Document:
        doc = await me.store.feedback.insert(document)
        me.store.record_event("feedback.given", {"feedbackId": doc["_id"], "recipientId": recipient["_id"]})
        return doc

    doc = await me.store.transaction(step)
    await _announce(context, doc)
    return Outcome(doc)


async def _own_feedback(context: Context, id: str, errors: list[FieldError]) -> Document | None:
    """The viewer's own feedback item; unknown and invisible ids are NOT_FOUND, others' are FORBIDDEN."""
    me = await require(context)
    doc = await me.loaders.feedback.feedback_by_id.load(id)
    recipient = await org_access.employee(context, doc["recipientId"]) if doc else None
    if doc is None or not can_see_feedback(me.viewer, doc, recipient):
        errors.append(FieldError("id", ErrorCode.NOT_FOUND, f"no feedback {id!r} that you can see"))
        return None
    if not can_change_feedback(me.viewer, doc):
        raise Forbidden("only its author may edit or retract feedback")
    if is_retracted(doc):
        errors.append(FieldError("id", ErrorCode.INVALID_TRANSITION, "this feedback was retracted"))
        return None
    return doc


async def edit_feedback(context: Context, id: str, data: dict[str, Any]) -> Outcome:
    """The author changes text or tags within the edit window; a retraction or the window closing meanwhile wins."""
    me = await require(context)
    errors: list[FieldError] = []
    doc = await _own_feedback(context, id, errors)
    if doc is None:
        return Outcome(errors=errors)
    if clock.now() > editable_until(doc):
        return Outcome(errors=[FieldError("id", ErrorCode.TOO_LATE, "feedback can be edited for 15 minutes only")])
    settings = await feedback_store.load_settings(me.store)
    changes: dict[str, Any] = {}
    if "text" in data:
        errors += check_body(data["text"], "text")
        changes["text"] = data["text"]
    if "tags" in data:
        changes["tags"] = clean_tags(data["tags"])
        errors += check_tags(changes["tags"], allowed_tags(settings))
    if errors:
        return Outcome(errors=errors)
    if not changes:
        return Outcome(doc)
    # the same conditions again, in the write itself and at its own time: retracted or past the window
    # meanwhile → nothing changes
    changes["editedAt"] = stored_instant(clock.now())
    if not await me.store.feedback.update(id, changes, where={"retractedAt": None,
                                                              "createdAt": {"$gt": changes["editedAt"] - EDIT_WINDOW}}):
        return Outcome(errors=[FieldError("id", ErrorCode.CONFLICT, "the feedback was retracted or aged meanwhile")])
    context.fresh_loaders()
    return Outcome({**doc, **changes})


async def retract_feedback(context: Context, id: str) -> Outcome:
    """The author takes it back: text and tags are erased, a tombstone stays (who, to whom, when)."""
    me = await require(context)
    errors: list[FieldError] = []
    doc = await _own_feedback(context, id, errors)
    if doc is None:
        return Outcome(errors=errors)
    changes = {"text": None, "tags": [], "retractedAt": stored_instant(clock.now())}
    if not await me.store.feedback.update(id, changes, where={"retractedAt": None}):
        return Outcome(errors=[FieldError("id", ErrorCode.INVALID_TRANSITION, "this feedback was retracted")])
    context.fresh_loaders()
    return Outcome({**doc, **changes})


async def _respondent_errors(context: Context, ids: list[str], subject: Document | None, anonymous: bool,
                             threshold: int) -> list[FieldError]:
    me = await require(context)
    viewer, field = me.viewer, "respondentIds"
    if not ids:
        return [FieldError(field, ErrorCode.REQUIRED, "ask at least one colleague")]
    if len(ids) > MAX_RESPONDENTS:
        return [FieldError(field, ErrorCode.INVALID, f"ask at most {MAX_RESPONDENTS} colleagues")]
    if len(set(ids)) != len(ids):
        return [FieldError(field, ErrorCode.DUPLICATE, "ask each colleague once")]
    if viewer.employee_id in ids:
        return [FieldError(field, ErrorCode.INVALID, "you cannot request feedback from yourself")]
    if subject is not None and subject["_id"] in ids:
        return [FieldError(field, ErrorCode.INVALID, f"{subject['name']} cannot be asked about themselves")]
    errors: list[FieldError] = []
    await org_access.employees(context, ids)  # one batch; the checks below read the loader's cache
    found = [await existing_employee(context, id, field, errors) for id in ids]
    if anonymous and not errors:
        if any(viewer.employee_id not in r.get("managerChain", []) for r in found if r is not None):
            errors.append(FieldError(field, ErrorCode.INVALID,
                                     "anonymous upward feedback is asked of the people you manage"))
        elif len(ids) < threshold:
            errors.append(FieldError(field, ErrorCode.INVALID,
                                     f"ask at least {threshold} people for anonymous feedback"))
    return errors


async def request_feedback(context: Context, data: dict[str, Any]) -> Outcome:
    """Ask colleagues for feedback about yourself or a report; anonymous: ask your reports about yourself."""
    me = await require(context)
    viewer = me.viewer
    settings = await feedback_store.load_settings(me.store)
    anonymous = bool(data.get("anonymous"))
    errors = [*check_body(data.get("question"), "question", QUESTION_MAX),
              *check_due_date(data.get("due_date"), "dueDate", clock.today())]
    subject = await existing_employee(context, data.get("subject_id") or viewer.employee_id, "subjectId", errors)
    if subject is not None and not may_request_feedback_about(viewer, subject):
        errors.append(FieldError("subjectId", ErrorCode.FORBIDDEN,
                                 "you can ask for feedback about yourself or someone you manage"))
    if subject is not None and anonymous and subject["_id"] != viewer.employee_id:
        errors.append(FieldError("subjectId", ErrorCode.INVALID, "anonymous requests are about yourself"))
    ids = list(data.get("respondent_ids") or [])
    errors += await _respondent_errors(context, ids, subject, anonymous, settings["anonymityThreshold"])
    if errors or subject is None:
        return Outcome(errors=errors)
    created = stored_instant(clock.now())
    doc = await me.store.feedbackRequests.insert({
        "_id": new_id(), "requesterId": viewer.employee_id, "subjectId": subject["_id"], "respondentIds": ids,
        "question": data["question"], "dueDate": data["due_date"].isoformat(), "anonymous": anonymous,
        "period": period_of(created.date()), "answers": {}, "createdAt": created,
    })
    await notify(context, viewer.organization_id, ids, FeedbackEventKind.REQUEST, requestId=doc["_id"])
    return Outcome(extra={"request": doc})


async def answer_request(context: Context, request_id: str, data: dict[str, Any]) -> Outcome:
    """Answering closes the viewer's part: attributed feedback to the subject, or an anonymous item."""
    me = await require(context)
    viewer = me.viewer
    request = await me.loaders.feedback.request_by_id.load(request_id)
    if request is None or viewer.employee_id not in request.get("respondentIds", []):
        return Outcome(errors=[FieldError("requestId", ErrorCode.NOT_FOUND, f"no request {request_id!r} to you")])
    settings = await feedback_store.load_settings(me.store)
    text, tags = data.get("text"), clean_tags(data.get("tags"))
    errors = [*check_body(text, "text"), *check_tags(tags, allowed_tags(settings))]
    subject = await existing_employee(context, request["subjectId"], "requestId", errors)
    if request.get("anonymous"):
        respondent = await org_access.employee(context, viewer.employee_id)
        if subject is not None and (respondent is None or subject["_id"] not in respondent.get("managerChain", [])):
            errors.append(FieldError("requestId", ErrorCode.INVALID, "the requester no longer manages you"))
        if errors or subject is None or text is None:
            return Outcome(errors=errors)
        errors = await feedback_anonymous.contribute(context, subject["_id"], request["period"], text, tags)
        context.fresh_loaders()
        return Outcome(errors=errors, extra={"request": request if not errors else None})
    own_request = request["subjectId"] == request["requesterId"]
    visibility = Visibility(data.get("visibility") or (Visibility.PRIVATE if own_request else Visibility.MANAGER_ONLY))
    if visibility == (Visibility.MANAGER_ONLY if own_request else Visibility.PRIVATE):
        errors.append(FieldError("visibility", ErrorCode.INVALID, "the requester must be able to read the answer"))
    answer = (request.get("answers") or {}).get(viewer.employee_id)
    existing = await me.loaders.feedback.feedback_by_id.load(answer["feedbackId"]) if answer else None
    if existing is not None:
        errors.append(FieldError("requestId", ErrorCode.DUPLICATE, "you have already answered this request"))
    author = await org_access.employee(context, viewer.employee_id)
    if errors or subject is None or author is None or text is None:
        return Outcome(errors=errors)
    answer_with = partial(_feedback_doc, author, subject, text, tags, visibility, request_id)  # (feedback id)
    doc = await feedback_store.answer_once(me.store, request_id, viewer.employee_id, answer_with,
                                           stored_instant(clock.now()))
    if doc is None:
        return Outcome(errors=[FieldError("requestId", ErrorCode.DUPLICATE, "you have already answered this request")])
    await _announce(context, doc, None if own_request else request["requesterId"])
    return Outcome(doc, extra={"request": await me.store.feedbackRequests.get(request_id)})


async def set_settings(context: Context, data: dict[str, Any]) -> Outcome:
    """HR admins: the anonymity threshold (≥ 3), the organisation's values and competencies."""
    me = await require_role(context, can_manage_feedback_settings, "only HR admins may change feedback settings")
    errors: list[FieldError] = []
    fields: dict[str, Any] = {}
    if "anonymity_threshold" in data:
        errors += check_threshold(data["anonymity_threshold"])
        fields["anonymityThreshold"] = data["anonymity_threshold"]
    for key, doc_key in (("values", "values"), ("competencies", "competencies")):
        if key in data:
            errors += check_label_list(data[key], doc_key)
            fields[doc_key] = [v.strip() for v in data[key] or []]
    if errors:
        return Outcome(errors=errors)
    if fields:
        await feedback_store.save_settings(me.store, fields)
    settings = await feedback_store.load_settings(me.store)
    if "anonymityThreshold" in fields:
        await feedback_anonymous.release_all_ready(context, settings["anonymityThreshold"])
    return Outcome(settings)
