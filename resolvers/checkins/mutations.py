"""Editing an occurrence during the meeting: talking points (versioned), answers, rating, action items,
private notes, linked goals and progress. Only the two participants edit; a refusal writes nothing.
Every write that depends on what was read is conditional on it, or one transaction with reading it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from models.checkins.permissions import can_edit_check_in
from models.checkins.rules import CheckInChange, CheckInStatus, check_rating, check_required_text, note_id_for
from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_text
from resolvers.checkins.access import closed, editable, not_found, refuse_unless
from resolvers.checkins.channels import changed
from resolvers.core.context import Context, require
from resolvers.core.outcome import Outcome
from resolvers.goals.access import record_key_result_progress, visible_goals
from store.checkins import repository as check_in_store


def point_in(doc: Document, point_id: str) -> Document | None:
    """The talking point ``point_id`` of the occurrence (removed ones included)."""
    return next((p for p in doc.get("talkingPoints", []) if p["_id"] == point_id), None)


# talking points

async def add_talking_point(context: Context, check_in_id: str, text: str) -> Outcome:
    """A new talking point (version 1) by the viewer; ``extra["talking_point"]`` is the point added."""
    errors = check_required_text(text, "text")
    signed_in, doc = await editable(context, check_in_id, errors)
    if errors or doc is None:
        return Outcome(errors=errors)
    at, author = clock.now(), signed_in.viewer.employee_id
    point = {"_id": new_id(), "authorId": author, "text": text.strip(), "version": 1, "removed": False,
             "createdAt": at, "updatedAt": at, "updatedById": author}
    if not await check_in_store.update_open_check_in(signed_in.store, check_in_id, {"updatedAt": at},
                                                     push={"talkingPoints": point}):
        return closed()
    check_in = await changed(signed_in, check_in_id, CheckInChange.TALKING_POINT_ADDED, talkingPointId=point["_id"])
    return Outcome(check_in, extra={"talking_point": point})


def conflict(point: Document, version: int) -> Outcome:
    """CONFLICT on a stale version, with the talking point as it is now in ``extra["conflict"]``."""
    return Outcome.refused("version", ErrorCode.CONFLICT,
                           f"the talking point changed since version {version} (now version {point['version']}): "
                           "merge with its current text and retry with the current version", conflict=point)


async def change_talking_point(context: Context, check_in_id: str, point_id: str, version: int,
                               text: str | None, *, remove: bool = False) -> Outcome:
    """Compare-and-set: a write on a stale version is refused with CONFLICT and the current value."""
    errors = [] if remove else check_required_text(text, "text")
    signed_in, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return Outcome(errors=errors)
    point = point_in(doc, point_id)
    if point is None:
        return Outcome(errors=[*errors, not_found("talkingPointId", "talking point", point_id)])
    if point["version"] != version:
        stale = conflict(point, version)
        return Outcome(errors=[*errors, *stale.errors], extra=stale.extra)
    if point.get("removed"):
        errors.append(FieldError("talkingPointId", ErrorCode.NOT_FOUND, "this talking point was removed"))
    if errors:
        return Outcome(errors=errors)
    at = clock.now()
    changes: dict[str, Any] = {"updatedAt": at, "updatedById": signed_in.viewer.employee_id}
    changes.update({"removed": True} if remove else {"text": (text or "").strip()})
    if not await check_in_store.update_talking_point(signed_in.store, check_in_id, point_id, version, changes, at):
        # someone else got there first (or closed the check-in) between our read and our write
        current = await signed_in.store.checkIns.get(check_in_id)
        latest = point_in(current, point_id) if current else None
        if current is None or current["status"] != CheckInStatus.SCHEDULED.value or latest is None:
            return closed()  # talking points are never deleted, only marked removed
        return conflict(latest, version)
    kind = CheckInChange.TALKING_POINT_REMOVED if remove else CheckInChange.TALKING_POINT_UPDATED
    check_in = await changed(signed_in, check_in_id, kind, talkingPointId=point_id)
    return Outcome(check_in, extra={"talking_point": point_in(check_in, point_id) if check_in else None})


# answers and rating

async def answer_question(context: Context, check_in_id: str, question_id: str, text: str) -> Outcome:
    """The viewer's own answer to one question (each participant answers separately: no overwrite)."""
    errors = check_text(text, "text")
    signed_in, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return Outcome(errors=errors)
    if question_id not in {q["_id"] for q in doc["questions"]}:  # also keeps the id safe as a field path
        errors.append(not_found("questionId", "question", question_id))
    if errors:
        return Outcome(errors=errors)
    at = clock.now()
    answer = {"text": text.strip(), "at": at}
    if not await check_in_store.update_open_check_in(
            signed_in.store, check_in_id,
            {f"answers.{question_id}.{signed_in.viewer.employee_id}": answer, "updatedAt": at}):
        return closed()
    return Outcome(await changed(signed_in, check_in_id, CheckInChange.ANSWERED, questionId=question_id))


