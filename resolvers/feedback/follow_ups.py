"""Follow-ups: action items spawned from feedback, tracked to done; per-department counts for HR admins."""

from __future__ import annotations

from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.feedback.permissions import (
    can_see_feedback,
    can_see_follow_up,
    can_see_follow_up_stats,
    can_see_follow_ups_of,
    may_follow_up,
)
from models.feedback.rules import FOLLOW_UP_MAX, check_body, check_due_date, is_retracted, stored_instant
from resolvers.core.context import Context, require, require_role
from resolvers.core.outcome import Outcome
from resolvers.feedback import anonymous as feedback_anonymous
from resolvers.feedback import queries as feedback
from resolvers.feedback.colleagues import existing_employee
from resolvers.org import access as org_access
from store.feedback import repository as feedback_store

UPDATE_ATTEMPTS = 3


async def _source(context: Context, feedback_id: str | None, errors: list[FieldError]
                  ) -> tuple[Document | None, bool]:
    """The person a follow-up of ``feedback_id`` concerns, and whether the feedback is anonymous."""
    me = await require(context)
    viewer = me.viewer
    item = await me.loaders.feedback.feedback_by_id.load(feedback_id) if feedback_id else None
    if item is not None:
        recipient = await org_access.employee(context, item["recipientId"])
        if recipient is not None and can_see_feedback(viewer, item, recipient):
            if is_retracted(item):
                errors.append(FieldError("feedbackId", ErrorCode.INVALID_TRANSITION, "this feedback was retracted"))
            elif not may_follow_up(viewer, recipient):
                errors.append(FieldError("feedbackId", ErrorCode.FORBIDDEN,
                                         "follow-ups are set by the recipient of the feedback or their managers"))
            return recipient, False
    elif await feedback_anonymous.released_item(context, feedback_id) is not None:
        return await org_access.employee(context, viewer.employee_id), True  # only its manager reads it
    errors.append(FieldError("feedbackId", ErrorCode.NOT_FOUND, f"no feedback {feedback_id!r} that you can see"))
    return None, False


def _owner_errors(owner: Document | None, concerned: Document | None) -> list[FieldError]:
    if owner is None or concerned is None or owner["_id"] == concerned["_id"]:
        return []
    if owner["_id"] in concerned.get("managerChain", []):
        return []
    return [FieldError("ownerId", ErrorCode.INVALID,
                       f"the owner is {concerned['name']} or one of {concerned['name']}'s managers")]


async def create_follow_up(context: Context, data: dict[str, Any]) -> Outcome:
    """An action item from feedback the viewer may follow up, owned by its recipient or one of their managers."""
    me = await require(context)
    errors = [*check_body(data.get("text"), "text", FOLLOW_UP_MAX),
              *check_due_date(data.get("due_date"), "dueDate", clock.today())]
    concerned, anonymous = await _source(context, data.get("feedback_id"), errors)
    owner = None
    if concerned is not None:
        owner = await existing_employee(context, data.get("owner_id") or concerned["_id"], "ownerId", errors)
        errors += _owner_errors(owner, concerned)
    if errors or concerned is None or owner is None:
        return Outcome(errors=errors)
    doc = await me.store.followUps.insert({
        "_id": new_id(), "feedbackId": data["feedback_id"], "anonymous": anonymous, "employeeId": concerned["_id"],
        "ownerId": owner["_id"], "createdById": me.viewer.employee_id, "text": data["text"],
        "dueDate": data["due_date"].isoformat(), "done": False, "doneAt": None,
        "createdAt": stored_instant(clock.now()),
    })
    context.fresh_loaders()
    return Outcome(doc)


async def _changes(context: Context, follow_up: Document, concerned: Document | None, data: dict[str, Any],
                   errors: list[FieldError]) -> dict[str, Any]:
    """What ``data`` changes on ``follow_up`` as it is now; refusals go to ``errors``."""
    changes: dict[str, Any] = {}
    if "text" in data:
        errors += check_body(data["text"], "text", FOLLOW_UP_MAX)
        changes["text"] = data["text"]
    if "due_date" in data:
        errors += check_due_date(data["due_date"], "dueDate", clock.today())
        changes["dueDate"] = data["due_date"].isoformat() if data["due_date"] else None
    if "owner_id" in data:
        owner = await existing_employee(context, data["owner_id"], "ownerId", errors)
        errors += _owner_errors(owner, concerned)
        changes["ownerId"] = data["owner_id"]
    if "done" in data:
        if data["done"] is None:
            errors.append(FieldError("done", ErrorCode.REQUIRED, "done must not be null"))
        elif bool(data["done"]) != follow_up["done"]:
            changes.update(done=bool(data["done"]), doneAt=stored_instant(clock.now()) if data["done"] else None)
    return changes


