"""The exit checklist: the leaver's open work across the product, read only through each domain's accessor
(so it lists exactly what the viewer, an HR admin, may see of it), each item with a suggested new owner (the
leaver's manager); and ticking items off or reassigning them, each one conditional write."""

from __future__ import annotations

from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.core.ids import key_in
from models.exits.permissions import can_work_checklist
from models.exits.rules import ChecklistKind, ExitChange, checklist_item
from resolvers.checkins import access as checkins_access
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.exits.channels import publish_exit_change
from resolvers.exits.growth_link import growth_checklist_items
from resolvers.feedback import access as feedback_access
from resolvers.goals import access as goals_access
from resolvers.org import access as org_access
from resolvers.reviews import access as reviews_access

CHECKLIST_REFUSAL = "only HR admins and the exit's interviewer work on its checklist"
FORM_KIND_LABEL = {"self": "Self review", "manager": "Manager review", "peer": "Peer review", "upward": "Upward review"}


async def build_checklist(context: Context, exit_id: str, leaver: Document) -> list[Document]:
    """Every piece of open work of ``leaver``: goals they own, check-in series they take part in, review forms
    they owe and open reviews about them, feedback requests, mentorships; growth's through its extension point."""
    suggested = leaver.get("managerId")
    items: list[Document] = []
    for goal in await goals_access.visible_goals_of(context, leaver):
        if not goal.get("archived") and goal.get("status") not in ("done", "cancelled"):
            items.append(checklist_item(exit_id, ChecklistKind.GOAL, goal["_id"], f"Goal: {goal['title']}", suggested))
    series = await checkins_access.open_series_of(context, leaver["_id"])
    others = {e["_id"]: e for e in await org_access.employees(
        context, [s["managerId"] if s["employeeId"] == leaver["_id"] else s["employeeId"] for s in series])}
    for s in series:
        other = others.get(s["managerId"] if s["employeeId"] == leaver["_id"] else s["employeeId"])
        with_whom = other["name"] if other else "a colleague"
        items.append(checklist_item(exit_id, ChecklistKind.CHECK_IN_SERIES, s["_id"], f"Check-ins with {with_whom}",
                                    suggested))
    forms, reviews = await reviews_access.open_review_work_of(context, leaver["_id"])
    for form in forms:
        label = FORM_KIND_LABEL.get(form.form.get("kind"), "Review")
        items.append(checklist_item(exit_id, ChecklistKind.REVIEW_FORM_OWED, form.form["_id"],
                                    f"{label} of {form.reviewee['name']} to write", suggested))
    for review in reviews:
        items.append(checklist_item(exit_id, ChecklistKind.REVIEW_ABOUT, review.review["_id"],
                                    f"Their own review ({review.review['state'].replace('_', ' ')})", suggested))
    for request in await feedback_access.open_requests_of(context, leaver["_id"]):
        role = "made" if request["requesterId"] == leaver["_id"] else "to answer"
        items.append(checklist_item(exit_id, ChecklistKind.FEEDBACK_REQUEST, request["_id"],
                                    f"Feedback request {role}, due {request['dueDate']}", suggested))
    for mentee in await org_access.mentees_of(context, leaver["_id"]):
        items.append(checklist_item(exit_id, ChecklistKind.MENTORSHIP, mentee["_id"], f"Mentoring {mentee['name']}",
                                    suggested))
    items += await growth_checklist_items(context, exit_id, leaver)
    return items


async def _workable(context: Context, exit_id: str, errors: list[FieldError]) -> Document | None:
    signed_in = await require(context)
    record = await signed_in.store.exitRecords.get(exit_id)
    if record is None:
        errors.append(FieldError("exitId", ErrorCode.NOT_FOUND, f"no exit record {exit_id!r} in your organisation"))
        return None
    if not can_work_checklist(signed_in.viewer, record):
        raise Forbidden(CHECKLIST_REFUSAL)
    return record


def _why_not(record: Document, item_id: str) -> Outcome:
    """Why a conditional write on item ``item_id`` (its key or its id) matched nothing (re-read after it)."""
    key = key_in(record["_id"], item_id)
    item = next((i for i in record.get("checklist", []) if i["id"] == key), None)
    if item is None:
        return Outcome.refused("itemId", ErrorCode.NOT_FOUND, f"no checklist item {item_id!r} on this exit record")
    return Outcome.refused("itemId", ErrorCode.INVALID_TRANSITION, "this item is done already")


async def complete_item(context: Context, exit_id: str, item_id: str) -> Outcome:
    """Tick an item off: one conditional write (the item exists and is not done yet). ``item_id``: the item's
    key on the record, or its id (``<exit id>:<key>``)."""
    signed_in = await require(context)
    errors: list[FieldError] = []
    record = await _workable(context, exit_id, errors)
    if record is None:
        return Outcome(errors=errors)
    now = clock.now()
    changed = await signed_in.store.exitRecords.update(
        exit_id, {"checklist.$.done": True, "checklist.$.doneAt": now,
                  "checklist.$.doneById": signed_in.viewer.employee_id, "updatedAt": now},
        where={"checklist": {"$elemMatch": {"id": key_in(exit_id, item_id), "done": False}}})
    if not changed:
        return _why_not(await signed_in.store.exitRecords.get(exit_id) or record, item_id)
    await publish_exit_change(context, signed_in.store.organization_id, ExitChange.CHECKLIST_ITEM_COMPLETED, exit_id)
    return Outcome(await signed_in.store.exitRecords.get(exit_id))


async def reassign_item(context: Context, exit_id: str, item_id: str, owner_id: str) -> Outcome:
    """Give an open item a new owner (someone active, not the leaver): one conditional write. ``item_id`` as for
    :func:`complete_item`."""
    signed_in = await require(context)
    errors: list[FieldError] = []
    record = await _workable(context, exit_id, errors)
    owner = await org_access.referenced(context, "employee", owner_id, "ownerId", errors, active=True)
    if record is not None and owner is not None and owner["_id"] == record["employeeId"]:
        errors.append(FieldError("ownerId", ErrorCode.INVALID, "the leaver cannot take over their own work"))
    if errors or record is None:
        return Outcome(errors=errors)
    changed = await signed_in.store.exitRecords.update(
        exit_id, {"checklist.$.ownerId": owner_id, "updatedAt": clock.now()},
        where={"checklist": {"$elemMatch": {"id": key_in(exit_id, item_id), "done": False}}})
    if not changed:
        return _why_not(await signed_in.store.exitRecords.get(exit_id) or record, item_id)
    await publish_exit_change(context, signed_in.store.organization_id, ExitChange.CHECKLIST_ITEM_REASSIGNED, exit_id)
    return Outcome(await signed_in.store.exitRecords.get(exit_id))