async def rate(context: Context, check_in_id: str, rating: int) -> Outcome:
    """Mood or confidence, 1–5, by either participant."""
    errors = check_rating(rating)
    signed_in, doc = await editable(context, check_in_id, errors)
    if errors or doc is None:
        return Outcome(errors=errors)
    if not await check_in_store.update_open_check_in(
            signed_in.store, check_in_id,
            {"rating": rating, "ratedById": signed_in.viewer.employee_id, "updatedAt": clock.now()}):
        return closed()
    return Outcome(await changed(signed_in, check_in_id, CheckInChange.RATED))


# private notes

async def set_private_note(context: Context, check_in_id: str, text: str) -> Outcome:
    """The author's own note (any time, open or closed); no event: the other participant must not even
    learn that a note was written. ``extra["note"]`` is the note as saved."""
    errors = check_text(text, "text")
    signed_in, doc = await editable(context, check_in_id, errors, open_only=False)
    if errors or doc is None:
        return Outcome(errors=errors)
    author = signed_in.viewer.employee_id
    note = {"_id": note_id_for(check_in_id, author), "checkInId": check_in_id, "authorId": author, "text": text,
            "updatedAt": clock.now()}
    await check_in_store.save_note(signed_in.store, note)
    context.fresh_loaders()  # the payload reads the note written, not a cached miss
    return Outcome(doc, extra={"note": {**note, "organizationId": signed_in.viewer.organization_id}})


# action items

class ClosedMeanwhile(Exception):
    """Ends a transaction whose occurrence was closed after it was read (its writes are undone)."""


def owner_errors(doc: Document, owner_id: str | None) -> list[FieldError]:
    """INVALID unless the owner is one of the two participants."""
    if owner_id not in (doc["employeeId"], doc["managerId"]):
        return [FieldError("ownerId", ErrorCode.INVALID, "an action item is owned by one of the two participants")]
    return []


async def add_action_item(context: Context, check_in_id: str, data: dict[str, Any]) -> Outcome:
    """A follow-up owned by one of the participants; ``extra["action_item"]`` is the item added."""
    errors = check_required_text(data.get("text"), "text")
    signed_in, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return Outcome(errors=errors)
    errors += owner_errors(doc, data.get("owner_id"))
    if errors:
        return Outcome(errors=errors)
    at, due = clock.now(), data.get("due_on")
    item = {"_id": new_id(), "seriesId": doc["seriesId"], "checkInId": check_in_id, "employeeId": doc["employeeId"],
            "managerId": doc["managerId"], "fromSequence": doc["sequence"], "doneSequence": None,
            "ownerId": data["owner_id"], "text": data["text"].strip(), "dueOn": due.isoformat() if due else None,
            "done": False, "doneAt": None, "createdById": signed_in.viewer.employee_id, "createdAt": at,
            "updatedAt": at}
    store = signed_in.store

    async def step() -> None:
        await store.checkInActionItems.insert(item)
        # touching the occurrence only while it is scheduled: a close that committed first refuses it, one
        # running concurrently conflicts with it (and one of the two is retried)
        if not await check_in_store.update_open_check_in(store, check_in_id, {"updatedAt": at}):
            raise ClosedMeanwhile

    try:
        await store.transaction(step)
    except ClosedMeanwhile:
        return closed()
    item = {**item, "organizationId": store.organization_id}
    check_in = await changed(signed_in, check_in_id, CheckInChange.ACTION_ITEM_SAVED, actionItemId=item["_id"])
    return Outcome(check_in, extra={"action_item": item})


def action_item_changes(item: Document, data: dict[str, Any], current_sequence: int) -> dict[str, Any]:
    """The fields ``data`` changes; ticked off in the series' current occurrence, an item stops carrying
    over after it."""
    at = clock.now()
    changes: dict[str, Any] = {"updatedAt": at}
    if "text" in data:
        changes["text"] = data["text"].strip()
    if "owner_id" in data:
        changes["ownerId"] = data["owner_id"]
    if "due_on" in data:
        due: date | None = data["due_on"]
        changes["dueOn"] = due.isoformat() if due else None
    if "done" in data and data["done"] != item["done"]:
        changes.update({"done": True, "doneSequence": current_sequence, "doneAt": at} if data["done"]
                       else {"done": False, "doneSequence": None, "doneAt": None})
    return changes