async def update_follow_up(context: Context, id: str, data: dict[str, Any]) -> Outcome:
    """Text, due date, owner or done: whoever may see it (owner, creator, the person, their managers).

    The write holds only while the owner and ``done`` are still what the decision read; otherwise it
    is decided again on the follow-up as it is then (marked done twice at once, it keeps the ``doneAt`` written first).
    """
    me = await require(context)
    for _ in range(UPDATE_ATTEMPTS):
        follow_up = await me.store.followUps.get(id)
        concerned = await org_access.employee(context, follow_up["employeeId"]) if follow_up else None
        if follow_up is None or not can_see_follow_up(me.viewer, follow_up, concerned):
            return Outcome(errors=[FieldError("id", ErrorCode.NOT_FOUND, f"no follow-up {id!r} that you can see")])
        errors: list[FieldError] = []
        changes = await _changes(context, follow_up, concerned, data, errors)
        if errors:
            return Outcome(errors=errors)
        if not changes or await me.store.followUps.update(
                id, changes, where={"ownerId": follow_up["ownerId"], "done": follow_up["done"]}):
            context.fresh_loaders()
            return Outcome({**follow_up, **changes})
    return Outcome(errors=[FieldError("id", ErrorCode.CONFLICT, "the follow-up changed meanwhile; try again")])


async def open_follow_ups(context: Context, employee: Document) -> list[Document] | None:
    """``employee { openFollowUps }``: the person and their management chain; ``None`` for anyone else (a
    hidden field of a person they may see: null by design, without an error)."""
    me = await require(context)
    if not can_see_follow_ups_of(me.viewer, employee):
        return None
    return await me.loaders.feedback.open_follow_ups_by_employee_id.load(employee["_id"])


async def follow_ups_of(context: Context, feedback_id: str) -> list[Document]:
    """The follow-ups of one feedback item the viewer may see."""
    me = await require(context)
    docs = await me.loaders.feedback.follow_ups_by_feedback_id.load(feedback_id)
    concerned = {e["_id"]: e for e in await org_access.employees(context, [d["employeeId"] for d in docs])}
    return [d for d in docs if can_see_follow_up(me.viewer, d, concerned.get(d["employeeId"]))]


async def my_follow_ups(context: Context, include_done: bool) -> list[Document]:
    """The follow-ups the viewer owns, open ones first, soonest due first."""
    me = await require(context)
    return await feedback_store.follow_ups_owned_by(me.store, me.viewer.employee_id, include_done)


async def stats(context: Context) -> list[dict[str, Any]]:
    """Open and overdue follow-ups per department of the person they concern (their department now)."""
    me = await require_role(context, can_see_follow_up_stats, "follow-up statistics are for HR admins")
    counts = await feedback_store.open_follow_up_counts(me.store, clock.today())
    people = {e["_id"]: e for e in await org_access.employees(context, list(counts))}
    per_department: dict[str | None, list[int]] = {}
    for employee_id, (open_, overdue) in counts.items():
        person = people.get(employee_id)
        row = per_department.setdefault(person.get("departmentId") if person else None, [0, 0])
        row[0] += open_
        row[1] += overdue
    rows = [{"department": d, "open": per_department.get(d["_id"], [0, 0])[0],
             "overdue": per_department.get(d["_id"], [0, 0])[1]}
            for d in await org_access.departments(context)]
    if None in per_department:
        rows.append({"department": None, "open": per_department[None][0], "overdue": per_department[None][1]})
    return rows


async def feedback_of(context: Context, follow_up: Document) -> Document | None:
    """The attributed feedback a follow-up came from, if the viewer may see it."""
    if follow_up.get("anonymous"):
        return None
    return await feedback.feedback_by_id(context, follow_up["feedbackId"])


async def anonymous_feedback_of(context: Context, follow_up: Document) -> Document | None:
    """The anonymous item a follow-up came from: for the manager it was sent to only."""
    if not follow_up.get("anonymous"):
        return None
    return await feedback_anonymous.released_item(context, follow_up["feedbackId"])