async def update_action_item(context: Context, item_id: str, data: dict[str, Any]) -> Outcome:
    """Change or tick off an item; the event and payload are those of the series' current occurrence."""
    signed_in = await require(context)
    store = signed_in.store
    item = await store.checkInActionItems.get(item_id)
    if item is None:
        return Outcome(errors=[not_found("actionItemId", "action item", item_id)])
    await refuse_unless(context, item, can_edit_check_in(signed_in.viewer, item),
                        "only the two participants may change a check-in")
    errors = check_required_text(data["text"], "text") if "text" in data else []
    if "owner_id" in data:
        errors += owner_errors(item, data["owner_id"])
    if "done" in data and data["done"] is None:
        errors.append(FieldError("done", ErrorCode.REQUIRED, "done must not be null"))
    if errors:
        return Outcome(errors=errors)

    async def step() -> tuple[Document, Document] | None:
        # what is done (and in which occurrence) is decided on the item and series as they are now
        current, series = await store.checkInActionItems.get(item_id), await store.checkInSeries.get(item["seriesId"])
        if current is None or series is None:
            return None
        changes = action_item_changes(current, data, series["currentSequence"])
        await store.checkInActionItems.update(item_id, changes)
        return {**current, **changes}, series

    saved = await store.transaction(step)
    if saved is None:
        return Outcome()
    item, series = saved
    current = await store.checkIns.find({"seriesId": series["_id"], "sequence": series["currentSequence"]}, limit=1)
    check_in_id = current[0]["_id"] if current else item["checkInId"]
    check_in = await changed(signed_in, check_in_id, CheckInChange.ACTION_ITEM_SAVED, actionItemId=item_id)
    return Outcome(check_in, extra={"action_item": item})


# linked goals and progress made during the check-in

async def link_goal(context: Context, check_in_id: str, goal_id: str, *, link: bool = True) -> Outcome:
    """Link one of the employee's goals that the viewer may see (an invisible goal is unknown), or unlink one."""
    errors: list[FieldError] = []
    signed_in, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return Outcome(errors=errors)
    if link:
        goals = await visible_goals(context, [goal_id])
        if not goals:
            errors.append(not_found("goalId", "goal", goal_id))
        elif goals[0].get("ownerEmployeeId") != doc["employeeId"]:
            errors.append(FieldError("goalId", ErrorCode.INVALID, "only the employee's own goals can be linked"))
    elif goal_id not in doc["linkedGoalIds"]:
        errors.append(FieldError("goalId", ErrorCode.NOT_FOUND, "this goal is not linked to the check-in"))
    if errors:
        return Outcome(errors=errors)
    store, at = signed_in.store, clock.now()
    if link:
        written = await check_in_store.update_open_check_in(store, check_in_id, {"updatedAt": at},
                                                            push={"linkedGoalIds": goal_id},
                                                            where={"linkedGoalIds": {"$ne": goal_id}})
        if not written and goal_id not in ((await store.checkIns.get(check_in_id)) or {}).get("linkedGoalIds", []):
            return closed()
    elif not await check_in_store.pull_linked_goal(store, check_in_id, goal_id, at):
        current = await store.checkIns.get(check_in_id)
        if current is None or current["status"] != CheckInStatus.SCHEDULED.value:
            return closed()
        return Outcome.refused("goalId", ErrorCode.NOT_FOUND, "this goal is not linked to the check-in")
    kind = CheckInChange.GOAL_LINKED if link else CheckInChange.GOAL_UNLINKED
    return Outcome(await changed(signed_in, check_in_id, kind, goalId=goal_id))


async def record_progress(context: Context, check_in_id: str, key_result_id: str, value: float,
                          comment: str | None) -> Outcome:
    """Update a key result of a linked goal: written through to the goal (and its history) first, then
    noted on the check-in (``extra["progress"]``). A retry after a failure in between records the same
    value again."""
    errors = check_text(comment, "comment")
    signed_in, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return Outcome(errors=errors)
    # a goal the viewer cannot see is not theirs to update
    goals = await visible_goals(context, doc["linkedGoalIds"]) if doc["linkedGoalIds"] else []
    found = next(((goal, kr) for goal in goals for kr in goal.get("keyResults", []) if kr["_id"] == key_result_id),
                 None)
    if found is None:
        errors.append(FieldError("keyResultId", ErrorCode.NOT_FOUND,
                                 f"no key result {key_result_id!r} in a goal linked to this check-in"))
    if errors or found is None:
        return Outcome(errors=errors)
    outcome = await record_key_result_progress(context, key_result_id, value, comment)
    if outcome.errors:
        return Outcome(errors=list(outcome.errors))
    goal, key_result = found
    update = {"_id": new_id(), "goalId": goal["_id"], "keyResultId": key_result_id,
              "keyResultTitle": key_result.get("title"), "value": value, "comment": comment,
              "byId": signed_in.viewer.employee_id, "at": clock.now()}
    await signed_in.store.checkIns.update(check_in_id, {"updatedAt": update["at"]}, push={"progressUpdates": update})
    check_in = await changed(signed_in, check_in_id, CheckInChange.PROGRESS_RECORDED, keyResultId=key_result_id,
                             goalId=goal["_id"])
    return Outcome(check_in, extra={"progress": update})
